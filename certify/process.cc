#include "certify/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

#include "certify/external_node.h"
#include "certify/view_json.h"
#include "reference/bytes.h"
#include "reference/codec.h"
#include "reference/text.h"

namespace gossip::certify {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kLineBytesMax = std::size_t{256} << 20;  // a state of every limit, in hex

ProcessTrouble& trouble() {
  static ProcessTrouble t;
  return t;
}

// A protocol error: the run cannot go on.
struct ProtocolError : ImplementationError {
  using ImplementationError::ImplementationError;
};

std::optional<Bytes> from_hex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  Bytes out(text.size() / 2);
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return out;
}

class Channel {
 public:
  explicit Channel(ProcessOptions o) : options_(std::move(o)) {
    ::signal(SIGPIPE, SIG_IGN);  // a child gone is an error on write, not a dead suite
    spawn();
  }
  ~Channel() { finish(); }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  std::uint64_t generation() const { return generation_; }

  // Before a new node: a fresh process when the last one crashed or hung.
  void ensure_running() {
    if (!trouble().protocol_error.empty()) throw ProtocolError(trouble().protocol_error);
    if (pid_ > 0) return;
    if (restarts_ >= options_.restarts_max) {
      throw ImplementationError("the process crashed or hung " + std::to_string(restarts_) +
                                " times; not starting it again (last: " + trouble().last + ")");
    }
    ++restarts_;
    spawn();
    // A fresh process is greeted like the first one.
    const json a = call({{"op", "hello"}, {"protocol", kProcessProtocolVersion}}, generation_);
    if (!a["ok"].get<bool>() || !a.contains("protocol") || a["protocol"] != kProcessProtocolVersion) {
      protocol_error("a restarted process did not answer hello as the first one did: " + a.dump());
    }
  }

  // One request, one answer. `ok: false` answers come back as they are.
  json call(const json& request, std::uint64_t generation) {
    if (!trouble().protocol_error.empty()) throw ProtocolError(trouble().protocol_error);
    if (generation != generation_ || pid_ <= 0) {
      throw ImplementationError("this node's process is gone (" + trouble().last + ")");
    }
    const auto start = Clock::now();
    ++trouble().requests;
    const std::string line = request.dump() + "\n";
    const std::string op = request.value("op", "");
    // Nothing may come between an answer and the next request: a line that did came late,
    // after the answer to the last one.
    drain_unasked();
    if (!buffer_.empty()) {
      protocol_error("a line came after the answer to '" + last_op_ + "', when no request was waiting (more than one "
                     "line for one request): " + excerpt(buffer_));
    }
    previous_op_ = last_op_;
    last_op_ = op;
    write_all(line, op);
    std::string answer = read_line(op);
    last_answer_ = answer;
    trouble().seconds_waiting += std::chrono::duration<double>(Clock::now() - start).count();
    json a = json::parse(answer, nullptr, /*allow_exceptions=*/false);
    if (a.is_discarded() || !a.is_object()) {
      protocol_error("the answer to '" + op + "' is not a JSON object: " + excerpt(answer));
    }
    if (!a.contains("ok") || !a["ok"].is_boolean()) {
      protocol_error("the answer to '" + op + "' has no boolean \"ok\": " + excerpt(answer));
    }
    return a;
  }

  [[noreturn]] void protocol_error(const std::string& what) {
    // An answer that does not fit its request may be a second line written for the one before.
    std::string context;
    if (what.rfind("the answer to", 0) == 0) {
      context = " (the whole answer: " + excerpt(last_answer_) + "; the request before it was '" + previous_op_ +
                "': a second line written for that one would be read here)";
    }
    if (trouble().protocol_error.empty()) trouble().protocol_error = "protocol error: " + what + context;
    stop();
    throw ProtocolError(trouble().protocol_error);
  }

