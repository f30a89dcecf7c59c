#include "certify/certify.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "certify/identity.h"
#include "certify/plugin.h"
#include "certify/process.h"
#include "certify/properties.h"
#include "faultnet/node_under_test.h"
#include "gossipcheck/plugin.h"
#include "gossipcheck_commit.h"
#include "properties/replay.h"
#include "reference/codec.h"

namespace gossip::certify {
namespace {

// The summary's first column: the longest property name (refused_frames_leave_no_trace).
constexpr int kNameWidth = 30;
// The descriptor a property child writes its verdict to (a pipe only certify reads).
constexpr int kResultFd = 3;
// A verdict is a few KiB; more is not one.
constexpr std::size_t kResultBytesMax = std::size_t{8} << 20;
// What a child's log keeps: its first MiB and its last 64 KiB.
constexpr std::size_t kLogHeadBytes = std::size_t{1} << 20;
constexpr std::size_t kLogTailBytes = std::size_t{64} << 10;
// A message in the certificate is cut there.
constexpr std::size_t kMessageBytesMax = 16 << 10;

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

// The environment of the implementation's processes: the hash salts of the languages that
// read one from the environment, fixed per process so that a certification's first process
// and a replay run alike, and a second process (replay_deterministic) differs.
std::vector<std::pair<std::string, std::string>> salted(int which) {
  const std::string v = std::to_string(which);
  return {{"PYTHONHASHSEED", v}, {"PERL_HASH_SEED", v}};
}

ProcessOptions process_options(const CertifyOptions& o, const std::string& command, int salt) {
  ProcessOptions p;
  p.command = command;
  p.answer_seconds = o.answer_seconds;
  p.env = salted(salt);
  return p;
}

json caps_json(const Capabilities& c) {
  json out = json::array();
  if (c.clone) out.push_back("clone");
  if (c.fingerprint) out.push_back("fingerprint");
  if (c.wire) out.push_back("wire");
  if (c.counters) out.push_back("counters");
  if (c.accounting) out.push_back("accounting");
  if (c.view) out.push_back("view");
  return out;
}

// Written whole or not at all: a reader never sees half a certificate.
void write_json(const std::string& file, const json& j) {
  const std::string tmp = file + ".tmp";
  {
    std::ofstream f(tmp);
    f << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
}

std::string cut(std::string s, std::size_t max = kMessageBytesMax) {
  if (s.size() > max) s = s.substr(0, max) + "\n[... " + std::to_string(s.size() - max) + " more bytes]";
  return s;
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

// ---- processes -----------------------------------------------------------------------------

// The processes whose parent is `parent`, from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
    std::string text;
    std::getline(stat, text);
    const std::size_t close = text.rfind(')');  // the command name may hold anything
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 1));
    std::string state;
    long ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

std::string command_line_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  for (char& c : text) {
    if (c == '\0') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return cut(text, 200);
}

// Reaps every child of this process but `keep` (this process is a subreaper: what its
// children leave behind comes to it): those that end within `grace_seconds` (a wrapper's child
// that ends when its input closes) are reaped; those still running then are killed, reaped and
// said, and so are what their deaths hand over.
std::vector<std::string> reap_children(const std::set<pid_t>& keep = {}, double grace_seconds = 0) {
  std::vector<std::string> found;
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(grace_seconds));
  for (int round = 0; round < 1000; ++round) {
    std::vector<pid_t> live;
    for (pid_t p : children_of(::getpid())) {
      if (keep.count(p)) continue;
      if (::waitpid(p, nullptr, WNOHANG) == p) continue;  // it had ended
      live.push_back(p);
    }
    if (live.empty()) break;
    if (Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    for (pid_t p : live) {
      found.push_back(std::to_string(p) + " (" + command_line_of(p) + ")");
      ::kill(p, SIGKILL);
    }
    for (pid_t p : live) ::waitpid(p, nullptr, 0);
  }
  return found;
}

// ---- the child ---------------------------------------------------------------------------

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The implementation started again in a fresh process (replay_deterministic): for a process,
// the command with the second hash salt; for a plug-in, gossip-plugin-host on it. Null for the
// reference in this process.
std::function<std::shared_ptr<const Implementation>()> other_process(const CertifyOptions& o) {
  std::string command;
  if (!o.impl_cmd.empty()) command = o.impl_cmd;
  else if (o.impl != "reference") command = quoted(o.self) + " plugin-host " + quoted(o.impl);
  else return nullptr;
  const ProcessOptions p = process_options(o, command, 2);
  return [p]() -> std::shared_ptr<const Implementation> {
    Result<std::shared_ptr<const Implementation>> r = start_process(p);
    if (!r.is_ok()) throw ImplementationError("a second process of the implementation did not start: " + r.status().message());
    return r.value();
  };
}

// Runs one property in this process (the child) and says what came of it.
json run_in_child(const CertifyOptions& o, const std::string& property) {
  json r;
  r["property"] = property;
  Result<std::shared_ptr<const Implementation>> impl = open_implementation(o);
  if (!impl.is_ok()) {
    r["verdict"] = "could not run";
    r["message"] = impl.status().message();
    return r;
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
    return r;
  }
  const CertifyProperty* p = find_certify_property(property);
  if (p == nullptr) {
    r["verdict"] = "could not run";
    r["message"] = "no property named " + property;
    return r;
  }
  properties::RunOptions ro;
  ro.profile = certify_profile(o.profile).budget;
  ro.seed = o.seed;
  ro.failures_dir = (fs::path(o.out_dir) / "counterexamples").string();
  ro.impl = impl.value();
  ro.histories_check_cost = false;
  ro.replay_command = "gossipcheck replay " + impl_args(o);
  ro.rerun_command = "gossipcheck certify " + impl_args(o);
  ro.other_process = other_process(o);
  // A quarter of the property's time for shrinking: a failure found is kept, shrunk or not.
  ro.shrink_seconds = (o.timeout_seconds > 0 ? o.timeout_seconds : certify_profile(o.profile).timeout_seconds) / 4;
  const properties::Outcome out = p->run(ro, certify_profile(o.profile));
  r["verdict"] = !out.not_applicable.empty() ? "not applicable" : out.passed ? "holds" : "fails";
  r["cases"] = out.cases;
  r["message"] = cut(out.not_applicable.empty() ? out.message : out.not_applicable);
  r["figures"] = json::object();
  for (const auto& [k, v] : out.figures) r["figures"][k] = v;
  r["coverage"] = json::object();
  for (const auto& [k, v] : out.coverage) r["coverage"][k] = v;
  if (!out.passed) {
    r["shrunk_steps"] = out.shrunk_steps;
    r["counterexample"] = out.history_file;
    r["replay"] = out.replay;
    // A saved history records how it ran, so that a replay on this implementation can tell
    // whether it ran the same way (docs/CERTIFY.md, "Replaying a counterexample").
    if (fs::path(out.history_file).extension() == ".history") {
      std::ifstream in(out.history_file);
      std::stringstream text;
      text << in.rdbuf();
      Result<properties::History> h = properties::parse_history(text.str());
      if (h.is_ok() && process_trouble().protocol_error.empty()) {
        try {
          properties::ExecutorOptions e;
          e.impl = impl.value();
          e.check_in_sync_cost = false;
          const properties::TracedRun run = properties::run_traced(h.value(), e, /*finish=*/true);
          properties::History recorded = h.value();
          recorded.trace = properties::trace_digest(run.trace);
          recorded.implementation = implementation_identity(o.impl, o.impl_cmd)["digest"].get<std::string>();
          std::ofstream(out.history_file) << properties::to_text(recorded);
          r["trace"] = recorded.trace;
          if (!run.violation) {
            r["message"] = r["message"].get<std::string>() +
                           "\nthe saved history did not fail again when run once more: the implementation is not "
                           "deterministic, and this counterexample may not replay";
          }
        } catch (const std::exception& e) {
          r["message"] = r["message"].get<std::string>() + "\nrunning the saved history again: " + e.what();
        }
      }
    }
  }
  const ProcessTrouble& t = process_trouble();
  if (!t.protocol_error.empty()) {
    r["verdict"] = "could not run";
    r["message"] = cut(t.protocol_error);
  } else if (!out.passed && (t.crashes > 0 || t.hangs > 0)) {
    r["message"] = cut(out.message + "\nthe process crashed " + std::to_string(t.crashes) + " times and hung " +
                       std::to_string(t.hangs) + " times (last: " + t.last + ")");
  }
  if (t.requests > 0) {
    r["process"] = {{"requests", t.requests},
                    {"requests_per_second", t.seconds_waiting > 0 ? double(t.requests) / t.seconds_waiting : 0.0},
                    {"crashes", t.crashes},
                    {"hangs", t.hangs}};
  }
  return r;
}

// ---- the parent --------------------------------------------------------------------------

// A child's standard output and error, as they come: the first kLogHeadBytes to the log file,
// the last kLogTailBytes kept, the rest counted.
class LogCapture {
 public:
  explicit LogCapture(const std::string& file) : file_(file, std::ios::binary) {}
  void feed(const char* data, std::size_t n) {
    const std::size_t head = std::min(n, kLogHeadBytes - std::min(kLogHeadBytes, written_));
    if (head > 0) {
      file_.write(data, static_cast<std::streamsize>(head));
      file_.flush();
      written_ += head;
    }
    if (head == n) return;
    tail_.append(data + head, n - head);
    if (tail_.size() > 2 * kLogTailBytes) {
      dropped_ += tail_.size() - kLogTailBytes;
      tail_.erase(0, tail_.size() - kLogTailBytes);
    }
  }
  void finish() {
    if (tail_.size() > kLogTailBytes) {
      dropped_ += tail_.size() - kLogTailBytes;
      tail_.erase(0, tail_.size() - kLogTailBytes);
    }
    if (dropped_ > 0) file_ << "\n[... " << dropped_ << " bytes of this log dropped ...]\n";
    file_ << tail_;
    file_.flush();
    tail_.clear();
  }

