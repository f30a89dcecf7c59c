#include "gossipd/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "reference/codec.h"
#include "reference/digest.h"
#include "reference/limits.h"

namespace gossip::gossipd {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHeaderBytes = 8;

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

void put_le32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// The register frame of a whole record at `at`, if there is one.
std::optional<RegisterFrame> record_at(std::span<const std::uint8_t> bytes, std::uint64_t at, std::uint64_t* end) {
  if (bytes.size() - at < kHeaderBytes) return std::nullopt;
  const std::uint8_t* h = bytes.data() + at;
  const std::uint32_t len = le32(h);
  if (le32(h + 4) != checksum32(std::span<const std::uint8_t>(h, 4))) return std::nullopt;
  if (len > limits::kFrameBytesMax || bytes.size() - at - kHeaderBytes < len) return std::nullopt;
  Result<RegisterFrame> frame = decode_register_frame(ByteView(h + kHeaderBytes, len));
  if (!frame.is_ok()) return std::nullopt;
  *end = at + kHeaderBytes + len;
  return std::move(frame).value();
}

std::string errno_text(const std::string& what, const fs::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

// Writes all of `data` to fd; "" or what failed.
std::string write_all(int fd, std::span<const std::uint8_t> data, const fs::path& p) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_text("cannot write", p);
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return "";
}

std::string fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_text("cannot open", dir);
  const int r = ::fsync(fd);
  ::close(fd);
  return r == 0 ? "" : errno_text("cannot fsync", dir);
}

std::optional<std::vector<std::uint8_t>> read_file(const fs::path& p, std::string* error) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = errno_text("cannot open", p);
    return std::nullopt;
  }
  std::vector<std::uint8_t> bytes;
  std::uint8_t buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = errno_text("cannot read", p);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  ::close(fd);
  return bytes;
}

// Appends one line to `p` and makes it durable (the file, and the directory entry when new).
std::string append_line_durably(const fs::path& p, const std::string& line) {
  const bool fresh = !fs::exists(p);
  const int fd = ::open(p.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_text("cannot open", p);
  // A last line cut before its newline (a crash while it was written) stays a line of its own.
  char last = '\n';
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size > 0 && ::pread(fd, &last, 1, size - 1) != 1) last = '\n';
  const std::string text = (last == '\n' ? "" : "\n") + line + "\n";
  std::string err = write_all(fd, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), p);
  if (err.empty() && ::fsync(fd) != 0) err = errno_text("cannot fsync", p);
  ::close(fd);
  if (err.empty() && fresh) err = fsync_dir(p.parent_path());
  return err;
}

// The ReplicaIds of `replicas` ("node.incarnation" lines; a last line without its newline was
// never fsync'd whole, so never used: it is ignored).
std::vector<ReplicaId> read_replicas(const fs::path& p, std::string* error) {
  std::vector<ReplicaId> ids;
  if (!fs::exists(p)) return ids;
  const std::optional<std::vector<std::uint8_t>> bytes = read_file(p, error);
  if (!bytes) return ids;
  const std::string all(bytes->begin(), bytes->end());
  std::size_t at = 0;
  for (std::size_t nl; (nl = all.find('\n', at)) != std::string::npos; at = nl + 1) {
    const std::string line = all.substr(at, nl - at);
    const std::size_t dot = line.find('.');
    std::uint32_t node = 0, inc = 0;
    const char* end = line.data() + line.size();
    bool ok = dot != std::string::npos && dot > 0 && dot + 1 < line.size();
    if (ok) {
      const auto a = std::from_chars(line.data(), line.data() + dot, node);
      const auto b = std::from_chars(line.data() + dot + 1, end, inc);
      ok = a.ec == std::errc() && a.ptr == line.data() + dot && b.ec == std::errc() && b.ptr == end;
    }
    if (!ok) {
      *error = p.string() + ": line '" + line + "' is not node.incarnation";
      return {};
    }
    ids.push_back(ReplicaId::of(node, inc));
  }
  return ids;
}

}  // namespace

std::vector<std::uint8_t> log_record(const PatternId& id, const Register& reg) {
  const Bytes frame = encode_register_frame(id, reg);
  std::vector<std::uint8_t> out;
  put_le32(out, static_cast<std::uint32_t>(frame.size()));
  put_le32(out, checksum32(std::span<const std::uint8_t>(out.data(), 4)));
  out.insert(out.end(), frame.begin(), frame.end());
  return out;
}