 private:
  static std::string excerpt(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 120)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return "'" + out + (s.size() > 120 ? "...'" : "'");
  }

  void spawn() {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
      throw ImplementationError(std::string("cannot make pipes: ") + std::strerror(errno));
    }
    const std::string cmd = "exec " + options_.command;
    const pid_t pid = fork();
    if (pid < 0) {
      for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
      throw ImplementationError(std::string("cannot fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
      ::signal(SIGPIPE, SIG_DFL);  // the implementation gets the default, not ours
      for (const auto& [k, v] : options_.env) ::setenv(k.c_str(), v.c_str(), 1);
      dup2(in[0], 0);
      dup2(out[1], 1);
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    pid_ = pid;
    to_ = in[1];
    from_ = out[0];
    fcntl(to_, F_SETFL, fcntl(to_, F_GETFL) | O_NONBLOCK);
    fcntl(from_, F_SETFL, fcntl(from_, F_GETFL) | O_NONBLOCK);
    buffer_.clear();
    ++generation_;
  }

  // The end of a run: the process's standard input closes and it has two seconds to exit on its
  // own (docs/CERTIFY.md: "When its standard input closes, the process exits"), so that what
  // it started (a wrapper's child) can end with it; then it is killed.
  void finish() {
    if (pid_ <= 0) return;
    close(to_);
    to_ = -1;
    const auto until = Clock::now() + std::chrono::seconds(2);
    int status = 0;
    while (Clock::now() < until) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        close(from_);
        pid_ = -1;
        return;
      }
      char chunk[4096];
      while (::read(from_, chunk, sizeof chunk) > 0) {
      }
      pollfd p{from_, POLLIN, 0};
      ::poll(&p, 1, 10);
    }
    stop();
  }

  void stop() {
    if (pid_ <= 0) return;
    if (to_ >= 0) close(to_);
    close(from_);
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // The child died or hung: say so, reap it, and throw.
  [[noreturn]] void gone(const std::string& op, bool hung) {
    std::string what;
    if (hung) {
      ++trouble().hangs;
      what = "no answer to '" + op + "' within " + std::to_string(options_.answer_seconds) + " s (hang)";
      stop();
    } else {
      ++trouble().crashes;
      close(to_);
      close(from_);
      int status = 0;
      // It closed its output: it is exiting, or will be made to.
      bool reaped = false;
      for (int i = 0; i < 200 && !reaped; ++i) {
        reaped = waitpid(pid_, &status, WNOHANG) == pid_;
        if (!reaped) usleep(5000);
      }
      if (!reaped) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      pid_ = -1;
      if (WIFSIGNALED(status)) {
        what = "the process was killed by signal " + std::to_string(WTERMSIG(status)) + " during '" + op + "' (crash)";
      } else {
        what = "the process exited with status " + std::to_string(WEXITSTATUS(status)) + " during '" + op + "' (crash)";
      }
    }
    trouble().last = what;
    throw ImplementationError(what);
  }

  void write_all(const std::string& line, const std::string& op) {
    std::size_t done = 0;
    const auto deadline = Clock::now() + std::chrono::duration<double>(options_.answer_seconds);
    while (done < line.size()) {
      const ssize_t n = ::write(to_, line.data() + done, line.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EINTR) gone(op, false);
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) gone(op, true);
      pollfd p{to_, POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(left));
    }
  }

  // Whatever the process wrote that no request asked for, into buffer_ (without waiting).
  void drain_unasked() {
    char chunk[4096];
    for (;;) {
      const ssize_t n = ::read(from_, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        if (buffer_.size() > 4096) return;
        continue;
      }
      return;  // nothing more now, the end, or an error: the next read says which
    }
  }

  std::string read_line(const std::string& op) {
    const auto deadline = Clock::now() + std::chrono::duration<double>(options_.answer_seconds);
    for (;;) {
      const std::size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (!buffer_.empty()) protocol_error("more than one line in answer to '" + op + "'");
        return line;
      }
      if (buffer_.size() > kLineBytesMax) protocol_error("an answer line longer than 256 MiB");
      char chunk[65536];
      const ssize_t n = ::read(from_, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) gone(op, false);
      if (errno != EAGAIN && errno != EINTR) gone(op, false);
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) gone(op, true);
      pollfd p{from_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left));
    }
  }

  ProcessOptions options_;
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  std::string buffer_;
  std::string last_op_ = "(none)", previous_op_ = "(none)";
  std::string last_answer_;
  std::uint64_t generation_ = 0;
  std::uint32_t restarts_ = 0;
};