 private:
  std::ofstream file_;
  std::size_t written_ = 0, dropped_ = 0;
  std::string tail_;
};

// The end of a log, read from its end: at most 4 KiB, the last `lines_max` lines, each cut to
// 200 bytes, unprintable bytes shown as '?'.
std::string tail_of(const std::string& file, std::size_t lines_max = 12) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  in.seekg(from);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  std::vector<std::string> lines;
  std::istringstream split(text);
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  if (from > 0 && !lines.empty()) lines.erase(lines.begin());  // a line cut by the window
  std::string out;
  for (std::size_t i = lines.size() > lines_max ? lines.size() - lines_max : 0; i < lines.size(); ++i) {
    std::string l = lines[i].substr(0, 200);
    for (char& c : l) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = '?';
    }
    out += "    " + l + (lines[i].size() > 200 ? "..." : "") + "\n";
  }
  return out;
}

struct Child {
  std::string property;
  pid_t pid = -1;
  Clock::time_point start, deadline;
  int result_fd = -1, log_fd = -1;
  std::string result;
  bool result_overflow = false;
  std::string log_file;
  std::shared_ptr<LogCapture> log;
};

// The process groups of the children running, for an interrupt: killed at once by the handler.
constexpr int kChildrenMax = 256;
volatile sig_atomic_t g_children[kChildrenMax];
volatile sig_atomic_t g_interrupted = 0;

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
  g_interrupted = sig;
}

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a wait returns and sees the flag
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