LogScan scan_log(std::span<const std::uint8_t> bytes) {
  LogScan scan;
  std::uint64_t at = 0, end = 0;
  while (at < bytes.size()) {
    std::optional<RegisterFrame> r = record_at(bytes, at, &end);
    if (!r) break;
    scan.records.push_back(std::move(*r));
    at = end;
  }
  scan.valid_end = at;
  if (at == bytes.size()) return scan;
  // A bad record: torn if nothing valid follows it, corruption if something does.
  for (std::uint64_t j = at + 1; j + kHeaderBytes <= bytes.size(); ++j) {
    if (record_at(bytes, j, &end)) {
      scan.corrupt_at = at;
      return scan;
    }
  }
  scan.torn = true;
  return scan;
}

Store::~Store() {
  if (log_fd_ >= 0) ::close(log_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Opened Store::open(const fs::path& dir, std::uint32_t self, std::uint64_t cluster_seed, std::uint64_t now_s) {
  Opened out;
  std::error_code ec;
  const bool created = fs::create_directories(dir, ec);
  if (ec) {
    out.error = "cannot create the data directory " + dir.string() + ": " + ec.message();
    return out;
  }
  if (created) {
    // The new directory's entry in its parent, durable before anything in it is relied on.
    const fs::path parent = fs::absolute(dir).lexically_normal().parent_path();
    if (std::string err = fsync_dir(parent.empty() ? fs::path(".") : parent); !err.empty()) {
      out.error = err;
      return out;
    }
  }
  std::unique_ptr<Store> s(new Store());
  s->dir_ = dir;
  // One store per directory: two daemons on one would write under one ReplicaId and cut each
  // other's log. The lock goes with the process (flock), so kill -9 releases it.
  const fs::path lock = dir / "LOCK";
  s->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->lock_fd_ < 0) {
    out.error = errno_text("cannot open", lock);
    return out;
  }
  if (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    out.error = errno == EWOULDBLOCK ? "another process holds " + lock.string() +
                                           " (a gossipd running on this data directory): refusing to share it"
                                     : errno_text("cannot lock", lock);
    return out;
  }
  s->recovered_ = State(cluster_seed);
  const fs::path snap = dir / "state", log = dir / "log", replicas = dir / "replicas";
  const bool had_state = fs::exists(snap) || fs::exists(log);

  if (fs::exists(snap)) {
    std::optional<std::vector<std::uint8_t>> bytes = read_file(snap, &out.error);
    if (!bytes) return out;
    Result<State> st = decode_state_frame(*bytes, cluster_seed);
    if (!st.is_ok()) {
      out.error = "the snapshot " + snap.string() + " does not decode (" + st.status().message() +
                  "): refusing to start rather than lose acknowledged writes";
      return out;
    }
    s->recovered_ = std::move(st).value();
    out.notes.push_back("snapshot: " + std::to_string(s->recovered_.size()) + " patterns");
  }
  std::uint64_t keep = 0;
  if (fs::exists(log)) {
    std::optional<std::vector<std::uint8_t>> bytes = read_file(log, &out.error);
    if (!bytes) return out;
    const LogScan scan = scan_log(*bytes);
    if (scan.corrupt_at) {
      out.error = "the log " + log.string() + " is has a corrupt record at byte " + std::to_string(*scan.corrupt_at) + " of " +
                  std::to_string(bytes->size()) + ", before valid records: refusing to start rather than lose acknowledged writes";
      return out;
    }
    for (const RegisterFrame& r : scan.records) {
      bool changed = false;
      const Status st = s->recovered_.join_register(r.id, r.reg, &changed);
      if (!st.is_ok()) {
        out.error = "the log's register " + r.id.hex() + " does not join the snapshot (" + st.message() + ")";
        return out;
      }
    }
    out.notes.push_back("log: " + std::to_string(scan.records.size()) + " records replayed");
    if (scan.torn) {
      out.notes.push_back("log: a torn last record dropped (" + std::to_string(bytes->size() - scan.valid_end) +
                          " bytes from byte " + std::to_string(scan.valid_end) + ")");
    }
    keep = scan.valid_end;
    s->log_records_ = scan.records.size();
  }

  std::vector<ReplicaId> used = read_replicas(replicas, &out.error);
  if (!out.error.empty()) return out;
  std::uint32_t last = 0;
  for (const ReplicaId& r : used) {
    if (r.node() == self) last = std::max(last, r.incarnation());
  }
  const bool have_own = std::any_of(used.begin(), used.end(), [&](const ReplicaId& r) { return r.node() == self; });
  // A dropped tail may have been acknowledged and sent, if something other than a crash during
  // its append damaged it: its clock entries must not be issued again, so a new incarnation.
  const bool dropped_tail = keep < (fs::exists(log) ? fs::file_size(log) : 0);
  if (had_state && have_own && !dropped_tail) {
    s->replica_ = ReplicaId::of(self, last);
  } else {
    // Amnesia (or a first start): an incarnation above every one this directory recorded and
    // above the clock's, which a deleted directory cannot have recorded.
    // The clock's is the second after now: the caller waits until the clock reaches it
    // (use_after_s) before using it, so that no later start, not even one whose directory
    // was deleted, can compute it again (issue 17: two starts within one second took one id).
    const std::uint64_t by_clock = now_s + 1 > kIncarnationEpoch ? now_s + 1 - kIncarnationEpoch : 0;
    const std::uint64_t next = std::max<std::uint64_t>(have_own ? std::uint64_t{last} + 1 : 0, by_clock);
    if (next > UINT32_MAX) {
      out.error = "no incarnation left for node " + std::to_string(self);
      return out;
    }
    s->replica_ = ReplicaId::of(self, static_cast<std::uint32_t>(next));
    const std::string err =
        append_line_durably(replicas, std::to_string(self) + "." + std::to_string(s->replica_.incarnation()));
    if (!err.empty()) {
      out.error = err;
      return out;
    }
    out.amnesia = true;
    const char* why = !had_state        ? "no durable state"
                      : dropped_tail    ? "part of the log was dropped (it may have been sent)"
                                        : "no recorded ReplicaId of this node";
    out.notes.push_back(std::string(why) +
                        ": a new ReplicaId " + std::to_string(self) + "." + std::to_string(s->replica_.incarnation()));
  }

  // Reused or new, an incarnation is used only once the clock has passed its second: a start
  // killed during that wait leaves the id recorded, and the next one must wait as well.
  out.use_after_s = std::uint64_t{s->replica_.incarnation()} + kIncarnationEpoch;

  s->log_fd_ = ::open(log.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->log_fd_ < 0) {
    out.error = errno_text("cannot open", log);
    return out;
  }
  if (::ftruncate(s->log_fd_, static_cast<off_t>(keep)) != 0 || ::lseek(s->log_fd_, 0, SEEK_END) < 0 ||
      ::fsync(s->log_fd_) != 0) {
    out.error = errno_text("cannot truncate", log);
    return out;
  }
  const std::string err = fsync_dir(dir);
  if (!err.empty()) {
    out.error = err;
    return out;
  }
  s->log_bytes_ = keep;
  out.store = std::move(s);
  return out;
}

std::string Store::append(const PatternId& id, const Register& reg) {
  return append({{id, &reg}});
}

std::string Store::append(std::initializer_list<std::pair<PatternId, const Register*>> regs) {
  std::vector<std::uint8_t> recs;
  for (const auto& [id, reg] : regs) {
    const std::vector<std::uint8_t> rec = log_record(id, *reg);
    recs.insert(recs.end(), rec.begin(), rec.end());
  }
  const fs::path log = dir_ / "log";
  std::string err = write_all(log_fd_, recs, log);
  if (err.empty() && ::fdatasync(log_fd_) != 0) err = errno_text("cannot fsync", log);
  if (!err.empty()) {
    // Whatever part was written is a torn tail: cut it, so that the next record follows a good one.
    if (::ftruncate(log_fd_, static_cast<off_t>(log_bytes_)) == 0) (void)::lseek(log_fd_, 0, SEEK_END);
    return err;
  }
  log_bytes_ += recs.size();
  log_records_ += regs.size();
  return "";
}

std::string Store::snapshot(const State& state) {
  const fs::path tmp = dir_ / "state.tmp", snap = dir_ / "state", log = dir_ / "log";
  const Bytes frame = encode_state_frame(state);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_text("cannot open", tmp);
  std::string err = write_all(fd, frame, tmp);
  if (err.empty() && ::fsync(fd) != 0) err = errno_text("cannot fsync", tmp);
  ::close(fd);
  if (!err.empty()) return err;
  if (::rename(tmp.c_str(), snap.c_str()) != 0) return errno_text("cannot rename to", snap);
  err = fsync_dir(dir_);
  if (!err.empty()) return err;
  // The snapshot holds everything the log did: the log may go. A crash before this point
  // replays the old log into the new snapshot, which changes nothing.
  if (::ftruncate(log_fd_, 0) != 0 || ::lseek(log_fd_, 0, SEEK_SET) < 0 || ::fsync(log_fd_) != 0) {
    err = errno_text("cannot truncate", log);
    // Whatever length the log has now is where the next record goes.
    const off_t at = ::lseek(log_fd_, 0, SEEK_END);
    if (at >= 0) log_bytes_ = static_cast<std::uint64_t>(at);
    return err;
  }
  log_bytes_ = 0;
  log_records_ = 0;
  return "";
}

}  // namespace gossip::gossipd
