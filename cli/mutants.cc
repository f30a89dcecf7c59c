// gossipcheck mutants: runs the property catalogue's quick profile against every mutant of
// properties/mutants/catalogue.json, each in its own process (gossip-mutant-<name>, built
// beside this tool), and prints the kill matrix. A mutant's runner that crashes or hangs is
// stopped and reported; it cannot take this process with it.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <thread>

#include "cli/commands.h"
#include "mutant_catalogue.h"

extern char** environ;

namespace gossip::cli {

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

struct Job {
  std::string name, bug, file, first;
  fs::path runner, json, log, failures;
  pid_t pid = -1;
  SteadyClock::time_point started;
  bool done = false, timed_out = false;
  int status = 0;
  double seconds = 0;
};

bool spawn(Job& j, const MutantsOptions& o) {
  std::vector<std::string> args = {j.runner.string(), "--profile", o.profile, "--seed",
                                   std::to_string(o.seed), "--json", j.json.string(),
                                   "--failures", j.failures.string()};
  if (o.fail_fast) {
    args.push_back("--fail-fast");
    // The property expected to kill it runs first: the gate still needs a kill by some
    // property, and stops sooner when the expected one delivers it.
    if (!j.first.empty()) args.insert(args.end(), {"--first", j.first});
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, j.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int rc = posix_spawn(&j.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  j.started = SteadyClock::now();
  return rc == 0;
}

double median(std::vector<double> v) {  // REQUIRES: !v.empty()
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

std::string mutant_runners_dir(const std::string& dir) {
  if (!dir.empty()) return dir;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (self.parent_path().parent_path() / "properties" / "mutants").string();
}

int exec_mutant_runner(const std::string& name, const std::string& runners_dir, const std::string& subcommand,
                       int argc, char** argv) {
  const fs::path runner = fs::path(mutant_runners_dir(runners_dir)) / ("gossip-mutant-" + name);
  if (!fs::exists(runner)) {
    std::cerr << "error: no runner for mutant " << name << " at " << runner.string()
              << " (a mutant of properties/mutants/catalogue.json; build the gossip-mutants target, or give --runners DIR)\n";
    return kExitBadInput;
  }
  std::vector<std::string> args{runner.string(), subcommand};
  bool after = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (!after) {
      after = a == subcommand;
      continue;
    }
    if (a == "--mutant" || a == "--runners") {
      ++i;
      continue;
    }
    if (a.rfind("--mutant=", 0) == 0 || a.rfind("--runners=", 0) == 0) continue;
    args.push_back(a);
  }
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  std::cout << std::flush;
  execv(cargs[0], cargs.data());
  std::cerr << "error: cannot run " << runner.string() << ": " << std::strerror(errno) << "\n";
  return kExitBadInput;
}

int run_mutants(const MutantsOptions& o) {
  const fs::path dir = mutant_runners_dir(o.runners_dir);
  std::vector<Job> jobs;
  for (const auto& m : mutants::kCatalogue) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), m.name) == o.only.end()) continue;
    Job j;
    j.name = m.name;
    j.bug = m.bug;
    j.file = m.file;
    j.first = m.first;
    j.runner = dir / ("gossip-mutant-" + j.name);
    if (!fs::exists(j.runner)) {
      std::cerr << "error: no runner for mutant " << j.name << " at " << j.runner
                << " (build the gossip-mutants target, or give --runners DIR)\n";
      return kExitBadInput;
    }
    jobs.push_back(j);
  }
  for (const std::string& name : o.only) {
    if (std::none_of(jobs.begin(), jobs.end(), [&](const Job& j) { return j.name == name; })) {
      std::cerr << "error: unknown mutant '" << name << "'\n";
      return kExitBadInput;
    }
  }
  const fs::path work = o.work_dir.empty() ? fs::temp_directory_path() / ("gossipcheck-mutants-" + std::to_string(getpid()))
                                           : fs::path(o.work_dir);
  std::error_code ec;
  fs::create_directories(work, ec);
  if (ec) {
    std::cerr << "error: cannot create " << work << ": " << ec.message() << "\n";
    return kExitBadInput;
  }
  for (Job& j : jobs) {
    j.json = work / (j.name + ".json");
    j.log = work / (j.name + ".log");
    j.failures = work / j.name;
  }
  std::cout << "gossipcheck mutants: " << jobs.size() << " mutants, profile " << o.profile << ", seed " << o.seed
            << ", " << o.jobs << " at a time; logs and shrunk histories in " << work.string() << std::endl;

  // Run them, o.jobs at a time, each with a deadline.
  const auto start = SteadyClock::now();
  std::size_t next = 0, running = 0, finished = 0;
  while (finished < jobs.size()) {
    while (running < o.jobs && next < jobs.size()) {
      if (!spawn(jobs[next], o)) {
        std::cerr << "error: cannot start " << jobs[next].runner << "\n";
        jobs[next].done = true;
        jobs[next].status = -1;
        ++finished;
      } else {
        ++running;
      }
      ++next;
    }
    for (Job& j : jobs) {
      if (j.pid <= 0 || j.done) continue;
      int status = 0;
      const pid_t r = waitpid(j.pid, &status, WNOHANG);
      const double elapsed = std::chrono::duration<double>(SteadyClock::now() - j.started).count();
      if (r == 0 && elapsed > o.timeout_seconds) {
        kill(j.pid, SIGKILL);
        waitpid(j.pid, &status, 0);
        j.timed_out = true;
      } else if (r == 0) {
        continue;
      }
      j.done = true;
      j.status = status;
      j.seconds = elapsed;
      --running;
      ++finished;
      std::cout << "  " << std::left << std::setw(36) << j.name << " done in " << std::fixed << std::setprecision(1)
                << elapsed << " s" << std::defaultfloat << std::endl;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double total = std::chrono::duration<double>(SteadyClock::now() - start).count();

  // Read each runner's JSON.
  std::vector<std::string> properties, catalogue_order;
  nlohmann::json out_mutants = nlohmann::json::array();
  std::vector<double> shrunk_all;
  std::size_t killed_count = 0;
  std::map<std::string, std::map<std::string, bool>> cell;  // mutant -> property -> killed
  for (Job& j : jobs) {
    nlohmann::json m = {{"name", j.name}, {"bug", j.bug}, {"file", j.file}, {"seconds", j.seconds}};
    std::vector<std::string> killed_by;
    double to_kill = -1, elapsed_before = 0;
    nlohmann::json shrunk = nullptr;
    std::string first_replay;
    nlohmann::json per = nlohmann::json::object();
    nlohmann::json result;
    std::ifstream in(j.json);
    bool parsed = false;
    if (in) {
      try {
        in >> result;
        parsed = result.contains("results");
      } catch (...) {
      }
    }
    if (parsed && catalogue_order.empty() && result.contains("catalogue")) {
      catalogue_order = result["catalogue"].get<std::vector<std::string>>();
    }
    if (parsed) {
      for (const auto& r : result["results"]) {
        const std::string p = r["property"];
        if (std::find(properties.begin(), properties.end(), p) == properties.end()) properties.push_back(p);
        const bool failed = !r["passed"].get<bool>();
        cell[j.name][p] = failed;
        per[p] = {{"killed", failed}, {"seconds", r["seconds"]}, {"shrunk_steps", failed ? r["shrunk_steps"] : nlohmann::json(nullptr)}};
        if (failed) {
          killed_by.push_back(p);
          if (to_kill < 0) {
            to_kill = elapsed_before + r["seconds_to_first_failure"].get<double>();
            shrunk = r["shrunk_steps"];
            first_replay = r["history_file"];
          }
        }
        elapsed_before += r["seconds"].get<double>();
      }
    }
    std::string failure;
    if (j.timed_out) {
      failure = "timed out after " + std::to_string(static_cast<int>(o.timeout_seconds)) + " s";
    } else if (j.status == -1) {
      failure = "could not start";
    } else if (WIFSIGNALED(j.status)) {
      failure = "crashed (signal " + std::to_string(WTERMSIG(j.status)) + ")";
    } else if (!parsed) {
      failure = "wrote no results";
    }
    if (!failure.empty() && parsed && result["running"].is_string()) {
      failure += " in " + result["running"].get<std::string>();
    }
    // A crash or a hang is the suite noticing the bug, but not a property's verdict: it is
    // reported, and counted as killed only together with a property that failed.
    const bool killed = !killed_by.empty();
    if (killed) {
      ++killed_count;
      if (shrunk.is_number()) shrunk_all.push_back(shrunk.get<double>());
    }
    m["killed"] = killed;
    m["killed_by"] = killed_by;
    m["seconds_to_kill"] = killed ? nlohmann::json(to_kill) : nlohmann::json(nullptr);
    m["shrunk_steps"] = shrunk;
    m["shrunk_history"] = first_replay;
    m["runner"] = j.runner.string();
    m["log"] = j.log.string();
    m["runner_failure"] = failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(failure);
    m["properties"] = per;
    out_mutants.push_back(m);
  }

  // The matrix: one row per mutant, one column per property (numbered below), in catalogue
  // order (a runner under --fail-fast runs its `first` property ahead of the others).
  auto rank = [&](const std::string& p) {
    return static_cast<std::size_t>(std::find(catalogue_order.begin(), catalogue_order.end(), p) - catalogue_order.begin());
  };
  std::stable_sort(properties.begin(), properties.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  std::cout << "\nkill matrix (X: the property failed on the mutant; blank: not run)\n";
  std::cout << std::left << std::setw(36) << "mutant";
  for (std::size_t i = 0; i < properties.size(); ++i) std::cout << std::setw(3) << i + 1;
  std::cout << " killed  s_to_kill  shrunk\n";
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const auto& m = out_mutants[k];
    std::cout << std::setw(36) << jobs[k].name;
    for (const std::string& p : properties) {
      const auto& row = cell[jobs[k].name];
      const auto it = row.find(p);
      std::cout << std::setw(3) << (it == row.end() ? " " : it->second ? "X" : ".");
    }
    std::ostringstream secs;
    if (m["seconds_to_kill"].is_number()) secs << std::fixed << std::setprecision(2) << m["seconds_to_kill"].get<double>();
    std::cout << ' ' << std::setw(7) << (m["killed"].get<bool>() ? "yes" : "NO") << ' ' << std::setw(10)
              << (secs.str().empty() ? "-" : secs.str()) << ' '
              << (m["shrunk_steps"].is_number() ? std::to_string(m["shrunk_steps"].get<std::size_t>()) : "-");
    if (m["runner_failure"].is_string()) std::cout << "  (runner " << m["runner_failure"].get<std::string>() << ")";
    std::cout << '\n';
  }
  for (std::size_t i = 0; i < properties.size(); ++i) std::cout << "  " << i + 1 << " " << properties[i] << '\n';
  std::cout << killed_count << " of " << jobs.size() << " mutants killed; median shrunk counterexample "
            << (shrunk_all.empty() ? std::string("-") : nlohmann::json(median(shrunk_all)).dump()) << " steps; " << std::fixed << std::setprecision(1) << total << " s\n"
            << std::defaultfloat;
  for (const auto& m : out_mutants) {
    if (!m["killed"].get<bool>()) std::cout << "SURVIVED " << m["name"].get<std::string>() << ": " << m["bug"].get<std::string>() << " (log: " << m["log"].get<std::string>() << ")\n";
  }
  if (!o.json_path.empty()) {
    std::ofstream f(o.json_path, std::ios::trunc);
    f << nlohmann::json{{"profile", o.profile},
                        {"seed", o.seed},
                        {"properties", properties},
                        {"mutants", out_mutants},
                        {"killed", killed_count},
                        {"total", jobs.size()},
                        {"median_shrunk_steps", shrunk_all.empty() ? nlohmann::json(nullptr) : nlohmann::json(median(shrunk_all))},
                        {"seconds", total}}
             .dump(2)
      << '\n';
    if (!f) {
      std::cerr << "error: writing " << o.json_path << " failed\n";
      return kExitBadInput;
    }
  }
  return killed_count == jobs.size() ? kExitOk : kExitCheckFailed;
}

}  // namespace gossip::cli