Child spawn(const CertifyOptions& o, const std::string& property, double seconds) {
  Child c;
  c.property = property;
  c.log_file = (fs::path(o.out_dir) / "logs" / (property + ".log")).string();
  c.log = std::make_shared<LogCapture>(c.log_file);
  int result[2], log[2];
  if (::pipe2(result, O_CLOEXEC) != 0) return c;
  if (::pipe2(log, O_CLOEXEC) != 0) {
    ::close(result[0]);
    ::close(result[1]);
    return c;
  }
  std::vector<std::string> args = {o.self, "certify", "--child", property, "--child-result-fd", std::to_string(kResultFd),
                                   "--profile", o.profile, "--seed", std::to_string(o.seed), "--out", o.out_dir,
                                   "--answer-timeout", std::to_string(o.answer_seconds), "--timeout", std::to_string(seconds)};
  if (o.impl_cmd.empty()) {
    args.insert(args.end(), {"--impl", o.impl});
  } else {
    args.insert(args.end(), {"--impl-cmd", o.impl_cmd});
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  c.start = Clock::now();
  c.deadline = c.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  const pid_t pid = fork();
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group: a timeout kills it and whatever stayed in the group
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(log[1], 1);
    ::dup2(log[1], 2);
    ::dup2(result[1], kResultFd);  // dup2 clears close-on-exec: the child inherits it
    ::execv(o.self.c_str(), argv.data());
    _exit(127);
  }
  ::close(result[1]);
  ::close(log[1]);
  c.pid = pid;
  if (pid < 0) {
    ::close(result[0]);
    ::close(log[0]);
    return c;
  }
  ::setpgid(pid, pid);
  remember_child(pid);
  c.result_fd = result[0];
  c.log_fd = log[0];
  ::fcntl(c.result_fd, F_SETFL, ::fcntl(c.result_fd, F_GETFL) | O_NONBLOCK);
  ::fcntl(c.log_fd, F_SETFL, ::fcntl(c.log_fd, F_GETFL) | O_NONBLOCK);
  return c;
}

