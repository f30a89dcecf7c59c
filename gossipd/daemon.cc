#include "gossipd/daemon.h"

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "certify/view_json.h"
#include "gossipd/store.h"
#include "reference/codec.h"
#include "reference/node.h"
#include "reference/operations.h"
#include "reference/resolve.h"
#include "reference/rng.h"
#include "reference/text.h"

namespace gossip::gossipd {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

LogLevel g_level = LogLevel::kInfo;
std::uint32_t g_self = 0;

void log(LogLevel level, const std::string& text) {
  if (level > g_level) return;
  static constexpr std::array<const char*, 4> kNames = {"error", "warn", "info", "debug"};
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::fprintf(stderr, "%s.%03dZ gossipd[%u] %s: %s\n", stamp, static_cast<int>(ms), g_self,
               kNames[static_cast<std::size_t>(level)], text.c_str());
  std::fflush(stderr);
}

// HOST:PORT (HOST may be [v6]); nullopt when it does not split.
std::optional<std::pair<std::string, std::string>> split_address(const std::string& a) {
  const std::size_t colon = a.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == a.size()) return std::nullopt;
  std::string host = a.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, a.substr(colon + 1));
}

std::optional<udp::endpoint> resolve_udp(asio::io_context& io, const std::string& address, std::string* error) {
  const auto parts = split_address(address);
  if (!parts) {
    *error = "'" + address + "' is not HOST:PORT";
    return std::nullopt;
  }
  udp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(parts->first, parts->second, ec);
  if (ec || results.empty()) {
    *error = "cannot resolve '" + address + "': " + (ec ? ec.message() : "no address");
    return std::nullopt;
  }
  return results.begin()->endpoint();
}

std::string format_endpoint(const udp::endpoint& ep) {
  const std::string host = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(ep.port());
}

// A pattern id from a request: a decimal number (PatternId::from_u64) or 32 hex digits.
std::optional<PatternId> parse_id(const json& v) {
  if (v.is_number_unsigned()) return PatternId::from_u64(v.get<std::uint64_t>());
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  if (s.size() == 32) return PatternId::from_hex(s);
  if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  errno = 0;
  const unsigned long long n = std::strtoull(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return PatternId::from_u64(n);
}

json failure(const std::string& why) { return {{"ok", false}, {"error", why}}; }

// One connection of the admin interface (JSON lines, kept open) or of the metrics endpoint
// (one HTTP request, then closed). Bounded: a request longer than `max_bytes` or a
// connection idle longer than the deadline is closed.
class Session : public std::enable_shared_from_this<Session> {
 public:
  using Handler = std::function<std::string(const std::string& request)>;
  Session(tcp::socket socket, std::string delimiter, bool keep_open, std::size_t max_bytes, Handler handler,
          std::shared_ptr<std::size_t> live)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        delimiter_(std::move(delimiter)),
        keep_open_(keep_open),
        max_bytes_(max_bytes),
        handler_(std::move(handler)),
        live_(std::move(live)) {
    ++*live_;
  }
  ~Session() { --*live_; }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() { read(); }

 private:
  void read() {
    timer_.expires_after(std::chrono::seconds(60));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->close();
    });
    asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, max_bytes_), delimiter_,
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             self->on_read(ec, n);
                           });
  }
  void on_read(boost::system::error_code ec, std::size_t n) {
    if (ec) {
      if (ec == asio::error::not_found) {
        reply_ = keep_open_ ? failure("request longer than " + std::to_string(max_bytes_) + " bytes").dump() + "\n"
                            : "HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n";
        keep_open_ = false;
        write();
        return;
      }
      close();
      return;
    }
    const std::string request = buffer_.substr(0, n - delimiter_.size());
    buffer_.erase(0, n);
    reply_ = handler_(request);
    write();
  }
  void write() {
    asio::async_write(socket_, asio::buffer(reply_), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec || !self->keep_open_) {
        self->close();
        return;
      }
      self->read();
    });
  }
  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string delimiter_;
  bool keep_open_;
  std::size_t max_bytes_;
  Handler handler_;
  std::shared_ptr<std::size_t> live_;
  std::string buffer_, reply_;
};

