#include "certify/certify.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "certify/plugin.h"
#include "certify/process.h"
#include "certify/properties.h"
#include "faultnet/node_under_test.h"
#include "reference/codec.h"

namespace gossip::certify {
namespace {

// The summary's first column: the longest property name (refused_frames_leave_no_trace).
constexpr int kNameWidth = 30;

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::string quoted(const std::string& s) {
  if (s.find_first_of(" '\"\\$`!*?;&|<>()") == std::string::npos && !s.empty()) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// How the implementation is named on a command line.
std::string impl_args(const CertifyOptions& o) {
  return o.impl_cmd.empty() ? "--impl " + quoted(o.impl) : "--impl-cmd " + quoted(o.impl_cmd);
}

Result<std::shared_ptr<const Implementation>> open_implementation(const CertifyOptions& o) {
  if (!o.impl_cmd.empty()) {
    ProcessOptions p;
    p.command = o.impl_cmd;
    p.answer_seconds = o.answer_seconds;
    return start_process(p);
  }
  if (o.impl == "reference") return reference_implementation();
  return load_plugin(o.impl);
}

json caps_json(const Capabilities& c) {
  json out = json::array();
  if (c.clone) out.push_back("clone");
  if (c.fingerprint) out.push_back("fingerprint");
  if (c.wire) out.push_back("wire");
  if (c.counters) out.push_back("counters");
  if (c.accounting) out.push_back("accounting");
  return out;
}

void write_json(const std::string& file, const json& j) {
  std::ofstream f(file);
  f << j.dump(2) << "\n";
}

// One node: started, ticked, written to, read back. What `probe` checks before anything runs.
std::string probe(const Implementation& impl) {
  NodeInit init;
  init.self = 0;
  init.replica = ReplicaId::of(0, 0);
  init.members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{0, 1});
  init.config.cluster_seed = 7;
  init.seed = 1;
  init.state = State(7);
  std::unique_ptr<NodeUnderTest> node = impl.make(init);
  node->tick(0);
  std::vector<Outgoing> out;
  node->take_outbox(&out);
  if (node->state().size() != 0) return "a node started from the empty state exports a state that is not empty";
  Content c;
  c.summary = "probe";
  c.episodes = {1, 2};
  c.strength = 1;
  const Status s = node->create(PatternId::from_u64(1), c);
  if (!s.is_ok()) return "a node refused to create a pattern with valid content: " + s.message();
  if (node->state().find(PatternId::from_u64(1)) == nullptr) {
    return "a node that created a pattern does not export it";
  }
  node->tick(1'000'000);
  node->take_outbox(&out);
  return "";
}

// ---- the parent --------------------------------------------------------------------------

struct Child {
  std::string property;
  pid_t pid = -1;
  Clock::time_point start, deadline;
  std::string result_file, log_file;
};

// The process groups of the children running, for an interrupt: killed with the parent.
constexpr int kChildrenMax = 64;
volatile sig_atomic_t g_children[kChildrenMax];

void remember_child(pid_t pid) {
  for (auto& slot : g_children) {
    if (slot == 0) {
      slot = pid;
      return;
    }
  }
}

void forget_child(pid_t pid) {
  for (auto& slot : g_children) {
    if (slot == pid) slot = 0;
  }
}

extern "C" void on_interrupt(int sig) {
  for (auto& slot : g_children) {
    if (slot > 0) ::kill(-static_cast<pid_t>(slot), SIGKILL);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_interrupt_handler() {
  ::signal(SIGINT, on_interrupt);
  ::signal(SIGTERM, on_interrupt);
}

Child spawn(const CertifyOptions& o, const std::string& property, double seconds) {
  Child c;
  c.property = property;
  const fs::path dir = fs::path(o.out_dir) / "logs";
  c.result_file = (dir / (property + ".json")).string();
  c.log_file = (dir / (property + ".log")).string();
  std::error_code ec;
  fs::remove(c.result_file, ec);
  std::vector<std::string> args = {o.self, "certify", "--child", property, "--child-result", c.result_file,
                                   "--profile", o.profile, "--seed", std::to_string(o.seed), "--out", o.out_dir,
                                   "--answer-timeout", std::to_string(o.answer_seconds)};
  if (o.impl_cmd.empty()) {
    args.insert(args.end(), {"--impl", o.impl});
  } else {
    args.insert(args.end(), {"--impl-cmd", o.impl_cmd});
  }
  c.start = Clock::now();
  c.deadline = c.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // its own group: a timeout kills it and whatever it started
    FILE* log = std::fopen(c.log_file.c_str(), "w");
    if (log) {
      dup2(fileno(log), 1);
      dup2(fileno(log), 2);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(o.self.c_str(), argv.data());
    _exit(127);
  }
  c.pid = pid;
  if (pid > 0) {
    setpgid(pid, pid);
    remember_child(pid);
  }
  return c;
}

std::string tail_of(const std::string& file, std::size_t lines_max = 12) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > lines_max ? lines.size() - lines_max : 0; i < lines.size(); ++i) {
    out += "    " + lines[i] + "\n";
  }
  return out;
}

// What a finished child said, as the certificate's entry for its property.
json collect(const Child& c, int status, bool timed_out, double seconds) {
  json r;
  std::ifstream in(c.result_file);
  if (in) r = json::parse(in, nullptr, false);
  if (!in || r.is_discarded() || !r.is_object()) r = json::object();
  r["property"] = c.property;
  r["seconds"] = seconds;
  r["log"] = c.log_file;
  if (timed_out) {
    r["verdict"] = "timed out";
    r["message"] = "no verdict within " + std::to_string(static_cast<int>(seconds)) +
                   " s: the implementation hangs (or is too slow for this profile); killed";
  } else if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0) || !r.contains("verdict")) {
    r["verdict"] = "crashed";
    r["message"] = (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                        : "exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1)) +
                   " while running it (the implementation crashed); the end of its log:\n" + tail_of(c.log_file);
  }
  return r;
}

std::string figure_text(double v) {
  std::ostringstream s;
  if (v == static_cast<double>(static_cast<long long>(v))) s << static_cast<long long>(v);
  else s << std::setprecision(3) << v;
  return s.str();
}

}  // namespace