// Reads what a child's pipes hold now; false once both are closed.
bool pump(Child& c) {
  char buffer[65536];
  for (int* fd : {&c.result_fd, &c.log_fd}) {
    while (*fd >= 0) {
      const ssize_t n = ::read(*fd, buffer, sizeof buffer);
      if (n > 0) {
        if (fd == &c.log_fd) {
          c.log->feed(buffer, static_cast<std::size_t>(n));
        } else if (c.result.size() + static_cast<std::size_t>(n) <= kResultBytesMax) {
          c.result.append(buffer, static_cast<std::size_t>(n));
        } else {
          c.result_overflow = true;
        }
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      ::close(*fd);  // end of file, or an error
      *fd = -1;
    }
  }
  return c.result_fd >= 0 || c.log_fd >= 0;
}

// Waits until some child's pipe has something, at most `ms`.
void wait_for_output(std::vector<Child>& running, int ms) {
  std::vector<pollfd> fds;
  for (const Child& c : running) {
    for (int fd : {c.result_fd, c.log_fd}) {
      if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    }
  }
  if (fds.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return;
  }
  ::poll(fds.data(), fds.size(), ms);
}

// After a child ended: its group killed, what it left reaped, the rest of its pipes read (at
// most a second: a process that kept a copy of a pipe is gone by then), the log closed.
void finish_child(Child& c, const std::set<pid_t>& running) {
  ::kill(-c.pid, SIGKILL);
  forget_child(c.pid);
  (void)reap_children(running);
  const auto until = Clock::now() + std::chrono::seconds(1);
  while (pump(c) && Clock::now() < until) {
    std::vector<Child> one{c};
    wait_for_output(one, 20);
  }
  for (int* fd : {&c.result_fd, &c.log_fd}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  c.log->finish();
}

// What a finished child said, as the certificate's entry for its property.
json collect(const Child& c, int status, bool timed_out, double seconds) {
  json r = c.result_overflow ? json() : json::parse(c.result, nullptr, false);
  if (r.is_discarded() || !r.is_object() || !r.contains("verdict") || !r["verdict"].is_string()) r = json::object();
  r["property"] = c.property;
  r["seconds"] = seconds;
  r["log"] = c.log_file;
  if (timed_out) {
    r["verdict"] = "timed out";
    r["message"] = "no verdict within " + std::to_string(static_cast<int>(seconds)) +
                   " s: the implementation hangs (or is too slow for this profile); killed. The end of its log:\n" +
                   tail_of(c.log_file);
  } else if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0) || !r.contains("verdict")) {
    r["verdict"] = "crashed";
    std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                      : WEXITSTATUS(status) != 0 ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                                 : "exited with status 0 before it gave a verdict";
    r["message"] = how + " while running it (the implementation crashed or ended the process, or a signal came from outside "
                         "certify); the end of its log:\n" +
                   tail_of(c.log_file);
  }
  return r;
}

std::string figure_text(double v) {
  std::ostringstream s;
  if (v == static_cast<double>(static_cast<long long>(v))) s << static_cast<long long>(v);
  else s << std::setprecision(3) << v;
  return s.str();
}

// What a profile can and cannot show, in words (the certificate's "strength").
std::string strength_of(const std::string& profile) {
  if (profile == "smoke") {
    return "smoke: a check that certification runs on this implementation, NOT a certification. 20 cases a "
           "property (100 for the exchange properties), 10 propagation trials, 200 hostile inputs, 1,000 explored "
           "states: a defect that shows in fewer than one history in twenty is likely missed (a node whose absorb "
           "dropped episodes passed smoke and failed quick within seconds).";
  }
  if (profile == "campaign") {
    return "campaign: before a release. 5,000 cases a property (1,250 for the exchange properties), 3,000 "
           "propagation trials, 100,000 hostile inputs, 5,000,000 explored states.";
  }
  return "quick: the CI gate. 1,000 cases a property (250 for one_exchange_syncs_both and "
         "budget_strands_nothing), 1,000 propagation trials, 2,000 hostile inputs, 20,000 explored states. It "
         "refuses every mutant of the reference's node code that certification can observe (docs/PROPERTIES.md), "
         "but a defect that shows in fewer than one history in a thousand may pass: run campaign before a release.";
}

