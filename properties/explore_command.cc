#include "properties/explore_command.h"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace gossip::properties {

void add_explore_options(CLI::App* app, ExploreCommand* cmd) {
  ExploreConfig& c = cmd->config;
  app->add_option("--nodes", c.history.nodes, "Replicas")->check(CLI::Range(1u, 5u))->capture_default_str();
  app->add_option("--writes", c.writes, "Writes, each at any node")->check(CLI::Range(0u, 6u))->capture_default_str();
  app->add_option("--patterns", c.patterns, "Patterns the writes choose from (2: absorbs too)")
      ->check(CLI::Range(1u, 3u))->capture_default_str();
  app->add_option("--ticks", c.ticks, "Gossip intervals (each starts an exchange at every node)")
      ->check(CLI::Range(0u, 6u))->capture_default_str();
  app->add_option("--duplicates", c.duplicates, "Messages duplicated, any of them")
      ->check(CLI::Range(0u, 6u))->capture_default_str();
  app->add_option("--crashes", c.crashes, "Crash-restarts of any node, durable or with amnesia")
      ->check(CLI::Range(0u, 3u))->capture_default_str();
  app->add_option("--seed", c.history.seed, "Cluster seed (node seeds are forked from it)")->capture_default_str();
  app->add_option("--states-max", c.states_max, "Distinct states before stopping (the run is then incomplete)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}))->capture_default_str();
  app->add_option("--violations-max", c.violations_max, "Violations before stopping")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))->capture_default_str();
  app->add_option("--shallow-depth", c.shallow_depth,
                  "First explore only histories of up to this many steps (finds short violations fast; 0: skip)")
      ->check(CLI::Range(0u, 1000u))->capture_default_str();
  app->add_flag("!--no-converge", c.converge, "Skip the convergence check from every distinct state");
  app->add_option("--json", cmd->json_path, "Write states, distinct_states, depth, seconds, violations as JSON");
  app->add_option("--failures", cmd->failures_dir, "Folder for the histories of violations")->capture_default_str();
}

int run_explore_command(const ExploreCommand& cmd, std::ostream& out, std::ostream& err) {
  const ExploreConfig& c = cmd.config;
  out << "gossipcheck explore (" << cmd.implementation << "): " << c.history.nodes << " nodes, " << c.writes
      << " writes to " << c.patterns << " pattern" << (c.patterns == 1 ? "" : "s") << ", " << c.ticks
      << " ticks, " << c.duplicates << " duplicate" << (c.duplicates == 1 ? "" : "s") << ", " << c.crashes
      << " crash-restart" << (c.crashes == 1 ? "" : "s") << " (durable or amnesia), every message delivered, "
      << "dropped or duplicated in every order; seed " << c.history.seed << "\n";
  const ExploreResult r = explore(c, [&](const ExploreResult& p) {
    if (p.distinct_states % 10'000 == 0 && p.violations.empty()) {
      out << "  ... " << p.distinct_states << " distinct states, " << p.states << " states, depth " << p.depth
          << ", " << std::fixed << std::setprecision(1) << p.seconds << " s\n" << std::flush;
    }
  });
  out << "explored: " << r.states << " states (steps taken), " << r.distinct_states << " distinct states, depth "
      << r.depth << ", " << r.convergence_checks << " convergence checks, " << std::fixed << std::setprecision(2)
      << r.seconds << " s, " << (r.complete ? "complete" : "INCOMPLETE") << "\n";
  if (r.shallow_pass) {
    out << "  (the pass cut at " << c.shallow_depth << " steps found it; the exhaustive pass did not run)\n";
  }
  nlohmann::json violations = nlohmann::json::array();
  int rc = 0;
  std::size_t index = 0;
  for (const ExploreFound& f : r.violations) {
    const std::string text = to_text(f.history);
    const std::filesystem::path file = std::filesystem::path(cmd.failures_dir) /
                                       ("explore-" + cmd.implementation + "-" + std::to_string(++index) + ".history");
    std::error_code ec;
    std::filesystem::create_directories(cmd.failures_dir, ec);
    std::ofstream(file) << text;
    out << "VIOLATION " << to_text(f.violation) << "\n"
        << "  found after " << f.history.steps.size() << " steps; the history:\n";
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out << "  | " << line << "\n";
    out << "  saved: " << file.string() << "\n"
        << "  replay: gossipcheck replay " << file.string()
        << (cmd.implementation == "reference" ? "" : "  (on the mutant: gossip-mutant-" + cmd.implementation +
                                                         " --replay " + file.string() + ")")
        << "\n";
    violations.push_back({{"invariant", f.violation.invariant}, {"step", f.violation.step},
                          {"detail", f.violation.detail}, {"history", text}, {"file", file.string()}});
    rc = 1;
  }
  if (r.violations.empty()) {
    if (r.complete) {
      out << "no violation: the safety invariants hold in every reachable state, and from every one the "
             "healed cluster converges\n";
    } else {
      out << "stopped at --states-max " << c.states_max << " before the end: nothing is claimed beyond it\n";
      rc = 1;
    }
  }
  if (!cmd.json_path.empty()) {
    nlohmann::json j = {{"implementation", cmd.implementation},
                        {"nodes", c.history.nodes},
                        {"writes", c.writes},
                        {"patterns", c.patterns},
                        {"ticks", c.ticks},
                        {"duplicates", c.duplicates},
                        {"crashes", c.crashes},
                        {"seed", c.history.seed},
                        {"states", r.states},
                        {"distinct_states", r.distinct_states},
                        {"depth", r.depth},
                        {"convergence_checks", r.convergence_checks},
                        {"seconds", r.seconds},
                        {"complete", r.complete},
                        {"shallow_pass", r.shallow_pass},
                        {"violations", violations}};
    std::ofstream f(cmd.json_path);
    f << j.dump(2) << "\n";
    if (!f) {
      err << "error: cannot write " << cmd.json_path << "\n";
      return 2;
    }
  }
  return rc;
}

}  // namespace gossip::properties
