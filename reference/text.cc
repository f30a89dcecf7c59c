#include "reference/text.h"

#include <charconv>
#include <cstdio>

#include "reference/limits.h"

namespace gossip {

std::string format_replica(ReplicaId replica) {
  return std::to_string(replica.value >> 32) + "." + std::to_string(replica.value & 0xFFFFFFFFu);
}

std::string format_clock(const VectorClock& clock) {
  std::string out = "{";
  for (const VectorClock::Entry& e : clock.entries()) {
    if (out.size() > 1) out += ",";
    out += format_replica(e.replica) + ":" + std::to_string(e.counter);
  }
  return out + "}";
}

namespace {

std::string quote(std::string_view bytes) {
  std::string out = "\"";
  for (char c : bytes) {
    const auto b = static_cast<std::uint8_t>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b == 0x7F) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string format_version(const Version& version) {
  const Content& c = version.content;
  std::string out = "version clock=" + format_clock(version.clock);
  out += " strength=" + std::to_string(c.strength) + " episodes=[";
  for (std::size_t i = 0; i < c.episodes.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(c.episodes[i]);
  }
  out += "] absorbed_into=" + (c.absorbed_into ? c.absorbed_into->hex() : std::string("-"));
  out += " summary=" + quote(c.summary);
  return out;
}

std::string format_register(const PatternId& id, const Register& reg) {
  std::string out = "pattern " + id.hex() + "\n";
  for (const Version& v : reg.siblings()) out += "  " + format_version(v) + "\n";
  return out;
}

std::string format_state(const State& state) {
  std::string out = "# gossipcheck state: " + std::to_string(state.size()) + " patterns, root " +
                    state.root().hex() + "\n";
  state.for_each(
      [&](const PatternId& id, const Register& reg) { out += format_register(id, reg); });
  return out;
}

// ---- Parsing ----------------------------------------------------------------------------

namespace {

class LineParser {
 public:
  LineParser(std::string_view line, std::size_t number) : s_(line), number_(number) {}

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return fail("expected '" + std::string(word) + "'");
    pos_ += word.size();
    return true;
  }
  bool u64(std::uint64_t* out) {
    const char* begin = s_.data() + pos_;
    const char* end = s_.data() + s_.size();
    if (begin == end || *begin < '0' || *begin > '9') return fail("expected a number");
    if (*begin == '0' && end - begin > 1 && begin[1] >= '0' && begin[1] <= '9') {
      return fail("a number with a leading zero");
    }
    auto [ptr, ec] = std::from_chars(begin, end, *out);
    if (ec != std::errc()) return fail("number out of range");
    pos_ += static_cast<std::size_t>(ptr - begin);
    return true;
  }
  bool u32(std::uint32_t* out) {
    std::uint64_t v = 0;
    if (!u64(&v)) return false;
    if (v > UINT32_MAX) return fail("number above 2^32-1");
    *out = static_cast<std::uint32_t>(v);
    return true;
  }
  bool pattern_id(PatternId* out) {
    auto id = PatternId::from_hex(s_.substr(pos_, 32));
    if (!id) return fail("expected 32 hex digits");
    *out = *id;
    pos_ += 32;
    return true;
  }
  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool quoted(std::string* out) {
    if (!literal("\"")) return false;
    out->clear();
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return fail("unfinished escape");
      c = s_[pos_++];
      if (c == '"' || c == '\\') {
        out->push_back(c);
      } else if (c == 'x' && pos_ + 2 <= s_.size()) {
        unsigned v = 0;
        auto [ptr, ec] = std::from_chars(s_.data() + pos_, s_.data() + pos_ + 2, v, 16);
        if (ec != std::errc() || ptr != s_.data() + pos_ + 2) return fail("bad \\x escape");
        out->push_back(static_cast<char>(v));
        pos_ += 2;
      } else {
        return fail("unknown escape");
      }
    }
    return literal("\"");
  }
  bool at_end() {
    if (pos_ != s_.size()) return fail("unexpected text after the value");
    return true;
  }
  bool fail(const std::string& message) {
    if (error_.empty()) {
      error_ = "line " + std::to_string(number_) + ", column " + std::to_string(pos_ + 1) + ": " +
               message;
    }
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t number_;
  std::string error_;
};

bool parse_clock(LineParser& p, VectorClock* out) {
  if (!p.literal("{")) return false;
  std::vector<VectorClock::Entry> entries;
  while (!p.peek('}')) {
    if (!entries.empty() && !p.literal(",")) return false;
    std::uint32_t node = 0;
    std::uint32_t incarnation = 0;
    std::uint64_t counter = 0;
    if (!p.u32(&node) || !p.literal(".") || !p.u32(&incarnation) || !p.literal(":") ||
        !p.u64(&counter)) {
      return false;
    }
    const ReplicaId replica = ReplicaId::of(node, incarnation);
    if (counter == 0) return p.fail("a clock counter of 0");
    if (!entries.empty() && !(entries.back().replica < replica)) {
      return p.fail("clock entries not in ascending replica order");
    }
    if (entries.size() == limits::kClockEntriesMax) return p.fail("too many clock entries");
    entries.push_back({replica, counter});
  }
  if (entries.empty()) return p.fail("an empty clock");
  *out = VectorClock(std::move(entries));
  return p.literal("}");
}

bool parse_version(LineParser& p, Version* out) {
  Content& c = out->content;
  if (!p.literal("  version clock=") || !parse_clock(p, &out->clock)) return false;
  if (!p.literal(" strength=") || !p.u32(&c.strength)) return false;
  if (!p.literal(" episodes=[")) return false;
  while (!p.peek(']')) {
    if (!c.episodes.empty() && !p.literal(",")) return false;
    std::uint64_t e = 0;
    if (!p.u64(&e)) return false;
    if (c.episodes.size() == limits::kEpisodesMax) return p.fail("too many episodes");
    c.episodes.push_back(e);
  }
  if (!p.literal("] absorbed_into=")) return false;
  if (p.peek('-')) {
    p.literal("-");
  } else {
    PatternId target;
    if (!p.pattern_id(&target)) return false;
    c.absorbed_into = target;
  }
  if (!p.literal(" summary=") || !p.quoted(&c.summary) || !p.at_end()) return false;
  Status s = validate(c);
  if (!s.is_ok()) return p.fail(s.message());
  return true;
}

}  // namespace

Result<State> parse_state(std::string_view text, std::uint64_t cluster_seed) {
  std::vector<std::pair<PatternId, std::vector<Version>>> patterns;
  std::size_t number = 0;
  auto error = [](const std::string& message) {
    return Status::error(Status::Code::kInvalid, message);
  };
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = (eol == std::string_view::npos) ? std::string_view() : text.substr(eol + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    LineParser p(line, number);
    if (line.front() == 'p') {
      PatternId id;
      if (!p.literal("pattern ") || !p.pattern_id(&id) || !p.at_end()) return error(p.error());
      if (!patterns.empty() && !(patterns.back().first < id)) {
        return error("line " + std::to_string(number) + ": pattern ids not in ascending order");
      }
      patterns.emplace_back(id, std::vector<Version>{});
      continue;
    }
    if (patterns.empty())
      return error("line " + std::to_string(number) + ": version before any pattern");
    Version v;
    if (!parse_version(p, &v)) return error(p.error());
    patterns.back().second.push_back(std::move(v));
  }
  std::vector<std::pair<PatternId, Register>> registers;
  for (auto& [id, versions] : patterns) {
    const std::size_t n = versions.size();
    Result<Register> reg = Register::from_versions(std::move(versions));
    if (!reg.is_ok()) return error("pattern " + id.hex() + ": " + reg.status().to_string());
    if (reg.value().siblings().size() != n) {
      return error("pattern " + id.hex() + ": a version is dominated by another");
    }
    registers.emplace_back(id, std::move(reg).value());
  }
  return State::from_registers(cluster_seed, std::move(registers));
}

namespace {
std::string format_path(const SyncPath& path) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "/";
  for (std::uint8_t n : path.nibbles) out += kHex[n];
  return out;
}
}  // namespace

std::string format_sync_message(const SyncMessage& m) {
  std::string out;
  switch (m.kind) {
    case FrameKind::kHello: out += "hello"; break;
    case FrameKind::kReply: out += "reply"; break;
    default: out += m.from_initiator ? "walk (from the initiator)" : "walk (from the responder)";
  }
  out += " xid " + std::to_string(m.xid) + "\n";
  if (m.root) out += "root " + m.root->hex() + "\n";
  for (const SyncItem& item : m.registers) out += format_register(item.id, item.reg);
  for (const SyncProbe& p : m.probes) {
    if (p.inner) {
      out += "probe " + format_path(p.path) + " inner, " +
             std::to_string(p.digests.size() / m.width) + " children of " +
             std::to_string(int{m.width}) + "-byte digests\n";
    } else {
      out += "probe " + format_path(p.path) + " leaf set of " + std::to_string(p.tags.size()) +
             " tags\n";
    }
  }
  for (const SyncWant& w : m.wants) {
    out += "want " + format_path(w.path) + " " + std::to_string(w.tags.size()) + " tags\n";
  }
  return out;
}

}  // namespace gossip