// Holds DIR/.lock for as long as it lives: one certification writes to a directory at a time.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir) {
    fd_ = ::open((fs::path(dir) / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      fd_ = -1;
      busy_ = true;
    }
  }
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  bool held() const { return fd_ >= 0; }
  bool busy() const { return busy_; }

 private:
  int fd_ = -1;
  bool busy_ = false;
};

}  // namespace

Result<std::shared_ptr<const Implementation>> open_implementation(const CertifyOptions& o) {
  if (!o.impl_cmd.empty()) return start_process(process_options(o, o.impl_cmd, 1));
  if (o.impl == "reference") return reference_implementation();
  return load_plugin(o.impl);
}

std::string implementation_digest(const CertifyOptions& o) {
  return implementation_identity(o.impl, o.impl_cmd)["digest"].get<std::string>();
}

std::vector<std::string> certify_property_names() {
  std::vector<std::string> out;
  for (const CertifyProperty& p : certify_properties()) out.push_back(p.name);
  return out;
}

int run_certify_child(const CertifyOptions& o, const std::string& property, int result_fd) {
  // Nothing this child starts may inherit the verdict's pipe, see this process's descriptors
  // through /proc (as another user than root), or outlive it unnoticed.
  ::fcntl(result_fd, F_SETFD, FD_CLOEXEC);
  ::prctl(PR_SET_DUMPABLE, 0);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  json r = run_in_child(o, property);  // every implementation object is gone when it returns
  const std::vector<std::string> left = reap_children({}, 2.0);
  if (!left.empty()) {
    std::string list;
    for (const std::string& p : left) list += "\n    " + p;
    const std::string was = r.value("verdict", "");
    if (was == "holds" || was == "not applicable") r["verdict"] = "fails";
    r["message"] = r.value("message", "") + (r.value("message", "").empty() ? "" : "\n") +
                   "the implementation left " + std::to_string(left.size()) +
                   " processes running when it was done (docs/CERTIFY.md: an implementation must not leave "
                   "processes behind); certify killed them:" + list;
  }
  const bool ok = write_all(result_fd, r.dump(-1, ' ', false, json::error_handler_t::replace));
  ::close(result_fd);
  return ok ? 0 : 2;
}