std::vector<std::string> certify_property_names() {
  std::vector<std::string> out;
  for (const CertifyProperty& p : certify_properties()) out.push_back(p.name);
  return out;
}

int run_certify_child(const CertifyOptions& o, const std::string& property, const std::string& result_file) {
  json r;
  r["property"] = property;
  Result<std::shared_ptr<const Implementation>> impl = open_implementation(o);
  if (!impl.is_ok()) {
    r["verdict"] = "could not run";
    r["message"] = impl.status().message();
    write_json(result_file, r);
    return 0;
  }
  const Implementation& i = *impl.value();
  r["implementation"] = {{"name", i.name()}, {"version", i.version()}, {"capabilities", caps_json(i.capabilities())}};
  if (property == "probe") {
    std::string problem;
    try {
      problem = probe(i);
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (!process_trouble().protocol_error.empty()) problem = process_trouble().protocol_error;
    r["verdict"] = problem.empty() ? "holds" : "could not run";
    r["message"] = problem;
    write_json(result_file, r);
    return 0;
  }
  const CertifyProperty* p = find_certify_property(property);
  if (p == nullptr) {
    r["verdict"] = "could not run";
    r["message"] = "no property named " + property;
    write_json(result_file, r);
    return 0;
  }
  properties::RunOptions ro;
  ro.profile = certify_profile(o.profile).budget;
  ro.seed = o.seed;
  ro.failures_dir = (fs::path(o.out_dir) / "counterexamples").string();
  ro.impl = impl.value();
  ro.histories_check_cost = false;
  ro.replay_command = "gossipcheck replay " + impl_args(o);
  ro.rerun_command = "gossipcheck certify " + impl_args(o);
  const properties::Outcome out = p->run(ro, certify_profile(o.profile));
  r["verdict"] = !out.not_applicable.empty() ? "not applicable" : out.passed ? "holds" : "fails";
  r["cases"] = out.cases;
  r["message"] = out.not_applicable.empty() ? out.message : out.not_applicable;
  r["figures"] = json::object();
  for (const auto& [k, v] : out.figures) r["figures"][k] = v;
  r["coverage"] = json::object();
  for (const auto& [k, v] : out.coverage) r["coverage"][k] = v;
  if (!out.passed) {
    r["shrunk_steps"] = out.shrunk_steps;
    r["counterexample"] = out.history_file;
    r["replay"] = out.replay;
  }
  const ProcessTrouble& t = process_trouble();
  if (!t.protocol_error.empty()) {
    r["verdict"] = "could not run";
    r["message"] = t.protocol_error;
  } else if (!out.passed && (t.crashes > 0 || t.hangs > 0)) {
    r["message"] = out.message + "\nthe process crashed " + std::to_string(t.crashes) + " times and hung " +
                   std::to_string(t.hangs) + " times (last: " + t.last + ")";
  }
  if (t.requests > 0) {
    r["process"] = {{"requests", t.requests},
                    {"requests_per_second", t.seconds_waiting > 0 ? double(t.requests) / t.seconds_waiting : 0.0},
                    {"crashes", t.crashes},
                    {"hangs", t.hangs}};
  }
  write_json(result_file, r);
  return 0;
}

int run_certify(const CertifyOptions& o, std::ostream& out, std::ostream& err) {
  const CertifyProfile profile = certify_profile(o.profile);
  for (const std::string& name : o.only) {
    if (!find_certify_property(name)) {
      err << "error: no property named '" << name << "' (gossipcheck certify --list)\n";
      return 2;
    }
  }
  install_interrupt_handler();
  std::error_code ec;
  fs::create_directories(fs::path(o.out_dir) / "logs", ec);
  if (ec) {
    err << "error: cannot create " << o.out_dir << ": " << ec.message() << "\n";
    return 2;
  }
  const auto begin = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - begin).count(); };
  auto wait_for = [&](Child c) {
    int status = 0;
    bool timed_out = false;
    for (;;) {
      const pid_t done = waitpid(c.pid, &status, WNOHANG);
      if (done == c.pid) {
        ::kill(-c.pid, SIGKILL);  // whatever it started and left behind
        break;
      }
      if (Clock::now() > c.deadline) {
        ::kill(-c.pid, SIGKILL);
        waitpid(c.pid, &status, 0);
        timed_out = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::make_tuple(status, timed_out);
  };

  json cert;
  cert["gossipcheck"] = {{"version", GOSSIPCHECK_VERSION}, {"abi_version", 1}, {"process_protocol_version", kProcessProtocolVersion}};
  cert["profile"] = o.profile;
  cert["seed"] = o.seed;
  cert["implementation"] = {{"via", o.impl_cmd.empty() ? (o.impl == "reference" ? "in-process" : "plug-in") : "process"},
                            {"path", o.impl_cmd.empty() ? o.impl : o.impl_cmd}};

  // The probe: does it load and start at all?
  out << "certify " << impl_args(o) << " (profile " << o.profile << ", seed " << o.seed << ")\n";
  {
    Child c = spawn(o, "probe", std::max(30.0, o.answer_seconds * 3));
    if (c.pid < 0) {
      err << "error: cannot start a child process\n";
      return 2;
    }
    auto [status, timed_out] = wait_for(c);
    forget_child(c.pid);
    json r = collect(c, status, timed_out, std::chrono::duration<double>(Clock::now() - c.start).count());
    const std::string verdict = r.value("verdict", "");
    if (verdict != "holds") {
      const std::string why = verdict == "could not run" ? r.value("message", "") : verdict + ": " + r.value("message", "");
      cert["verdict"] = "could not run";
      cert["message"] = why;
      write_json((fs::path(o.out_dir) / "certificate.json").string(), cert);
      err << "could not run: the implementation did not start: " << why << "\n";
      out << "certificate: " << (fs::path(o.out_dir) / "certificate.json").string() << "\n";
      return 2;
    }
    cert["implementation"]["name"] = r["implementation"]["name"];
    cert["implementation"]["version"] = r["implementation"]["version"];
    cert["implementation"]["capabilities"] = r["implementation"]["capabilities"];
    out << "implementation: " << r["implementation"]["name"].get<std::string>() << " "
        << r["implementation"]["version"].get<std::string>() << ", capabilities "
        << r["implementation"]["capabilities"].dump() << "\n";
  }
  std::set<std::string> caps;
  for (const auto& c : cert["implementation"]["capabilities"]) caps.insert(c.get<std::string>());

  std::vector<const CertifyProperty*> todo;
  std::map<std::string, json> results;
  for (const CertifyProperty& p : certify_properties()) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), p.name) == o.only.end()) continue;
    std::string missing;
    for (const std::string& need : p.needs) {
      if (!caps.count(need)) missing += (missing.empty() ? "" : ", ") + need;
    }
    if (!missing.empty()) {
      results[p.name] = {{"property", p.name}, {"verdict", "not applicable"},
                         {"message", "needs the capability " + missing + ", which the implementation does not have"}};
      continue;
    }
    todo.push_back(&p);
  }
  const double limit = o.timeout_seconds > 0 ? o.timeout_seconds : profile.timeout_seconds;
  std::vector<Child> running;
  std::size_t next = 0;
  bool stop = false;  // --fail-fast: a property did not hold
  while ((next < todo.size() && !stop) || !running.empty()) {
    while (!stop && next < todo.size() && running.size() < std::max(1u, o.jobs)) {
      running.push_back(spawn(o, todo[next]->name, limit));
      ++next;
    }
    for (std::size_t i = 0; i < running.size();) {
      int status = 0;
      const pid_t done = running[i].pid > 0 ? waitpid(running[i].pid, &status, WNOHANG) : -1;
      const bool late = running[i].pid > 0 && done != running[i].pid && Clock::now() > running[i].deadline;
      if (late) {
        ::kill(-running[i].pid, SIGKILL);
        waitpid(running[i].pid, &status, 0);
      } else if (done == running[i].pid) {
        ::kill(-running[i].pid, SIGKILL);  // whatever it started and left behind
      }
      if (running[i].pid <= 0) {  // fork failed: no child to wait for
        results[running[i].property] = {{"property", running[i].property}, {"verdict", "could not run"},
                                        {"message", "cannot start a child process (fork failed)"}};
        forget_child(running[i].pid);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      if (done == running[i].pid || late) {
        const double secs = std::chrono::duration<double>(Clock::now() - running[i].start).count();
        json r = collect(running[i], status, late, secs);
        out << "  " << std::left << std::setw(kNameWidth) << running[i].property << " " << r.value("verdict", "?") << " ("
            << std::fixed << std::setprecision(1) << secs << " s)\n";
        results[running[i].property] = r;
        forget_child(running[i].pid);
        const std::string v = r.value("verdict", "");
        if (o.fail_fast && v != "holds" && v != "not applicable") stop = true;
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  for (; next < todo.size(); ++next) {
    results[todo[next]->name] = {{"property", todo[next]->name}, {"verdict", "not run"},
                                 {"message", "not run: --fail-fast stopped at an earlier failure"}};
  }
  // The certificate, in the catalogue's order.
  bool any_fail = false, any_could_not = false;
  json props = json::array();
  for (const CertifyProperty& p : certify_properties()) {
    auto it = results.find(p.name);
    if (it == results.end()) continue;
    json r = it->second;
    r["statement"] = p.statement;
    r["invariant"] = p.invariant;
    r["budget"] = budget_json(p, profile);
    r["seed"] = o.seed;
    r["rerun"] = "gossipcheck certify " + impl_args(o) + " --only " + p.name + " --profile " + o.profile + " --seed " +
                 std::to_string(o.seed);
    r.erase("implementation");
    const std::string v = r.value("verdict", "");
    if (v == "could not run") any_could_not = true;
    else if (v != "holds" && v != "not applicable" && v != "not run") any_fail = true;
    props.push_back(r);
  }
  cert["properties"] = props;
  const auto det = results.find("replay_deterministic");
  cert["replayable"] = det != results.end() && det->second.value("verdict", "") == "holds";
  cert["seconds"] = elapsed();
  const int code = any_could_not ? 2 : any_fail ? 1 : 0;
  cert["verdict"] = code == 0 ? "certified" : code == 1 ? "failed" : "could not run";
  const std::string file = (fs::path(o.out_dir) / "certificate.json").string();
  write_json(file, cert);

  out << "\n" << std::left << std::setw(kNameWidth + 1) << "property" << std::setw(16) << "verdict" << "invariant\n";
  for (const json& r : props) {
    out << std::setw(kNameWidth + 1) << r["property"].get<std::string>() << std::setw(16) << r["verdict"].get<std::string>()
        << r["invariant"].get<std::string>() << "\n";
    if (r.contains("figures")) {
      for (const auto& [k, v] : r["figures"].items()) out << "      " << k << ": " << figure_text(v.get<double>()) << "\n";
    }
    const std::string verdict = r["verdict"].get<std::string>();
    if (verdict != "holds" && verdict != "not applicable" && verdict != "not run") {
      std::string m = r.value("message", "");
      if (m.size() > 1200) m = m.substr(0, 1200) + "...";
      out << "      " << m << (m.empty() || m.back() != '\n' ? "\n" : "");
      if (r.contains("replay") && !r["replay"].get<std::string>().empty()) {
        out << "      replay: " << r["replay"].get<std::string>() << "\n";
      }
    } else if (verdict == "not applicable" || verdict == "not run") {
      out << "      " << r.value("message", "") << "\n";
    }
  }
  if (!cert["replayable"].get<bool>() && results.count("replay_deterministic")) {
    out << "\nthe implementation is not deterministic (replay_deterministic): its counterexamples cannot be replayed bit for bit\n";
  }
  out << "\n" << cert["verdict"].get<std::string>() << " in " << std::fixed << std::setprecision(1) << elapsed()
      << " s; certificate: " << file << "\n";
  return code;
}

}  // namespace gossip::certify