constexpr std::size_t kSessionsMax = 64;

class Daemon {
 public:
  explicit Daemon(const DaemonConfig& config)
      : config_(config),
        t0_(Clock::now()),
        socket_(io_),
        timer_(io_),
        maintenance_(io_),
        signals_(io_, SIGTERM, SIGINT),
        admin_(io_),
        metrics_(io_) {}

  int run() {
    if (!start()) return 1;
    io_.run();
    return exit_code_;
  }

 private:
  // ---- start and stop ----
  bool start() {
    std::string error;
    const auto listen = resolve_udp(io_, config_.listen, &error);
    if (!listen) return fail_start(error);
    for (const PeerConfig& p : config_.peers) {
      const auto ep = resolve_udp(io_, p.address, &error);
      if (!ep) return fail_start("peer " + std::to_string(p.id) + ": " + error);
      peers_[p.id] = Peer{*ep, std::nullopt};
    }
    const auto wall_s = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    Opened opened = Store::open(config_.data, config_.id, config_.cluster_seed, wall_s);
    for (const std::string& note : opened.notes) {
      log(note.find("torn") != std::string::npos ? LogLevel::kWarn : LogLevel::kInfo, "recovery: " + note);
    }
    if (!opened.store) return fail_start(opened.error);
    store_ = std::move(opened.store);
    wait_for_incarnation(opened.use_after_s);

    auto members = std::make_shared<std::vector<NodeId>>();
    members->push_back(config_.id);
    for (const auto& [id, peer] : peers_) members->push_back(id);
    std::sort(members->begin(), members->end());
    NodeConfig nc;
    nc.cluster_seed = config_.cluster_seed;
    nc.gossip_interval = config_.interval_ms * 1000;
    const std::size_t overhead = kEnvelopeHeaderBytes + (config_.key ? kTagBytes : 0);
    nc.message_bytes_max = config_.message_bytes_max ? config_.message_bytes_max : kDatagramBytesMax - overhead;
    const auto wall_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    // The node's random stream differs at every start (its first exchange id with it).
    const std::uint64_t seed = Rng(config_.cluster_seed ^ store_->replica().value ^ wall_us).next();
    node_.emplace(config_.id, store_->replica(), members, nc, seed, store_->recovered());
    sealer_.emplace(config_.id, config_.key, wall_us);
    opener_.emplace(config_.id, config_.key, *members, nc.message_bytes_max);

    boost::system::error_code ec;
    socket_.open(listen->protocol(), ec);
    if (!ec) socket_.bind(*listen, ec);
    if (!ec) socket_.non_blocking(true, ec);
    if (ec) return fail_start("cannot listen on " + config_.listen + " (UDP): " + ec.message());
    if (config_.admin_port && !listen_tcp(admin_, config_.admin_port, "admin")) return false;
    if (config_.metrics_port && !listen_tcp(metrics_, config_.metrics_port, "metrics")) return false;

    log(LogLevel::kInfo, "node " + std::to_string(config_.id) + " replica " + format_replica(store_->replica()) +
                             ", " + std::to_string(node_->state().size()) + " patterns, root " +
                             node_->state().root().hex() + "; gossip on " + format_endpoint(socket_.local_endpoint()) +
                             " (UDP) every " + std::to_string(config_.interval_ms) + " ms with " +
                             std::to_string(peers_.size()) + " peers; admin " +
                             (config_.admin_port ? "127.0.0.1:" + std::to_string(config_.admin_port) : "off") +
                             ", metrics " +
                             (config_.metrics_port ? "127.0.0.1:" + std::to_string(config_.metrics_port) : "off"));
    if (!config_.key) {
      log(LogLevel::kWarn, "no cluster key (--key-file): datagrams are not authenticated, anyone who can reach " +
                               config_.listen + " can write to this node");
    }
    signals_.async_wait([this](boost::system::error_code ec2, int signo) {
      if (!ec2) stop(signo == SIGTERM ? "SIGTERM" : "SIGINT", 0);
    });
    receive();
    if (config_.admin_port) accept(admin_, "\n", true, 1u << 20, [this](const std::string& r) { return admin(r); });
    if (config_.metrics_port) {
      accept(metrics_, "\r\n\r\n", false, 8192, [this](const std::string& r) { return http(r); });
    }
    node_->tick(now());
    flush();
    arm();
    schedule_maintenance();
    return true;
  }