int run_certify(const CertifyOptions& o, std::ostream& out, std::ostream& err) {
  const CertifyProfile profile = certify_profile(o.profile);
  for (const std::string& name : o.only) {
    if (!find_certify_property(name)) {
      err << "error: no property named '" << name << "' (gossipcheck certify --list)\n";
      return 2;
    }
  }
  std::error_code ec;
  fs::create_directories(fs::path(o.out_dir) / "logs", ec);
  if (ec) {
    err << "error: cannot create " << o.out_dir << ": " << ec.message() << "\n";
    return 2;
  }
  DirectoryLock lock(o.out_dir);
  if (!lock.held()) {
    err << "error: " << (lock.busy() ? "another gossipcheck certify is writing to " + o.out_dir + "; wait for it, or give another --out"
                                     : "cannot lock " + o.out_dir + "/.lock")
        << "\n";
    return 2;
  }
  // This run's results only: nothing of an earlier run in the same directory is left to mix.
  for (const char* sub : {"logs", "counterexamples"}) {
    fs::remove_all(fs::path(o.out_dir) / sub, ec);
  }
  fs::create_directories(fs::path(o.out_dir) / "logs", ec);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  install_interrupt_handler();
  const std::string file = (fs::path(o.out_dir) / "certificate.json").string();
  const auto begin = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - begin).count(); };

  json cert;
  cert["gossipcheck"] = {{"version", GOSSIPCHECK_VERSION},
                         {"commit", GOSSIPCHECK_COMMIT},
                         {"abi_version", GOSSIPCHECK_ABI_VERSION},
                         {"process_protocol_version", kProcessProtocolVersion}};
  cert["profile"] = o.profile;
  cert["strength"] = strength_of(o.profile);
  cert["certification"] = o.profile != "smoke";
  cert["seed"] = o.seed;
  cert["started"] = utc_now();
  cert["platform"] = platform_json();
  cert["complete"] = false;
  cert["implementation"] = implementation_identity(o.impl, o.impl_cmd);
  cert["implementation"]["via"] = o.impl_cmd.empty() ? (o.impl == "reference" ? "in-process" : "plug-in") : "process";
  cert["implementation"]["path"] = o.impl_cmd.empty() ? o.impl : o.impl_cmd;
  std::map<std::string, json> results;

  // The certificate as it stands: written after every property, marked incomplete until the end.
  auto certificate = [&](bool complete, const std::string& verdict) {
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
      props.push_back(r);
    }
    json c = cert;
    c["properties"] = props;
    const auto det = results.find("replay_deterministic");
    c["replayable"] = det != results.end() && det->second.value("verdict", "") == "holds";
    c["seconds"] = elapsed();
    c["complete"] = complete;
    c["verdict"] = verdict;
    if (complete) c["finished"] = utc_now();
    c["sha256"] = certificate_digest(c);
    write_json(file, c);
    return c;
  };
  auto interrupted = [&] {
    reap_children();
    certificate(false, "interrupted");
    err << "\ninterrupted: the certificate is incomplete (" << file << ")\n";
    return 130;
  };

  // The probe: does it load and start at all?
  out << "certify " << impl_args(o) << " (profile " << o.profile << ", seed " << o.seed << ")\n";
  if (o.profile == "smoke") out << "smoke profile: a check that certification runs, not a certification\n";
  out << std::flush;
  {
    Child c = spawn(o, "probe", std::max(30.0, o.answer_seconds * 3));
    if (c.pid < 0) {
      err << "error: cannot start a child process\n";
      return 2;
    }
    int status = 0;
    bool timed_out = false;
    for (;;) {
      if (g_interrupted) return interrupted();
      pump(c);
      if (::waitpid(c.pid, &status, WNOHANG) == c.pid) break;
      if (Clock::now() > c.deadline) {
        ::kill(-c.pid, SIGKILL);
        ::waitpid(c.pid, &status, 0);
        timed_out = true;
        break;
      }
      std::vector<Child> one{c};
      wait_for_output(one, 20);
    }
    finish_child(c, {});
    json r = collect(c, status, timed_out, std::chrono::duration<double>(Clock::now() - c.start).count());
    const std::string verdict = r.value("verdict", "");
    if (verdict != "holds") {
      const std::string why = verdict == "could not run" ? r.value("message", "") : verdict + ": " + r.value("message", "");
      cert["message"] = why;
      certificate(true, "could not run");
      err << "could not run: the implementation did not start: " << why << "\n";
      out << "certificate: " << file << "\n";
      return 2;
    }
    for (const char* k : {"name", "version", "capabilities"}) cert["implementation"][k] = r["implementation"][k];
    out << "implementation: " << r["implementation"]["name"].get<std::string>() << " "
        << r["implementation"]["version"].get<std::string>() << ", capabilities "
        << r["implementation"]["capabilities"].dump() << "\n"
        << std::flush;
  }
  std::set<std::string> caps;
  for (const auto& c : cert["implementation"]["capabilities"]) caps.insert(c.get<std::string>());

  std::vector<const CertifyProperty*> todo;
  for (const CertifyProperty& p : certify_properties()) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), p.name) == o.only.end()) continue;
    std::string missing;
    for (const std::string& need : p.needs) {
      if (!caps.count(need)) missing += (missing.empty() ? "" : ", ") + need;
    }
    if (!missing.empty()) {
      std::string why = "needs the capability " + missing + ", which the implementation does not have";
      if (missing == "view") {
        why += " (a plug-in of ABI version 1, or a process that does not list \"view\" in its hello): its resolved "
               "view and edges are not certified";
      }
      results[p.name] = {{"property", p.name}, {"verdict", "not applicable"}, {"message", why}};
      continue;
    }
    todo.push_back(&p);
  }
  const double limit = o.timeout_seconds > 0 ? o.timeout_seconds : profile.timeout_seconds;
  std::vector<Child> running;
  std::size_t next = 0;
  bool stop = false;  // --fail-fast: a property did not hold
  auto last_sweep = Clock::now();
  while ((next < todo.size() && !stop) || !running.empty()) {
    if (g_interrupted) {
      for (Child& c : running) ::kill(-c.pid, SIGKILL);
      return interrupted();
    }
    while (!stop && next < todo.size() && running.size() < std::max(1u, o.jobs)) {
      Child c = spawn(o, todo[next]->name, limit);
      if (c.pid < 0) {
        results[todo[next]->name] = {{"property", todo[next]->name}, {"verdict", "could not run"},
                                     {"message", "cannot start a child process (fork or pipe failed)"}};
      } else {
        running.push_back(std::move(c));
      }
      ++next;
    }
    wait_for_output(running, 20);
    std::set<pid_t> live;
    for (const Child& c : running) live.insert(c.pid);
    for (std::size_t i = 0; i < running.size();) {
      Child& c = running[i];
      pump(c);
      int status = 0;
      const bool done = ::waitpid(c.pid, &status, WNOHANG) == c.pid;
      const bool late = !done && Clock::now() > c.deadline;
      if (late) {
        ::kill(-c.pid, SIGKILL);
        ::waitpid(c.pid, &status, 0);
      }
      if (!done && !late) {
        ++i;
        continue;
      }
      live.erase(c.pid);
      finish_child(c, live);
      const double secs = std::chrono::duration<double>(Clock::now() - c.start).count();
      json r = collect(c, status, late, secs);
      out << "  " << std::left << std::setw(kNameWidth) << c.property << " " << r.value("verdict", "?") << " ("
          << std::fixed << std::setprecision(1) << secs << " s)\n"
          << std::flush;
      results[c.property] = r;
      const std::string v = r.value("verdict", "");
      if (o.fail_fast && v != "holds" && v != "not applicable") stop = true;
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      certificate(false, "incomplete");
    }
    // Whatever a child that was killed left behind came to this process: gone too.
    if (Clock::now() - last_sweep > std::chrono::seconds(1)) {
      (void)reap_children(live);
      last_sweep = Clock::now();
    }
  }

  for (; next < todo.size(); ++next) {
    results[todo[next]->name] = {{"property", todo[next]->name}, {"verdict", "not run"},
                                 {"message", "not run: --fail-fast stopped at an earlier failure"}};
  }
  bool any_fail = false, any_could_not = false;
  for (const auto& [name, r] : results) {
    const std::string v = r.value("verdict", "");
    if (v == "could not run") any_could_not = true;
    else if (v != "holds" && v != "not applicable" && v != "not run") any_fail = true;
  }
  const int code = any_could_not ? 2 : any_fail ? 1 : 0;
  const std::string verdict = code == 2 ? "could not run"
                              : code == 1 ? "failed"
                              : o.profile == "smoke" ? "passed smoke (not a certification)"
                                                     : "certified";
  const json final_cert = certificate(true, verdict);

  out << "\n" << std::left << std::setw(kNameWidth + 1) << "property" << std::setw(16) << "verdict" << "invariant\n";
  for (const json& r : final_cert["properties"]) {
    out << std::setw(kNameWidth + 1) << r["property"].get<std::string>() << std::setw(16) << r["verdict"].get<std::string>()
        << r["invariant"].get<std::string>() << "\n";
    if (r.contains("figures")) {
      for (const auto& [k, v] : r["figures"].items()) out << "      " << k << ": " << figure_text(v.get<double>()) << "\n";
    }
    const std::string v = r["verdict"].get<std::string>();
    if (v != "holds" && v != "not applicable" && v != "not run") {
      std::string m = r.value("message", "");
      if (m.size() > 1200) m = m.substr(0, 1200) + "...";
      out << "      " << m << (m.empty() || m.back() != '\n' ? "\n" : "");
      if (r.contains("replay") && !r["replay"].get<std::string>().empty()) {
        out << "      replay: " << r["replay"].get<std::string>() << "\n";
      }
    } else if (v == "not applicable" || v == "not run") {
      out << "      " << r.value("message", "") << "\n";
    }
  }
  if (!final_cert["replayable"].get<bool>() && results.count("replay_deterministic")) {
    out << "\nthe implementation is not deterministic (replay_deterministic): its counterexamples cannot be replayed bit for bit\n";
  }
  out << "\n" << verdict << " in " << std::fixed << std::setprecision(1) << elapsed() << " s; certificate: " << file
      << "\n";
  return code;
}