// The answer's field, of the right type, or a protocol error.
template <typename T>
T field(Channel& ch, const json& a, const char* name, const std::string& op) {
  if (!a.contains(name)) ch.protocol_error("the answer to '" + op + "' has no \"" + name + "\"");
  try {
    return a.at(name).get<T>();
  } catch (const json::exception&) {
    ch.protocol_error("the answer to '" + op + "' has a \"" + name + "\" of the wrong type");
  }
}

json content_json(const Content& c) {
  json out;
  out["summary"] = c.summary;
  out["episodes"] = c.episodes;
  out["strength"] = c.strength;
  out["absorbed_into"] = c.absorbed_into ? json(c.absorbed_into->hex()) : json(nullptr);
  return out;
}

class ProcessNode final : public ExternalNode {
 public:
  ProcessNode(std::shared_ptr<Channel> ch, std::uint64_t handle, const NodeInit& init, bool wire)
      : ExternalNode(init, wire), ch_(std::move(ch)), handle_(handle), generation_(ch_->generation()) {}
  ~ProcessNode() override {
    try {
      if (ch_->generation() == generation_) (void)ch_->call({{"op", "destroy"}, {"node", handle_}}, generation_);
    } catch (const std::exception&) {
    }
  }
  ProcessNode(const ProcessNode&) = delete;
  ProcessNode& operator=(const ProcessNode&) = delete;

  Status create(const PatternId& id, const Content& c) override {
    return write("create", {{"op", "create"}, {"node", handle_}, {"id", id.hex()}, {"content", content_json(c)}});
  }
  Status refine(const PatternId& id, const Content& c) override {
    return write("refine", {{"op", "refine"}, {"node", handle_}, {"id", id.hex()}, {"content", content_json(c)}});
  }
  Status absorb(const PatternId& a, const PatternId& into) override {
    return write("absorb", {{"op", "absorb"}, {"node", handle_}, {"a", a.hex()}, {"into", into.hex()}});
  }
  void tick(Time now) override {
    touched();
    (void)call("tick", {{"op", "tick"}, {"node", handle_}, {"now", now}});
  }
  void receive(NodeId from, ByteView bytes) override {
    touched();
    (void)call("receive", {{"op", "receive"}, {"node", handle_}, {"from", from}, {"bytes", to_hex(bytes)}});
  }
  void take_messages(std::vector<Outgoing>* out) override {
    out->clear();
    const json a = call("outbox", {{"op", "outbox"}, {"node", handle_}});
    const json messages = field<json>(*ch_, a, "messages", "outbox");
    if (!messages.is_array()) ch_->protocol_error("the answer to 'outbox' has a \"messages\" that is not an array");
    for (const json& m : messages) {
      if (!m.is_object()) ch_->protocol_error("a message of 'outbox' is not an object");
      Outgoing o;
      const std::uint64_t to = field<std::uint64_t>(*ch_, m, "to", "outbox");
      if (to > 0xFFFFFFFFu) ch_->protocol_error("a message of 'outbox' is addressed to " + std::to_string(to) + ", not a u32");
      o.to = static_cast<std::uint32_t>(to);
      const std::optional<Bytes> b = from_hex(field<std::string>(*ch_, m, "bytes", "outbox"));
      if (!b) ch_->protocol_error("a message of 'outbox' has \"bytes\" that are not hex");
      o.bytes = *b;
      o.kind = static_cast<FrameKind>(0);
      out->push_back(std::move(o));
    }
  }
  Time next_wakeup() const override {
    const json a = const_cast<ProcessNode*>(this)->call("wakeup", {{"op", "wakeup"}, {"node", handle_}});
    if (!a.contains("at") || a["at"].is_null()) return ~Time{0};
    return field<Time>(*ch_, a, "at", "wakeup");
  }
  std::unique_ptr<NodeUnderTest> clone() const override {
    if (!clone_) return nullptr;
    const std::uint64_t h = next_handle();
    (void)const_cast<ProcessNode*>(this)->call("clone", {{"op", "clone"}, {"node", handle_}, {"new", h}});
    auto copy = std::make_unique<ProcessNode>(ch_, h, settings(), wire());
    copy->clone_ = clone_;
    copy->fingerprint_ = fingerprint_;
    copy->view_ = view_;
    copy->generation_ = generation_;
    return copy;
  }
  bool export_view(ViewFrame* out) const override {
    if (!view_) return false;
    const json a = const_cast<ProcessNode*>(this)->call("view", {{"op", "view"}, {"node", handle_}});
    Result<ViewFrame> v = Status::error(Status::Code::kInvalid, "the answer to 'view' has neither \"view\" nor \"view_frame\"");
    if (a.contains("view_frame")) {
      const std::optional<Bytes> b = from_hex(field<std::string>(*ch_, a, "view_frame", "view"));
      if (!b) ch_->protocol_error("the answer to 'view' has a \"view_frame\" that is not hex");
      v = decode_view_frame(*b);
    } else if (a.contains("view")) {
      v = view_from_json(a["view"]);
    }
    if (!v.is_ok()) throw ImplementationError("node n" + std::to_string(self()) + "'s view: " + v.status().message());
    *out = std::move(v).value();
    return true;
  }
  bool append_fingerprint(std::string* out) const override {
    if (!fingerprint_) return false;
    const json a = const_cast<ProcessNode*>(this)->call("fingerprint", {{"op", "fingerprint"}, {"node", handle_}});
    const std::optional<Bytes> b = from_hex(field<std::string>(*ch_, a, "bytes", "fingerprint"));
    if (!b) ch_->protocol_error("the answer to 'fingerprint' has \"bytes\" that are not hex");
    out->append(b->begin(), b->end());
    return true;
  }