  // An incarnation is used only once the clock has passed its second (a new one is the second
  // after the start), so that no later start, not even after the directory is deleted,
  // computes it again; a reused one waits too, in case the start that took it was killed
  // during its wait.
  static void wait_for_incarnation(std::uint64_t use_after_s) {
    const auto until = std::chrono::system_clock::time_point(std::chrono::seconds(use_after_s));
    const auto wait = until - std::chrono::system_clock::now();
    if (wait <= std::chrono::seconds(0)) return;
    if (wait > std::chrono::seconds(2)) {
      log(LogLevel::kWarn, "the record of used ReplicaIds runs " +
                               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) +
                               " s ahead of the clock: going on, but if this data directory is deleted before the clock "
                               "catches up, a later start could take an incarnation used before");
      return;
    }
    log(LogLevel::kInfo, "waiting " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()) +
                             " ms for the clock to pass the new incarnation");
    std::this_thread::sleep_until(until);
  }

  bool fail_start(const std::string& why) {
    log(LogLevel::kError, "cannot start: " + why);
    return false;
  }

  bool listen_tcp(tcp::acceptor& acceptor, std::uint16_t port, const char* what) {
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::address_v4::loopback(), port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(16, ec);
    if (ec) return fail_start(std::string("cannot listen for ") + what + " on 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
    return true;
  }

  // Stops the loop: a snapshot first when the stop is clean (exit 0).
  void stop(const std::string& why, int code) {
    if (stopping_) return;
    stopping_ = true;
    exit_code_ = code;
    log(code == 0 ? LogLevel::kInfo : LogLevel::kError, "stopping (" + why + ")");
    boost::system::error_code ignored;
    admin_.close(ignored);
    metrics_.close(ignored);
    socket_.close(ignored);
    timer_.cancel();
    maintenance_.cancel();
    signals_.cancel(ignored);
    if (code == 0) {
      const std::string err = store_->snapshot(node_->state());
      if (err.empty()) {
        log(LogLevel::kInfo, "snapshot written: " + std::to_string(node_->state().size()) + " patterns; bye");
      } else {
        log(LogLevel::kError, "snapshot failed (" + err + "): the log still holds every acknowledged write");
        exit_code_ = 1;
      }
    }
    io_.stop();
  }

  // ---- time ----
  Time now() const {
    return static_cast<Time>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0_).count());
  }

  void arm() {
    if (stopping_ || frozen_) return;
    const Time wake = node_->next_wakeup();
    if (armed_ && wake == armed_for_) return;
    armed_ = true;
    armed_for_ = wake;
    timer_.expires_at(t0_ + std::chrono::microseconds(wake));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      armed_ = false;
      node_->tick(now());
      flush();
      arm();
    });
  }

  // ---- the network ----
  void receive() {
    socket_.async_receive_from(asio::buffer(rbuf_), from_, [this](boost::system::error_code ec, std::size_t n) {
      if (stopping_) return;
      if (!ec && !frozen_) on_datagram(ByteView(rbuf_.data(), n));
      receive();
    });
  }

  void on_datagram(ByteView d) {
    ++datagrams_in_;
    bytes_in_ += d.size();
    const OpenResult r = opener_->open(d);
    if (r.drop != Drop::kNone) {
      ++dropped_[static_cast<std::size_t>(r.drop)];
      last_drop_from_ = format_endpoint(from_);
      log(LogLevel::kDebug, "dropped a datagram of " + std::to_string(d.size()) + " bytes from " + last_drop_from_ +
                                ": " + std::string(kDropNames[static_cast<std::size_t>(r.drop)]));
      return;
    }
    Peer& peer = peers_.at(r.sender);
    if (!peer.last_heard) log(LogLevel::kInfo, "peer " + std::to_string(r.sender) + " heard from " + format_endpoint(from_));
    peer.last_heard = Clock::now();
    peer.silent_reported = false;
    node_->tick(now());
    node_->receive(r.sender, r.message);
    flush();
    arm();
  }

  void flush() {
    node_->take_outbox(&outbox_);
    if (frozen_) return;
    for (const Outgoing& m : outbox_) {
      auto p = peers_.find(m.to);
      if (p == peers_.end()) continue;  // the node sends only to members; members are peers
      const std::vector<std::uint8_t> d = sealer_->seal(m.to, m.bytes);
      boost::system::error_code ec;
      socket_.send_to(asio::buffer(d), p->second.endpoint, 0, ec);
      if (ec) {
        ++send_failed_;
        log(LogLevel::kDebug, "cannot send to peer " + std::to_string(m.to) + ": " + ec.message());
        continue;
      }
      ++datagrams_out_;
      bytes_out_ += d.size();
    }
  }

  // ---- maintenance: snapshots of what gossip brought, reports of drops and silent peers ----
  void schedule_maintenance() {
    maintenance_.expires_after(std::chrono::seconds(5));
    maintenance_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      maintain();
      schedule_maintenance();
    });
  }

  void maintain() {
    std::uint64_t drops = send_failed_;
    for (std::uint64_t d : dropped_) drops += d;
    if (drops > drops_reported_) {
      std::string what;
      for (std::size_t i = 1; i < dropped_.size(); ++i) {
        if (dropped_[i] != dropped_reported_[i]) {
          what += std::string(what.empty() ? "" : ", ") + std::string(kDropNames[i]) + " " +
                  std::to_string(dropped_[i] - dropped_reported_[i]);
        }
      }
      if (send_failed_ != send_failed_reported_) what += (what.empty() ? "" : ", ") + std::string("send_failed ") + std::to_string(send_failed_ - send_failed_reported_);
      log(LogLevel::kWarn, "dropped datagrams since the last report: " + what + " (the last from " + last_drop_from_ + ")");
      dropped_reported_ = dropped_;
      send_failed_reported_ = send_failed_;
      drops_reported_ = drops;
    }
    const auto silence = std::chrono::milliseconds(10 * config_.interval_ms + 5000);
    for (auto& [id, peer] : peers_) {
      if (peer.last_heard && !peer.silent_reported && Clock::now() - *peer.last_heard > silence) {
        log(LogLevel::kWarn, "peer " + std::to_string(id) + " silent for " +
                                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - *peer.last_heard).count()) + " s");
        peer.silent_reported = true;
      }
    }
    // What gossip brought is not in the log: a snapshot now and then saves a restarted node
    // from fetching it again (it is never needed for durability: peers hold it).
    if (node_->state().root() != snapshot_root_ && Clock::now() - last_snapshot_ > std::chrono::seconds(30)) {
      take_snapshot();
    }
  }

  void take_snapshot() {
    const std::string err = store_->snapshot(node_->state());
    last_snapshot_ = Clock::now();
    if (!err.empty()) {
      log(LogLevel::kError, "snapshot failed: " + err + " (the log keeps every acknowledged write)");
      return;
    }
    snapshot_root_ = node_->state().root();
    log(LogLevel::kDebug, "snapshot: " + std::to_string(node_->state().size()) + " patterns");
  }

  // ---- admin ----
  void accept(tcp::acceptor& acceptor, std::string delimiter, bool keep_open, std::size_t max_bytes,
              Session::Handler handler) {
    acceptor.async_accept([this, &acceptor, delimiter, keep_open, max_bytes, handler](boost::system::error_code ec,
                                                                                       tcp::socket socket) {
      if (stopping_ || !acceptor.is_open()) return;
      if (!ec) {
        if (*sessions_ >= kSessionsMax) {
          log(LogLevel::kWarn, "too many admin and metrics connections (" + std::to_string(kSessionsMax) + "): one refused");
        } else {
          std::make_shared<Session>(std::move(socket), delimiter, keep_open, max_bytes, handler, sessions_)->start();
        }
      }
      accept(acceptor, delimiter, keep_open, max_bytes, handler);
    });
  }

  std::string admin(const std::string& line) {
    json reply;
    try {
      reply = handle(json::parse(line));
    } catch (const std::exception& e) {
      reply = failure(std::string("bad request: ") + e.what());
    }
    // An error's text may quote bytes of the request that are not UTF-8: replaced, not thrown.
    return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }

  json handle(const json& req) {
    if (!req.is_object() || !req.contains("op") || !req["op"].is_string()) return failure("a request is a JSON object with \"op\"");
    const std::string op = req["op"].get<std::string>();
    if (op == "create" || op == "refine" || op == "absorb") {
      if (frozen_) return failure("the daemon is stopping: a write could not be made durable");
      return write(op, req);
    }
    if (op == "get") {
      const auto id = req.contains("id") ? parse_id(req["id"]) : std::nullopt;
      if (!id) return failure("\"id\": a decimal number or 32 hex digits");
      const ResolvedView& view = resolved();
      auto it = view.find(*id);
      if (it == view.end()) return {{"ok", true}, {"found", false}, {"id", id->hex()}};
      json out = certify::pattern_to_json(*id, it->second);
      out["ok"] = true;
      out["found"] = true;
      out["siblings"] = node_->state().find(*id)->siblings().size();
      return out;
    }
    if (op == "view") {  // the JSON form of docs/MODEL.md ("The resolved view, as a node exports it")
      const ResolvedView& view = resolved();
      json out = certify::view_to_json(view, edges(view));
      out["ok"] = true;
      return out;
    }
    if (op == "root") return {{"ok", true}, {"root", node_->state().root().hex()}, {"patterns", node_->state().size()}};
    if (op == "stats") {
      json out = stats();
      out["ok"] = true;
      return out;
    }
    return failure("unknown op '" + op + "' (create, refine, absorb, get, view, root, stats)");
  }

  const ResolvedView& resolved() {
    if (!view_ || view_root_ != node_->state().root()) {
      view_ = resolve(node_->state());
      view_root_ = node_->state().root();
    }
    return *view_;
  }

  // A local write: applied to a copy first (refused there if its registers could never travel
  // in a message), then to the node, then made durable; acknowledged only after the fsync.
  json write(const std::string& op, const json& req) {
    const auto id = req.contains("id") ? parse_id(req["id"]) : std::nullopt;
    if (!id) return failure("\"id\": a decimal number or 32 hex digits");
    std::optional<PatternId> into;
    Content content;
    if (op == "absorb") {
      into = req.contains("into") ? parse_id(req["into"]) : std::nullopt;
      if (!into) return failure("\"into\": a decimal number or 32 hex digits");
    } else {
      // Types checked exactly: nlohmann's get<> would cast -1 to 2^32 - 1 and 2.7 to 2.
      if (!req.contains("summary") || !req["summary"].is_string()) return failure("\"summary\": a string");
      content.summary = req["summary"].get<std::string>();
      if (req.contains("episodes")) {
        const json& eps = req["episodes"];
        if (!eps.is_array()) return failure("\"episodes\": an array of unsigned integers");
        for (const json& e : eps) {
          if (!e.is_number_unsigned()) return failure("\"episodes\": an array of unsigned integers (u64)");
          content.episodes.push_back(e.get<EpisodeId>());
        }
      }
      std::sort(content.episodes.begin(), content.episodes.end());
      content.episodes.erase(std::unique(content.episodes.begin(), content.episodes.end()), content.episodes.end());
      if (req.contains("strength")) {
        const json& st = req["strength"];
        if (!st.is_number_unsigned() || st.get<std::uint64_t>() > UINT32_MAX) return failure("\"strength\": an unsigned integer (u32)");
        content.strength = static_cast<std::uint32_t>(st.get<std::uint64_t>());
      }
    }
    State trial = node_->state();
    Status st = op == "create"   ? gossip::create(trial, store_->replica(), *id, content)
                : op == "refine" ? gossip::refine(trial, store_->replica(), *id, content)
                                 : gossip::absorb(trial, store_->replica(), *id, *into);
    if (!st.is_ok()) return failure(st.message());
    const std::size_t room = node_->config().message_bytes_max - kMessageOverheadMax;
    for (const PatternId& changed : {*id, into.value_or(*id)}) {
      const std::size_t bytes = encode_register_frame(changed, *trial.find(changed)).size();
      if (bytes > room) {
        return failure("the register of " + changed.hex() + " would take " + std::to_string(bytes) +
                       " bytes, more than a message holds (" + std::to_string(room) + "): it could never reach the peers");
      }
    }
    st = op == "create" ? node_->create(*id, content) : op == "refine" ? node_->refine(*id, content) : node_->absorb(*id, *into);
    GOSSIP_ASSERT(st.is_ok());
    // An absorb's two registers in the order the operation writes them (`into` first): a crash
    // that keeps only the first leaves `into` with the union and `id` not yet absorbed.
    const std::string err = into ? store_->append({{*into, node_->state().find(*into)}, {*id, node_->state().find(*id)}})
                                 : store_->append(*id, *node_->state().find(*id));
    if (!err.empty()) {
      // The node holds a write that is not durable: it must not gossip it. Stop now, without
      // acknowledging (exit 1; the next start recovers what the log holds).
      log(LogLevel::kError, "cannot make a write durable: " + err);
      frozen_ = true;  // no tick, no datagram from here on
      asio::post(io_, [this] { stop("the disk failed under a write", 1); });
      return failure("not durable (" + err + "): the daemon stops");
    }
    ++writes_acknowledged_;
    log(LogLevel::kDebug, op + " " + id->hex() + " durable");
    if (store_->log_records() >= config_.snapshot_every) take_snapshot();
    // Push it now if an exchange is due, and re-arm: the write may change the node's wakeup.
    node_->tick(now());
    flush();
    arm();
    return {{"ok", true}, {"op", op}, {"id", id->hex()}, {"replica", format_replica(store_->replica())}, {"durable", true}};
  }

  // ---- stats and metrics: one list of figures for both ----
  struct Figure {
    const char* name;
    const char* help;
    bool counter;
    double value;
  };

  std::vector<Figure> figures() const {
    const NodeCounters& c = node_->counters();
    auto d = [](std::uint64_t v) { return static_cast<double>(v); };
    return {
        {"rounds", "gossip rounds this node had (an exchange started or skipped)", true, d(c.exchanges_started + c.exchanges_skipped)},
        {"exchanges_started", "exchanges this node started", true, d(c.exchanges_started)},
        {"exchanges_timed_out", "exchanges forgotten at their deadline", true, d(c.exchanges_timed_out)},
        {"hellos_in_sync", "Hellos that needed no answer", true, d(c.hellos_in_sync)},
        {"bytes_in", "UDP payload bytes received, envelope included", true, d(bytes_in_)},
        {"bytes_out", "UDP payload bytes sent, envelope included", true, d(bytes_out_)},
        {"datagrams_in", "datagrams received", true, d(datagrams_in_)},
        {"datagrams_out", "datagrams sent", true, d(datagrams_out_)},
        {"registers_changed", "received registers that changed the state", true, d(c.registers_changed)},
        {"writes_acknowledged", "local writes made durable and acknowledged", true, d(writes_acknowledged_)},
        {"patterns", "patterns in the state", false, d(node_->state().size())},
        {"log_records", "records in the write-ahead log since the last snapshot", false, d(store_->log_records())},
        {"uptime_seconds", "seconds since the daemon started", false,
         std::chrono::duration<double>(Clock::now() - t0_).count()},
    };
  }

  std::map<std::string, std::uint64_t> drops() const {
    std::map<std::string, std::uint64_t> out;
    for (std::size_t i = 1; i < dropped_.size(); ++i) out[std::string(kDropNames[i])] = dropped_[i];
    out["decode"] = node_->counters().decode_errors;
    out["send_failed"] = send_failed_;
    return out;
  }

  json stats() const {
    json out = {{"node", config_.id}, {"replica", format_replica(store_->replica())}};
    for (const Figure& f : figures()) {
      if (std::string(f.name) == "uptime_seconds") {
        out["uptime_s"] = f.value;
      } else {
        out[f.name] = static_cast<std::uint64_t>(f.value);
      }
    }
    out["dropped"] = drops();
    json peers = json::array();
    for (const auto& [id, peer] : peers_) {
      json p = {{"id", id}, {"address", format_endpoint(peer.endpoint)}};
      p["last_heard_s"] = peer.last_heard ? json(std::chrono::duration<double>(Clock::now() - *peer.last_heard).count()) : json(nullptr);
      peers.push_back(p);
    }
    out["peers"] = peers;
    const NodeCounters& c = node_->counters();
    out["node_counters"] = {{"messages_sent", c.messages_sent},       {"messages_received", c.messages_received},
                            {"bytes_sent", c.bytes_sent},             {"decode_errors", c.decode_errors},
                            {"unknown_exchange", c.unknown_exchange}, {"duplicates_ignored", c.duplicates_ignored},
                            {"over_budget", c.over_budget},           {"cut_by_budget", c.cut_by_budget},
                            {"registers_sent", c.registers_sent},     {"registers_received", c.registers_received},
                            {"registers_rejected", c.registers_rejected}, {"exchanges_skipped", c.exchanges_skipped}};
    return out;
  }

  std::string metrics_text() const {
    std::string out;
    auto line = [&out](const std::string& text) { out += text + "\n"; };
    auto number = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      return std::string(buf);
    };
    for (const Figure& f : figures()) {
      const std::string name = std::string("gossipd_") + f.name + (f.counter ? "_total" : "");
      line("# HELP " + name + " " + f.help);
      line("# TYPE " + name + (f.counter ? " counter" : " gauge"));
      line(name + " " + number(f.value));
    }
    line("# HELP gossipd_datagrams_dropped_total datagrams dropped, by cause");
    line("# TYPE gossipd_datagrams_dropped_total counter");
    for (const auto& [cause, n] : drops()) line("gossipd_datagrams_dropped_total{cause=\"" + cause + "\"} " + std::to_string(n));
    line("# HELP gossipd_peer_last_heard_seconds seconds since the last authenticated datagram from each peer");
    line("# TYPE gossipd_peer_last_heard_seconds gauge");
    for (const auto& [id, peer] : peers_) {
      if (peer.last_heard) {
        line("gossipd_peer_last_heard_seconds{peer=\"" + std::to_string(id) + "\"} " +
             number(std::chrono::duration<double>(Clock::now() - *peer.last_heard).count()));
      }
    }
    return out;
  }

  std::string http(const std::string& request) {
    const bool metrics = request.rfind("GET /metrics ", 0) == 0 || request.rfind("GET /metrics\r", 0) == 0;
    const std::string body = metrics ? metrics_text() : "not found: the metrics are at /metrics\n";
    return std::string(metrics ? "HTTP/1.0 200 OK" : "HTTP/1.0 404 Not Found") +
           "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
  }

  struct Peer {
    udp::endpoint endpoint;
    std::optional<Clock::time_point> last_heard;
    bool silent_reported = false;
  };

  DaemonConfig config_;
  Clock::time_point t0_;
  asio::io_context io_;
  udp::socket socket_;
  asio::steady_timer timer_, maintenance_;
  asio::signal_set signals_;
  tcp::acceptor admin_, metrics_;
  std::shared_ptr<std::size_t> sessions_ = std::make_shared<std::size_t>(0);

  std::unique_ptr<Store> store_;
  std::optional<Node> node_;
  std::optional<Sealer> sealer_;
  std::optional<Opener> opener_;
  std::map<NodeId, Peer> peers_;
  std::vector<Outgoing> outbox_;
  std::array<std::uint8_t, 65536> rbuf_{};
  udp::endpoint from_;
  bool armed_ = false, stopping_ = false;
  bool frozen_ = false;  // a write failed to become durable: the node must send nothing more
  Time armed_for_ = 0;
  int exit_code_ = 0;

  std::optional<ResolvedView> view_;
  Digest view_root_{};
  Digest snapshot_root_{};
  Clock::time_point last_snapshot_ = Clock::now();

  std::uint64_t bytes_in_ = 0, bytes_out_ = 0, datagrams_in_ = 0, datagrams_out_ = 0, send_failed_ = 0;
  std::uint64_t writes_acknowledged_ = 0;
  std::array<std::uint64_t, kDropNames.size()> dropped_{}, dropped_reported_{};
  std::uint64_t send_failed_reported_ = 0, drops_reported_ = 0;
  std::string last_drop_from_;
};

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
  if (text == "error") return LogLevel::kError;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "info") return LogLevel::kInfo;
  if (text == "debug") return LogLevel::kDebug;
  return std::nullopt;
}