int run_verify(const std::string& certificate_file, const CertifyOptions& options, std::ostream& out,
               std::ostream& err) {
  std::ifstream in(certificate_file);
  const json c = in ? json::parse(in, nullptr, false) : json();
  if (!in || c.is_discarded() || !c.is_object() || !c.contains("implementation") || !c.contains("properties") ||
      !c["properties"].is_array()) {
    err << "error: " << certificate_file << " is not a certificate of gossipcheck certify\n";
    return 2;
  }
  out << "certificate " << certificate_file << "\n";
  bool same = true;
  if (!c.contains("sha256") || c["sha256"] != certificate_digest(c)) {
    out << "  its SHA-256 does not match its contents: it was changed after certify wrote it\n";
    same = false;
  } else {
    out << "  SHA-256 matches its contents\n";
  }
  CertifyOptions o = options;
  const json& impl = c["implementation"];
  const std::string via = impl.value("via", "");
  o.impl = via == "process" ? "" : impl.value("path", "");
  o.impl_cmd = via == "process" ? impl.value("path", "") : "";
  // A plug-in named by a relative path, checked from another folder: the file it named.
  if (via == "plug-in" && !fs::exists(o.impl) && impl.contains("files") && impl["files"].size() == 1) {
    o.impl = impl["files"][0].value("path", o.impl);
  }
  o.profile = c.value("profile", "quick");
  o.seed = c.value("seed", std::uint64_t{1});
  o.only.clear();
  for (const json& p : c["properties"]) o.only.push_back(p.value("property", ""));
  if (o.impl.empty() && o.impl_cmd.empty()) {
    err << "error: the certificate names no implementation\n";
    return 2;
  }
  const json now = implementation_identity(o.impl, o.impl_cmd);
  if (now["digest"] != impl.value("digest", json())) {
    out << "  the implementation's files are not the ones certified:\n";
    out << "    certified: " << impl.value("files", json::array()).dump() << "\n";
    out << "    now:       " << now["files"].dump() << "\n";
    same = false;
  } else {
    out << "  the implementation's files are the ones certified (" << now["files"].size() << " file(s))\n";
  }
  out << "running its " << o.only.size() << " properties again (profile " << o.profile << ", seed " << o.seed
      << ") into " << o.out_dir << "\n"
      << std::flush;
  std::ostringstream quiet_out;
  const int rc = run_certify(o, quiet_out, err);
  std::ifstream again_in((fs::path(o.out_dir) / "certificate.json").string());
  const json again = again_in ? json::parse(again_in, nullptr, false) : json();
  if (again.is_discarded() || !again.is_object() || !again.contains("properties")) {
    err << "error: the run again wrote no certificate (exit " << rc << ")\n";
    return 2;
  }
  std::map<std::string, std::string> then, now_v;
  for (const json& p : c["properties"]) then[p.value("property", "")] = p.value("verdict", "");
  for (const json& p : again["properties"]) now_v[p.value("property", "")] = p.value("verdict", "");
  out << "\n" << std::left << std::setw(kNameWidth + 1) << "property" << std::setw(16) << "certified" << "now\n";
  for (const auto& [name, v] : then) {
    const std::string w = now_v.count(name) ? now_v[name] : "(not run)";
    out << std::setw(kNameWidth + 1) << name << std::setw(16) << v << w << (v == w ? "" : "   DIFFERS") << "\n";
    if (v != w) same = false;
  }
  if (rc == 2 && again.value("verdict", "") == "could not run") {
    out << "\nthe implementation could not run: " << again.value("message", "") << "\n";
    return 2;
  }
  out << "\n" << (same ? "reproduced: every verdict is the one certified" : "NOT reproduced") << "\n";
  return same ? 0 : 1;
}

int run_certify_case(const properties::CaseFile& c, std::shared_ptr<const Implementation> impl,
                     const CertifyOptions& options, std::ostream& out, std::ostream& err) {
  const CertifyProperty* p = find_certify_property(c.property);
  if (p == nullptr) {
    // A property of the catalogue that certify does not run (an in-house counterexample).
    properties::RunOptions base;
    base.impl = impl;
    return properties::run_case(properties::catalogue(), c, base, out, err);
  }
  properties::RunOptions ro;
  const CertifyProfile profile = certify_profile(c.profile);
  ro.profile = profile.budget;
  ro.seed = c.seed;
  ro.reproduce = c.reproduce;
  ro.impl = impl;
  ro.histories_check_cost = false;
  ro.failures_dir = (fs::temp_directory_path() / "gossipcheck-replay").string();
  ro.other_process = other_process(options);
  return properties::report_case(c, p->run(ro, profile), out);
}

}  // namespace gossip::certify
