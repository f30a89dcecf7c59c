// gossip-properties: runs the property catalogue (properties/catalogue.h) against the
// reference it was linked with. The same main is linked with each mutant of the catalogue
// (properties/mutants/) into gossip-mutant-<name>, which `gossipcheck mutants` runs.
//
//   gossip-properties [--profile quick|campaign] [--seed N] [--seeds K] [--only NAME]... [--first NAME]...
//                     [--shard I/N] [--json FILE] [--failures DIR] [--list] [--fail-fast]
//   gossip-properties --replay FILE [--svg FILE] [--quiet]
//
// Exit codes: 0 every property passed (or the replay found no violation), 1 a property
// failed (or the replay found one), 2 bad arguments or input.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "properties/catalogue.h"
#include "properties/explore_command.h"
#include "properties/replay.h"
#include "properties/rules_properties.h"

// Defined by each executable this main is linked into: "" for gossip-properties, the
// mutant's name for gossip-mutant-<name>.
extern const char* const kGossipMutantName;
#define GOSSIP_MUTANT_NAME kGossipMutantName

namespace {

using gossip::properties::Outcome;

bool parse_shard(const std::string& text, unsigned* index, unsigned* count) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    std::size_t a = 0, b = 0;
    *index = static_cast<unsigned>(std::stoul(text.substr(0, slash), &a));
    *count = static_cast<unsigned>(std::stoul(text.substr(slash + 1), &b));
    return a == slash && b == text.size() - slash - 1 && *count > 0 && *index < *count;
  } catch (...) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gossip-properties: the gossipcheck property catalogue" +
               std::string(*GOSSIP_MUTANT_NAME ? std::string(" (mutant ") + GOSSIP_MUTANT_NAME + ")" : "")};
  std::string profile_name = "quick", json_file, failures_dir, shard, replay, svg;
  std::uint64_t seed = 1, seeds = 1;
  std::vector<std::string> only, first;
  bool list = false, quiet = false, fail_fast = false;
  app.add_option("--profile", profile_name, "quick (under ctest), campaign (hours) or smoke (a tenth of quick: the asan preset)")
      ->check(CLI::IsMember({"quick", "campaign", "smoke"}));
  app.add_option("--seed", seed, "first RapidCheck seed");
  app.add_option("--seeds", seeds, "run every property with seeds seed .. seed+K-1")->check(CLI::Range(1, 1000000));
  app.add_option("--only", only, "run only these properties (repeatable)");
  app.add_option("--first", first, "run these properties before the others, in this order (repeatable; "
                                   "gossipcheck mutants --fail-fast names the one expected to kill the mutant)");
  app.add_option("--shard", shard, "I/N: run only the I-th of N shares of (property, seed) pairs; "
                                   "default from GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS");
  app.add_option("--json", json_file, "write the outcomes as JSON");
  app.add_option("--failures", failures_dir, "folder for failing histories (default: current)");
  app.add_flag("--list", list, "list the properties and exit");
  bool list_rules = false;
  app.add_flag("--list-rules", list_rules, "list the decoding rules refused_rules_leave_no_trace breaks, and exit");
  app.add_flag("--fail-fast", fail_fast, "stop at the first property that fails");
  app.add_option("--replay", replay, "replay a saved history step by step");
  app.add_option("--svg", svg, "with --replay: write a message sequence diagram");
  app.add_flag("--quiet", quiet, "with --replay: print only the verdict");
  gossip::properties::ExploreCommand explore;
  CLI::App* explore_app = app.add_subcommand(
      "explore", "Explore every interleaving of a small configuration on this implementation");
  gossip::properties::add_explore_options(explore_app, &explore);
  if (*GOSSIP_MUTANT_NAME) explore.implementation = GOSSIP_MUTANT_NAME;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (explore_app->parsed()) return gossip::properties::run_explore_command(explore, std::cout, std::cerr);
  if (!replay.empty()) {
    gossip::properties::ReplayFileOptions ro;
    ro.svg_file = svg;
    ro.quiet = quiet;
    ro.run_case = [](const gossip::properties::CaseFile& c, std::ostream& out, std::ostream& err) {
      return gossip::properties::run_case(gossip::properties::catalogue(), c, {}, out, err);
    };
    return gossip::properties::replay_file(replay, std::cout, std::cerr, ro);
  }
  // RapidCheck prints the configuration it loaded; make it name the seed that is used.
  setenv("RC_PARAMS", ("seed=" + std::to_string(seed)).c_str(), 1);

  // The catalogue, with the properties named by --first moved to the front.
  std::vector<gossip::properties::Property> all = gossip::properties::catalogue();
  nlohmann::json catalogue_order = nlohmann::json::array();
  for (const auto& p : all) catalogue_order.push_back(p.name);
  for (auto name = first.rbegin(); name != first.rend(); ++name) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.name == *name; });
    if (it == all.end()) {
      std::cerr << "error: unknown property '" << *name << "' (see --list)\n";
      return 2;
    }
    std::rotate(all.begin(), it, std::next(it));
  }
  if (list_rules) {
    for (const std::string& id : gossip::properties::decode_rule_ids()) std::cout << id << "\n";
    return 0;
  }
  if (list) {
    for (const auto& p : all) std::cout << p.name << "\t" << p.invariant << "\t" << p.statement << "\n";
    return 0;
  }
  for (const std::string& name : only) {
    bool known = false;
    for (const auto& p : all) known = known || p.name == name;
    if (!known) {
      std::cerr << "error: unknown property '" << name << "' (see --list)\n";
      return 2;
    }
  }
  unsigned shard_index = 0, shard_count = 1;
  if (!shard.empty()) {
    if (!parse_shard(shard, &shard_index, &shard_count)) {
      std::cerr << "error: --shard wants I/N with I < N, for example 0/4\n";
      return 2;
    }
  } else if (const char* t = std::getenv("GTEST_TOTAL_SHARDS")) {
    const char* i = std::getenv("GTEST_SHARD_INDEX");
    if (!i || !parse_shard(std::string(i) + "/" + t, &shard_index, &shard_count)) {
      std::cerr << "error: GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS are not a valid shard\n";
      return 2;
    }
  }
  if (!json_file.empty()) {
    std::ofstream probe(json_file, std::ios::app);
    if (!probe) {
      std::cerr << "error: cannot write " << json_file << "\n";
      return 2;
    }
  }
  gossip::properties::RunOptions o;
  o.profile = profile_name == "campaign" ? gossip::properties::campaign_profile()
              : profile_name == "smoke"  ? gossip::properties::smoke_profile()
                                         : gossip::properties::quick_profile();
  o.failures_dir = failures_dir;
  o.self = argv[0];

  // The JSON is rewritten before and after every property, so that a runner stopped by a
  // crash or a deadline still tells what passed, what failed and what was running.
  nlohmann::json results = nlohmann::json::array();
  auto write_json = [&](const std::string& running) {
    if (json_file.empty()) return true;
    std::ofstream out(json_file, std::ios::trunc);
    out << nlohmann::json{{"mutant", GOSSIP_MUTANT_NAME},
                          {"profile", o.profile.name},
                          {"running", running.empty() ? nlohmann::json(nullptr) : nlohmann::json(running)},
                          {"results", results},
                          {"catalogue", catalogue_order}}
               .dump(2)
        << "\n";
    return static_cast<bool>(out);
  };
  bool all_passed = true;
  std::uint64_t pair = 0;
  for (std::uint64_t s = seed; s < seed + seeds && (all_passed || !fail_fast); ++s) {
    for (const auto& p : all) {
      if (fail_fast && !all_passed) break;
      if (!only.empty() && std::find(only.begin(), only.end(), p.name) == only.end()) continue;
      if (pair++ % shard_count != shard_index) continue;
      o.seed = s;
      if (!write_json(p.name)) {
        std::cerr << "error: writing " << json_file << " failed\n";
        return 2;
      }
      const Outcome r = p.run(o);
      all_passed = all_passed && r.passed;
      if (r.passed) {
        std::cout << "PASS " << r.property << " (" << r.cases << " cases of " << r.mean_steps
                  << " steps on average, seed " << s << ", " << r.seconds << " s)" << std::endl;
        for (const auto& [tag, share] : r.coverage) {
          std::cout << "     " << static_cast<int>(share * 1000 + 0.5) / 10.0 << "% of cases: " << tag << "\n";
        }
      } else {
        std::cout << "FAIL " << r.property << " (seed " << s << ", first failure after "
                  << r.seconds_to_first_failure << " s, shrunk to " << r.shrunk_steps << " steps)\n"
                  << r.message;
        if (!r.history_file.empty()) {
          std::cout << "history: " << r.history_file << "\n"
                    << "replay:  " << o.self << " --replay " << r.history_file << "\n";
          if (!*GOSSIP_MUTANT_NAME) std::cout << "         (or: " << r.replay << ")\n";
        }
        std::cout << std::flush;
      }
      results.push_back({{"property", r.property},
                         {"invariant", p.invariant},
                         {"seed", s},
                         {"passed", r.passed},
                         {"seconds", r.seconds},
                         {"seconds_to_first_failure", r.seconds_to_first_failure},
                         {"cases", r.cases},
                         {"mean_steps", r.mean_steps},
                         {"coverage", r.coverage},
                         {"shrunk_steps", r.shrunk_steps},
                         {"message", r.message},
                         {"history_file", r.history_file}});
    }
  }
  if (!write_json("")) {
    std::cerr << "error: writing " << json_file << " failed\n";
    return 2;
  }
  return all_passed ? 0 : 1;
}