std::string check_config(const DaemonConfig& c) {
  if (c.listen.empty()) return "--listen HOST:PORT is required";
  if (c.data.empty()) return "--data DIR is required";
  if (c.interval_ms == 0 || c.interval_ms > 3'600'000) return "--interval-ms must be 1 to 3600000";
  std::set<std::uint32_t> ids{c.id};
  for (const PeerConfig& p : c.peers) {
    if (!ids.insert(p.id).second) return "node id " + std::to_string(p.id) + " appears twice (self and peers must differ)";
    if (!split_address(p.address)) return "peer " + std::to_string(p.id) + ": '" + p.address + "' is not HOST:PORT";
  }
  if (!split_address(c.listen)) return "--listen: '" + c.listen + "' is not HOST:PORT";
  const std::size_t overhead = kEnvelopeHeaderBytes + (c.key ? kTagBytes : 0);
  if (c.message_bytes_max != 0 && (c.message_bytes_max < 512 || c.message_bytes_max > kDatagramBytesMax - overhead)) {
    return "--message-bytes-max must be 512 to " + std::to_string(kDatagramBytesMax - overhead) +
           " (a message and its envelope fit one UDP datagram)";
  }
  if (c.snapshot_every == 0) return "--snapshot-every must be at least 1";
  if (c.admin_port != 0 && c.admin_port == c.metrics_port) return "--admin-port and --metrics-port must differ";
  return "";
}

int run_daemon(const DaemonConfig& config) {
  // A file size limit (ulimit -f) then fails the write with EFBIG, which the daemon reports
  // and survives as a disk failure, instead of killing it with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  g_level = config.log_level;
  g_self = config.id;
  Daemon daemon(config);
  return daemon.run();
}

}  // namespace gossip::gossipd