  static std::uint64_t next_handle() {
    static std::uint64_t next = 1;
    return next++;
  }
  bool clone_ = false, fingerprint_ = false, view_ = false;

 protected:
  Export export_state() const override {
    const json a = const_cast<ProcessNode*>(this)->call("export", {{"op", "export"}, {"node", handle_}});
    Export e;
    if (a.contains("state_text")) {
      e.text = field<std::string>(*ch_, a, "state_text", "export");
      return e;
    }
    const std::optional<Bytes> b = from_hex(field<std::string>(*ch_, a, "state", "export"));
    if (!b) ch_->protocol_error("the answer to 'export' has a \"state\" that is not hex");
    e.frame = *b;
    return e;
  }

 private:
  json call(const std::string& op, const json& request) {
    json a = ch_->call(request, generation_);
    if (!a["ok"].get<bool>()) {
      const std::string why = a.contains("error") && a["error"].is_string() ? a["error"].get<std::string>() : "(no error given)";
      throw ImplementationError("the implementation failed '" + op + "': " + why);
    }
    return a;
  }
  Status write(const std::string& op, const json& request) {
    touched();
    const json a = call(op, request);
    const std::string s = field<std::string>(*ch_, a, "status", op);
    if (s == "ok") return Status::ok();
    if (s == "invalid") return Status::error(Status::Code::kInvalid, "refused: invalid");
    if (s == "over_limit") return Status::error(Status::Code::kOverLimit, "refused: over limit");
    if (s == "not_found") return Status::error(Status::Code::kNotFound, "refused: not found");
    if (s == "already_exists") return Status::error(Status::Code::kAlreadyExists, "refused: already exists");
    ch_->protocol_error("the answer to '" + op + "' has an unknown status '" + s + "'");
  }

  std::shared_ptr<Channel> ch_;
  std::uint64_t handle_;
  std::uint64_t generation_;
};

