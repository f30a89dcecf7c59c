// gossipcheck: the command-line entry point. Argument errors exit 2 with a message.
#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "certify/certify.h"
#include "certify/plugin.h"
#include "certify/process.h"
#include "certify/process_server.h"
#include "cli/commands.h"
#include "properties/explore_command.h"
#include "properties/replay.h"
#include "faultnet/sim.h"

namespace {

using faultnet::Time;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ':')) parts.push_back(part);
  return parts;
}

// Milliseconds (fractions allowed) to virtual microseconds; throws on anything else.
Time parse_ms(const std::string& text) {
  std::size_t used = 0;
  double ms = -1;
  try {
    ms = std::stod(text, &used);
  } catch (...) {
  }
  if (used != text.size() || !(ms >= 0) || ms > 1e7) {
    throw CLI::ValidationError("'" + text + "' is not a time in milliseconds");
  }
  return static_cast<Time>(std::llround(ms * 1000));
}

// This program's own path, for the children certify starts.
std::string self_path(const char* argv0) {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

std::uint32_t to_ppm(double p) { return static_cast<std::uint32_t>(std::llround(p * 1e6)); }

faultnet::Latency parse_latency(const std::string& spec) {
  const std::vector<std::string> p = split(spec);
  faultnet::Latency l;
  using K = faultnet::Latency::Kind;
  if (p.size() == 2 && p[0] == "constant") {
    l.kind = K::kConstant;
    l.lo = l.hi = parse_ms(p[1]);
    return l;
  }
  if (p.size() == 3) {
    l.lo = parse_ms(p[1]);
    l.hi = parse_ms(p[2]);
    if (l.hi < l.lo) throw CLI::ValidationError("--latency: the second time is below the first");
    if (p[0] == "uniform") l.kind = K::kUniform;
    else if (p[0] == "exp") l.kind = K::kExponential;
    else if (p[0] == "longtail") l.kind = K::kLongTail;
    else throw CLI::ValidationError("--latency: unknown distribution '" + p[0] + "'");
    return l;
  }
  throw CLI::ValidationError("--latency: expected constant:MS, uniform:MS:MS, exp:MIN:MEAN or longtail:MS:MS, got '" + spec + "'");
}

// A whole number up to a million (a round or a node id).
std::uint32_t parse_number(const std::string& text, const char* what) {
  std::size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v > 1'000'000) {
    throw CLI::ValidationError(std::string(what) + ": '" + text + "' is not a whole number up to 1000000");
  }
  return static_cast<std::uint32_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gossip::cli;
  CLI::App app{"gossipcheck: verification suite for consolidation-state gossip"};
  app.require_subcommand(1);

  SelfcheckOptions check;
  CLI::App* selfcheck = app.add_subcommand(
      "selfcheck",
      "Build replica states by random histories, merge them in different orders, "
      "and check that every order gives the same root digest");
  selfcheck->add_option("--seed", check.seed, "Seed of the random history")->capture_default_str();
  selfcheck->add_option("--cluster-seed", check.cluster_seed, "Cluster seed keying the digests")
      ->capture_default_str();
  selfcheck->add_option("--replicas", check.replicas, "Number of replicas")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  selfcheck->add_option("--writes", check.writes, "Local writes in the history")
      ->check(CLI::Range(1u, 10'000'000u))
      ->capture_default_str();

  std::string path;
  std::string out_path;
  std::uint64_t cluster_seed = kDefaultClusterSeed;
  CLI::App* decode = app.add_subcommand("decode", "Print the text form of a binary frame");
  decode->add_option("file", path, "Frame file ('-' for standard input)")->required();
  decode->add_option("--cluster-seed", cluster_seed, "Cluster seed (for a state's root)")
      ->capture_default_str();

  CLI::App* encode = app.add_subcommand("encode", "Encode a state's text form as a binary frame");
  encode->add_option("file", path, "Text file ('-' for standard input)")->required();
  encode->add_option("-o,--output", out_path, "Where to write the frame")->required();
  encode->add_option("--cluster-seed", cluster_seed, "Cluster seed")->capture_default_str();

  SimOptions sim_options;
  double loss = 0, dup = 0, reorder = 0, corrupt = 0;
  std::string latency = "uniform:1:20";
  std::vector<std::string> partitions, crashes;
  std::string replay_path, svg_path;
  bool replay_quiet = false;
  CLI::App* replay = app.add_subcommand(
      "replay", "Re-run a saved history step by step (exit 1 when an invariant breaks)");
  replay->add_option("file", replay_path, "History file, as a failing property wrote it")->required();
  replay->add_option("--svg", svg_path, "Also write a message sequence diagram as SVG");
  replay->add_flag("--quiet", replay_quiet, "Print only the verdict");
  std::string replay_impl, replay_impl_cmd;
  replay->add_option("--impl", replay_impl, "Replay it on this plug-in's nodes (a certify counterexample)");
  replay->add_option("--impl-cmd", replay_impl_cmd, "Replay it on the nodes of this process (docs/CERTIFY.md)")
      ->excludes("--impl");

  gossip::certify::CertifyOptions certify_options;
  std::string certify_child, certify_verify;
  int certify_child_result_fd = -1;
  bool certify_list = false;
  CLI::App* certify = app.add_subcommand(
      "certify", "Certify an implementation against every property that goes through the node seam "
                 "(exit 0 every applicable property holds, 1 one fails, 2 could not run)");
  certify->add_option("--impl", certify_options.impl,
                      "A plug-in (include/gossipcheck/plugin.h), or 'reference' for the reference node in-process");
  certify->add_option("--impl-cmd", certify_options.impl_cmd,
                      "A command whose process speaks the process protocol (docs/CERTIFY.md)")
      ->excludes("--impl");
  certify->add_option("--profile", certify_options.profile, "smoke, quick (a CI gate) or campaign")
      ->check(CLI::IsMember({"smoke", "quick", "campaign"}))
      ->capture_default_str();
  certify->add_option("--seed", certify_options.seed, "Seed of every property")->capture_default_str();
  certify->add_option("--out", certify_options.out_dir, "Where certificate.json, counterexamples/ and logs/ go")
      ->capture_default_str();
  certify->add_option("--only", certify_options.only, "Only these properties (repeat or comma-separate)")
      ->delimiter(',');
  certify->add_option("--timeout", certify_options.timeout_seconds,
                      "Seconds a property may take before it counts as a hang (default: the profile's)");
  certify->add_option("--answer-timeout", certify_options.answer_seconds,
                      "Seconds a process may take to answer one request before it counts as a hang")
      ->capture_default_str();
  certify->add_option("--jobs", certify_options.jobs, "Properties run at once")->capture_default_str();
  certify->add_flag("--fail-fast", certify_options.fail_fast,
                    "Start no property after the first one that does not hold (the rest: 'not run')");
  certify->add_flag("--list", certify_list, "List the properties and exit");
  certify->add_option("--verify", certify_verify,
                      "Check a certificate: its SHA-256, the implementation's files, and that its properties give "
                      "the same verdicts again (run into --out)");
  certify->add_option("--child", certify_child)->group("");  // internal: run one property
  certify->add_option("--child-result-fd", certify_child_result_fd)->group("");

  std::string plugin_host_path;
  CLI::App* plugin_host = app.add_subcommand(
      "plugin-host", "Serve a plug-in's nodes over the process protocol on stdin/stdout "
                     "(certify it as a process of its own: --impl-cmd \"gossipcheck plugin-host LIB\")");
  plugin_host->add_option("plugin", plugin_host_path, "The plug-in (include/gossipcheck/plugin.h)")->required();

  gossip::cli::MutantsOptions mutants_options;
  CLI::App* mutants = app.add_subcommand(
      "mutants", "Run the property catalogue against every mutant and print the kill matrix "
                 "(exit 0 only when every mutant is killed)");
  mutants->add_option("--profile", mutants_options.profile, "Property profile")
      ->check(CLI::IsMember({"quick", "campaign"}))->capture_default_str();
  mutants->add_option("--seed", mutants_options.seed, "RapidCheck seed")->capture_default_str();
  mutants->add_option("--jobs,-j", mutants_options.jobs, "Mutants run at a time")
      ->check(CLI::Range(1u, 256u))->capture_default_str();
  mutants->add_option("--timeout", mutants_options.timeout_seconds, "Seconds before a mutant's runner is stopped")
      ->check(CLI::Range(1.0, 1e6))->capture_default_str();
  mutants->add_option("--only", mutants_options.only, "Only these mutants (repeatable)");
  mutants->add_flag("--fail-fast", mutants_options.fail_fast,
                    "Stop each runner at its first failing property (the CI gate; blank cells: not run)");
  mutants->add_option("--runners", mutants_options.runners_dir, "Folder of the gossip-mutant-* runners");
  mutants->add_option("--work", mutants_options.work_dir, "Folder for logs and shrunk histories");
  mutants->add_option("--json", mutants_options.json_path, "Write the kill matrix as JSON to FILE");

  gossip::cli::ProveOptions prove_options;
  CLI::App* prove = app.add_subcommand(
      "prove", "Prove the merge-lattice laws of the model with Z3 (exit 0 only when every law is "
               "proved); with --mutant, refute them for a merge mutant and replay the counterexample");
  prove->add_option("--replicas-max", prove_options.replicas_max, "Replicas K: every K from 1 (register laws)")
      ->check(CLI::Range(1u, 8u))->capture_default_str();
  prove->add_option("--siblings-max", prove_options.siblings_max, "Siblings M per register: every M from 1")
      ->check(CLI::Range(1u, 4u))->capture_default_str();
  prove->add_option("--patterns-max", prove_options.patterns_max, "Patterns P: every P from 1 (resolution laws)")
      ->check(CLI::Range(1u, 6u))->capture_default_str();
  prove->add_option("--timeout-ms", prove_options.timeout_ms, "Z3's time per query and attempt")
      ->check(CLI::Range(1u, 3'600'000u))->capture_default_str();
  prove->add_option("--attempts", prove_options.attempts,
                    "Attempts per query, each under another random seed, before it is reported unknown")
      ->check(CLI::Range(1u, 100u))->capture_default_str();
  prove->add_option("--seed", prove_options.seed, "Z3's random seed for the first attempt")->capture_default_str();
  prove->add_option("--only", prove_options.only, "Only these laws (repeatable)");
  auto* prove_mutant = prove->add_option("--mutant", prove_options.mutant,
                                         "Encode this merge mutant instead of the model (must be caught)");
  prove->add_flag("--all-mutants", prove_options.all_mutants, "Every merge mutant in turn (each must be caught)")
      ->excludes(prove_mutant);
  prove->add_option("--counterexamples", prove_options.counterexamples_dir,
                    "Write each counterexample to DIR/<model|mutant>.<law>.txt (replay with gossipcheck replay)");
  prove->add_option("--json", prove_options.json_path, "Write each law's name, status and seconds as JSON to FILE");

  gossip::properties::ExploreCommand explore_command;
  std::string explore_mutant, explore_runners;
  CLI::App* explore = app.add_subcommand(
      "explore", "Explore every interleaving of a small configuration on the reference nodes "
                 "(exit 0 only when it ends with no violation)");
  gossip::properties::add_explore_options(explore, &explore_command);
  explore->add_option("--mutant", explore_mutant, "Explore this mutant instead (runs its gossip-mutant-NAME runner)");
  explore->add_option("--runners", explore_runners, "Folder of the gossip-mutant-* runners");

  CLI::App* sim = app.add_subcommand(
      "sim", "Run a cluster of reference nodes on faultnet and report propagation, bytes, "
             "faults and convergence");
  sim->add_option("--nodes", sim_options.nodes, "Replicas in the cluster")
      ->check(CLI::Range(1u, 100'000u))->capture_default_str();
  sim->add_option("--patterns", sim_options.patterns, "Patterns every replica holds at the start")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{2'000'000}))->capture_default_str();
  sim->add_option("--writes", sim_options.writes,
                  "Writes per trial (one: at round 1; more: spread over the first half)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{10'000'000}))->capture_default_str();
  sim->add_option("--rounds", sim_options.rounds,
                  "Rounds of the safety phase (0: 4*ceil(log2 nodes)+8; a fault-free run stops "
                  "once every write is everywhere)")
      ->check(CLI::Range(0u, 1'000'000u))->capture_default_str();
  sim->add_option("--trials", sim_options.trials, "Independent trials")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}))->capture_default_str();
  sim->add_option("--seed", sim_options.seed, "Root seed (trial i uses a seed forked from it)")
      ->capture_default_str();
  sim->add_option("--cluster-seed", sim_options.cluster_seed, "Cluster seed keying the digests")
      ->capture_default_str();
  sim->add_option("--only-trial", sim_options.only_trial, "Run trial K of the seed alone (replay)");
  sim->add_option("--epoch", sim_options.epoch,
                  "The nodes' clocks start this many microseconds in (a long-running cluster)")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 62))
      ->capture_default_str();
  sim->add_option("--loss", loss, "Probability that a message is lost")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  sim->add_option("--dup", dup, "Probability that a message is delivered twice")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  sim->add_option("--reorder", reorder, "Probability that a message is held back up to half a round")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  sim->add_option("--corrupt", corrupt, "Probability that 1 to 3 bits of a message flip")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  sim->add_option("--latency", latency,
                  "constant:MS | uniform:MIN:MAX | exp:MIN:MEAN | longtail:MIN:MAX (1% up to 20x)")
      ->capture_default_str();
  sim->add_option("--partition", partitions,
                  "symmetric|one-way|isolate|majority[:FROM:TO] rounds (default 2 to a third of "
                  "the safety phase); repeatable");
  sim->add_option("--crash", crashes,
                  "stop|restart|amnesia|pause[:NODE:FROM:TO] (default node 0, rounds 2 to a "
                  "third of the safety phase); repeatable");
  sim->add_flag("--swarm", sim_options.swarm, "Draw a random fault profile from each trial's seed");
  sim->add_flag("--ideal-only", sim_options.ideal_only,
                "Run no cluster: print the ideal push-pull model's rounds for --nodes and --loss "
                "(--trials trials of the model, 10000 when not given; --seed; --json)");
  sim->add_option("--walk-width", sim_options.walk_width,
                  "Bytes per child digest when walking the tree (1 to 8)")
      ->check(CLI::Range(1, 8))->capture_default_str();
  sim->add_option("--json", sim_options.json_path, "Write the figures as JSON to FILE");

  try {
    app.parse(argc, argv);
    if (sim->parsed()) {
      if (sim_options.ideal_only) {
        // The model has synchronous rounds and one loss per exchange: nothing else applies.
        for (const char* name : {"--patterns", "--writes", "--rounds", "--only-trial", "--epoch", "--dup", "--reorder",
                                 "--corrupt", "--latency", "--partition", "--crash", "--swarm", "--walk-width",
                                 "--cluster-seed"}) {
          if (sim->count(name) > 0) throw CLI::ValidationError(std::string("--ideal-only does not take ") + name);
        }
        if (sim->count("--trials") == 0) sim_options.trials = kIdealTrialsDefault;
        if (sim_options.nodes < 2) throw CLI::ValidationError("--ideal-only needs 2 nodes or more");
      }
      faultnet::FaultProfile& f = sim_options.faults;
      f.latency = parse_latency(latency);
      f.loss_ppm = to_ppm(loss);
      f.dup_ppm = to_ppm(dup);
      f.reorder_ppm = to_ppm(reorder);
      f.corrupt_ppm = to_ppm(corrupt);
      const std::uint32_t rounds =
          sim_options.rounds ? sim_options.rounds : faultnet::default_rounds(sim_options.nodes);
      const Time iv = gossip::NodeConfig{}.gossip_interval;
      auto window = [&](const std::vector<std::string>& p, std::size_t at, const char* what) {
        std::uint32_t from = 2, to = std::max(4u, rounds / 3);
        if (p.size() > at) from = parse_number(p[at], what);
        if (p.size() > at + 1) to = parse_number(p[at + 1], what);
        if (p.size() > at + 2 || to <= from) {
          throw CLI::ValidationError(std::string(what) + ": expected FROM:TO rounds with FROM < TO");
        }
        return faultnet::Window{from * iv, to * iv};
      };
      gossip::Rng rng = gossip::Rng(sim_options.seed).fork("cli faults");
      for (const std::string& spec : partitions) {
        const std::vector<std::string> p = split(spec);
        using K = faultnet::Partition::Kind;
        K kind;
        if (p.empty()) throw CLI::ValidationError("--partition: empty");
        if (p[0] == "symmetric") kind = K::kSymmetric;
        else if (p[0] == "one-way") kind = K::kOneWay;
        else if (p[0] == "isolate") kind = K::kIsolate;
        else if (p[0] == "majority") kind = K::kMajorityMinority;
        else throw CLI::ValidationError("--partition: unknown kind '" + p[0] + "'");
        if (sim_options.nodes < 2) throw CLI::ValidationError("--partition needs 2 nodes or more");
        f.partitions.push_back(faultnet::make_partition(kind, sim_options.nodes,
                                                        window(p, 1, "--partition"), rng));
      }
      for (const std::string& spec : crashes) {
        const std::vector<std::string> p = split(spec);
        using K = faultnet::Crash::Kind;
        faultnet::Crash c;
        if (p.empty()) throw CLI::ValidationError("--crash: empty");
        if (p[0] == "stop") c.kind = K::kStop;
        else if (p[0] == "restart") c.kind = K::kRestartDurable;
        else if (p[0] == "amnesia") c.kind = K::kRestartAmnesia;
        else if (p[0] == "pause") c.kind = K::kPause;
        else throw CLI::ValidationError("--crash: unknown kind '" + p[0] + "'");
        if (p.size() > 1) c.node = parse_number(p[1], "--crash node");
        if (c.node >= sim_options.nodes) throw CLI::ValidationError("--crash: no node " + p[1]);
        c.when = window(p, 2, "--crash");
        f.crashes.push_back(c);
      }
      for (int i = 0; i < argc; ++i) {
        if (i) sim_options.command_line += " ";
        sim_options.command_line += i == 0 ? std::string("gossipcheck") : std::string(argv[i]);
      }
    }
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  if (selfcheck->parsed()) return run_selfcheck(check);
  if (replay->parsed()) {
    gossip::properties::ReplayFileOptions ro;
    ro.svg_file = svg_path;
    ro.quiet = replay_quiet;
    gossip::certify::CertifyOptions co;
    co.impl = replay_impl.empty() && replay_impl_cmd.empty() ? "reference" : replay_impl;
    co.impl_cmd = replay_impl_cmd;
    co.self = self_path(argv[0]);
    std::shared_ptr<const gossip::Implementation> impl;
    if (!replay_impl.empty() || !replay_impl_cmd.empty()) {
      gossip::Result<std::shared_ptr<const gossip::Implementation>> opened = gossip::certify::open_implementation(co);
      if (!opened.is_ok()) {
        std::cerr << "error: " << opened.status().message() << "\n";
        return kExitBadInput;
      }
      impl = opened.value();
      ro.executor.impl = impl;
      ro.executor.check_in_sync_cost = false;  // certify judges I8 by its own property
      ro.implementation = gossip::certify::implementation_digest(co);
    } else {
      impl = gossip::reference_implementation();
    }
    ro.run_case = [&](const gossip::properties::CaseFile& c, std::ostream& out, std::ostream& err) {
      return gossip::certify::run_certify_case(c, impl, co, out, err);
    };
    return gossip::properties::replay_file(replay_path, std::cout, std::cerr, ro);
  }
  if (plugin_host->parsed()) return gossip::certify::run_plugin_host(plugin_host_path);
  if (certify->parsed()) {
    if (certify_list) {
      for (const std::string& name : gossip::certify::certify_property_names()) std::cout << name << "\n";
      return 0;
    }
    certify_options.self = self_path(argv[0]);
    if (!certify_verify.empty()) {
      return gossip::certify::run_verify(certify_verify, certify_options, std::cout, std::cerr);
    }
    if (certify_options.impl.empty() && certify_options.impl_cmd.empty()) {
      std::cerr << "error: certify needs --impl PLUGIN (or 'reference') or --impl-cmd COMMAND\n";
      return kExitBadInput;
    }
    if (!certify_child.empty()) {
      return gossip::certify::run_certify_child(certify_options, certify_child, certify_child_result_fd);
    }
    return gossip::certify::run_certify(certify_options, std::cout, std::cerr);
  }
  if (mutants->parsed()) {
    if (!mutants_options.json_path.empty() && !std::ofstream(mutants_options.json_path, std::ios::app)) {
      std::cerr << "error: cannot write " << mutants_options.json_path << "\n";
      return kExitBadInput;
    }
    return run_mutants(mutants_options);
  }
  if (prove->parsed()) return run_prove(prove_options);
  if (explore->parsed()) {
    if (explore_mutant.empty()) return gossip::properties::run_explore_command(explore_command, std::cout, std::cerr);
    return exec_mutant_runner(explore_mutant, explore_runners, "explore", argc, argv);
  }
  if (sim->parsed()) return run_sim(sim_options);
  if (decode->parsed()) return run_decode(path, cluster_seed);
  if (encode->parsed()) return run_encode(path, out_path, cluster_seed);
  return kExitBadInput;
}