class ProcessImplementation final : public Implementation {
 public:
  ProcessImplementation(std::shared_ptr<Channel> ch, std::string name, std::string version, Capabilities caps)
      : ch_(std::move(ch)), name_(std::move(name)), version_(std::move(version)), caps_(caps) {}
  std::string name() const override { return name_; }
  std::string version() const override { return version_; }
  Capabilities capabilities() const override { return caps_; }
  std::unique_ptr<NodeUnderTest> make(const NodeInit& init) const override {
    ch_->ensure_running();
    const std::uint64_t h = ProcessNode::next_handle();
    json config = {{"cluster_seed", init.config.cluster_seed},
                   {"gossip_interval_us", init.config.gossip_interval},
                   {"exchange_timeout_us", init.config.exchange_timeout},
                   {"message_bytes_max", init.config.message_bytes_max},
                   {"recent_rounds", init.config.recent_rounds},
                   {"recent_max", init.config.recent_max},
                   {"walk_width", init.config.walk_width},
                   {"exchanges_max", init.config.exchanges_max},
                   {"exchanges_per_peer_max", init.config.exchanges_per_peer_max},
                   {"messages_per_exchange_max", init.config.messages_per_exchange_max}};
    json request = {{"op", "init"},
                    {"node", h},
                    {"self", init.self},
                    {"replica", init.replica.value},
                    {"members", *init.members},
                    {"config", config},
                    {"seed", init.seed},
                    {"state", to_hex(encode_state_frame(init.state))},
                    {"state_text", format_state(init.state)}};
    json a = ch_->call(request, ch_->generation());
    if (!a["ok"].get<bool>()) {
      const std::string why = a.contains("error") && a["error"].is_string() ? a["error"].get<std::string>() : "(no error given)";
      throw ImplementationError("the implementation refused to start node n" + std::to_string(init.self) + ": " + why);
    }
    auto node = std::make_unique<ProcessNode>(ch_, h, init, caps_.wire);
    node->clone_ = caps_.clone;
    node->fingerprint_ = caps_.fingerprint;
    node->view_ = caps_.view;
    return node;
  }

 private:
  std::shared_ptr<Channel> ch_;
  std::string name_, version_;
  Capabilities caps_;
};

}  // namespace

const ProcessTrouble& process_trouble() { return trouble(); }

Result<std::shared_ptr<const Implementation>> start_process(const ProcessOptions& options) {
  try {
    auto ch = std::make_shared<Channel>(options);
    const json a = ch->call({{"op", "hello"}, {"protocol", kProcessProtocolVersion}}, ch->generation());
    if (!a["ok"].get<bool>()) {
      const std::string why = a.contains("error") && a["error"].is_string() ? a["error"].get<std::string>() : "(no error given)";
      return Status::error(Status::Code::kInvalid, "the process refused hello: " + why);
    }
    const int protocol = field<int>(*ch, a, "protocol", "hello");
    if (protocol != kProcessProtocolVersion) {
      return Status::error(Status::Code::kInvalid, "the process speaks protocol version " + std::to_string(protocol) +
                                                       "; this gossipcheck speaks version " +
                                                       std::to_string(kProcessProtocolVersion));
    }
    Capabilities caps;
    if (a.contains("capabilities")) {
      for (const std::string& c : field<std::vector<std::string>>(*ch, a, "capabilities", "hello")) {
        if (c == "clone") caps.clone = true;
        else if (c == "fingerprint") caps.fingerprint = true;
        else if (c == "wire") caps.wire = true;
        else if (c == "view") caps.view = true;
      }
    }
    return std::shared_ptr<const Implementation>(std::make_shared<ProcessImplementation>(
        ch, field<std::string>(*ch, a, "name", "hello"), field<std::string>(*ch, a, "version", "hello"), caps));
  } catch (const ImplementationError& e) {
    return Status::error(Status::Code::kInvalid, e.what());
  }
}

}  // namespace gossip::certify
