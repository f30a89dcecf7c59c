#include "reference/encoding.h"

#include "reference/decode_rules.h"
#include "reference/limits.h"

namespace gossip {

// ---- Writer ---------------------------------------------------------------------------

void Writer::varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<std::uint8_t>(v));
}

void Writer::u32_le(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::raw(std::string_view bytes) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  out_.insert(out_.end(), p, p + bytes.size());
}

// ---- Reader ---------------------------------------------------------------------------

bool Reader::fail(Status::Code code, const std::string& message) {
  if (status_.is_ok()) {
    status_ = Status::error(code, message + " at byte " + std::to_string(base_offset_ + pos_));
  }
  return false;
}

bool Reader::u8(std::uint8_t* out, const char* what) {
  if (!ok()) return false;
  if (remaining() < 1) return fail(Status::Code::kTruncated, std::string("input ends in ") + what);
  *out = in_[pos_++];
  return true;
}

bool Reader::varint(std::uint64_t* out, const char* what) {
  if (!ok()) return false;
  std::uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (remaining() < 1)
      return fail(Status::Code::kTruncated, std::string("input ends in ") + what);
    const std::uint8_t b = in_[pos_];
    const std::uint64_t bits = b & 0x7Fu;
    if (GOSSIP_RULE("varint.past-64-bits", i == 9 && b > 0x01)) {
      return fail(Status::Code::kOverLimit, std::string("varint overflows 64 bits in ") + what);
    }
    value |= bits << (7 * i);
    ++pos_;
    if ((b & 0x80) == 0) {
      if (GOSSIP_RULE("varint.overlong", i > 0 && b == 0)) {
        --pos_;
        return fail(Status::Code::kNonCanonical, std::string("overlong varint in ") + what);
      }
      *out = value;
      return true;
    }
  }
  return fail(Status::Code::kOverLimit, std::string("varint longer than 10 bytes in ") + what);
}

bool Reader::u32_le(std::uint32_t* out, const char* what) {
  ByteView b;
  if (!raw(4, &b, what)) return false;
  *out = std::uint32_t{b[0]} | (std::uint32_t{b[1]} << 8) | (std::uint32_t{b[2]} << 16) |
         (std::uint32_t{b[3]} << 24);
  return true;
}

bool Reader::raw(std::size_t n, ByteView* out, const char* what) {
  if (!ok()) return false;
  if (remaining() < n) return fail(Status::Code::kTruncated, std::string("input ends in ") + what);
  *out = in_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::count(std::size_t max, std::size_t min_bytes_each, std::size_t* out,
                   const char* what) {
  std::uint64_t n = 0;
  if (!varint(&n, what)) return false;
  if (GOSSIP_RULE_OF("count.over-limit", what, n > max)) {
    return fail(Status::Code::kOverLimit, std::string(what) + " of " + std::to_string(n) +
                                              " exceeds the limit " + std::to_string(max));
  }
  if (GOSSIP_RULE_OF("count.past-bytes-left", what, min_bytes_each > 0 && n > remaining() / min_bytes_each)) {
    return fail(Status::Code::kTruncated, std::string(what) + " of " + std::to_string(n) +
                                              " cannot fit in the " + std::to_string(remaining()) +
                                              " bytes left");
  }
  *out = static_cast<std::size_t>(n);
  return true;
}

// ---- Values ---------------------------------------------------------------------------
//
// clock    := count:varint (replica_delta:varint counter:varint){count}
//             replica ids ascend strictly: the first is absolute, each next is the
//             difference (>= 1); counters are >= 1. count >= 1.
// content  := summary_len:varint summary:bytes
//             episode_count:varint first:varint (delta:varint >= 1)*
//             strength:varint (<= 2^32-1)
//             absorbed:u8 (0 | 1) [target:16 bytes]
// version  := clock content
// register := sibling_count:varint (1..kSiblingsMax) version{count}, in canonical order

void encode_pattern_id(Writer& w, const PatternId& id) { w.raw(ByteView(id.bytes)); }

bool decode_pattern_id(Reader& r, PatternId* out) {
  ByteView b;
  if (!r.raw(16, &b, "a pattern id")) return false;
  std::copy(b.begin(), b.end(), out->bytes.begin());
  return true;
}

void encode_clock(Writer& w, const VectorClock& clock) {
  w.varint(clock.size());
  std::uint64_t previous = 0;
  bool first = true;
  for (const VectorClock::Entry& e : clock.entries()) {
    w.varint(first ? e.replica.value : e.replica.value - previous);
    w.varint(e.counter);
    previous = e.replica.value;
    first = false;
  }
}

bool decode_clock(Reader& r, VectorClock* out) {
  std::size_t n = 0;
  if (!r.count(limits::kClockEntriesMax, 2, &n, "clock entry count")) return false;
  if (GOSSIP_RULE("clock.empty", n == 0)) return r.fail(Status::Code::kInvalid, "a version clock with no entries");
  std::vector<VectorClock::Entry> entries;
  entries.reserve(n);
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t replica = 0;
    std::uint64_t counter = 0;
    if (!r.varint(&replica, "a clock replica id")) return false;
    if (i > 0) {
      if (GOSSIP_RULE("clock.replica-order", replica == 0)) {
        return r.fail(Status::Code::kNonCanonical, "clock replica ids not strictly ascending");
      }
      if (GOSSIP_RULE("clock.replica-overflow", replica > UINT64_MAX - previous)) {
        return r.fail(Status::Code::kInvalid, "clock replica id overflows 64 bits");
      }
      replica += previous;
    }
    if (!r.varint(&counter, "a clock counter")) return false;
    if (GOSSIP_RULE("clock.counter-zero", counter == 0)) {
      return r.fail(Status::Code::kNonCanonical, "a clock entry with counter 0");
    }
    entries.push_back({ReplicaId{replica}, counter});
    previous = replica;
  }
  *out = VectorClock(std::move(entries));
  return true;
}

void encode_content(Writer& w, const Content& content) {
  w.varint(content.summary.size());
  w.raw(content.summary);
  w.varint(content.episodes.size());
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < content.episodes.size(); ++i) {
    w.varint(i == 0 ? content.episodes[i] : content.episodes[i] - previous);
    previous = content.episodes[i];
  }
  w.varint(content.strength);
  if (content.absorbed_into) {
    w.u8(1);
    encode_pattern_id(w, *content.absorbed_into);
  } else {
    w.u8(0);
  }
}

bool decode_content(Reader& r, Content* out, std::size_t episodes_max) {
  std::size_t summary_len = 0;
  if (!r.count(limits::kSummaryBytesMax, 1, &summary_len, "summary length")) return false;
  ByteView summary;
  if (!r.raw(summary_len, &summary, "the summary")) return false;
  out->summary.assign(reinterpret_cast<const char*>(summary.data()), summary.size());
  if (!is_valid_utf8(out->summary)) {
    return r.fail(Status::Code::kInvalid, "summary is not well-formed UTF-8");
  }
  std::size_t episodes = 0;
  if (!r.count(episodes_max, 1, &episodes, "episode count")) return false;
  out->episodes.clear();
  out->episodes.reserve(episodes);
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < episodes; ++i) {
    std::uint64_t v = 0;
    if (!r.varint(&v, "an episode id")) return false;
    if (i > 0) {
      if (GOSSIP_RULE("episodes.order", v == 0)) {
        return r.fail(Status::Code::kNonCanonical, "episodes not strictly ascending");
      }
      if (GOSSIP_RULE("episodes.overflow", v > UINT64_MAX - previous)) {
        return r.fail(Status::Code::kInvalid, "episode id overflows 64 bits");
      }
      v += previous;
    }
    out->episodes.push_back(v);
    previous = v;
  }
  std::uint64_t strength = 0;
  if (!r.varint(&strength, "the strength")) return false;
  if (GOSSIP_RULE("strength.limit", strength > UINT32_MAX)) {
    return r.fail(Status::Code::kOverLimit, "strength exceeds 2^32-1");
  }
  out->strength = static_cast<std::uint32_t>(strength);
  std::uint8_t absorbed = 0;
  if (!r.u8(&absorbed, "the absorbed_into flag")) return false;
  if (GOSSIP_RULE("absorbed.flag", absorbed > 1)) {
    return r.fail(Status::Code::kUnknownTag, "absorbed_into flag is not 0 or 1");
  }
  out->absorbed_into.reset();
  if (absorbed == 1) {
    PatternId target;
    if (!decode_pattern_id(r, &target)) return false;
    out->absorbed_into = target;
  }
  return true;
}

void encode_version(Writer& w, const Version& version) {
  encode_clock(w, version.clock);
  encode_content(w, version.content);
}

bool decode_version(Reader& r, Version* out) {
  return decode_clock(r, &out->clock) && decode_content(r, &out->content);
}

std::size_t varint_bytes(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::size_t clock_bytes(const VectorClock& clock) {
  std::size_t n = varint_bytes(clock.size());
  std::uint64_t previous = 0;
  bool first = true;
  for (const VectorClock::Entry& e : clock.entries()) {
    n += varint_bytes(first ? e.replica.value : e.replica.value - previous) + varint_bytes(e.counter);
    previous = e.replica.value;
    first = false;
  }
  return n;
}

std::size_t content_bytes(const Content& content) {
  std::size_t n = varint_bytes(content.summary.size()) + content.summary.size() +
                  varint_bytes(content.episodes.size());
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < content.episodes.size(); ++i) {
    n += varint_bytes(i == 0 ? content.episodes[i] : content.episodes[i] - previous);
    previous = content.episodes[i];
  }
  return n + varint_bytes(content.strength) + 1 + (content.absorbed_into ? 16 : 0);
}

std::size_t register_bytes(const Register& reg) {
  std::size_t n = varint_bytes(reg.siblings().size());
  for (const Version& v : reg.siblings()) n += clock_bytes(v.clock) + content_bytes(v.content);
  return n;
}

void encode_register(Writer& w, const Register& reg) {
  w.varint(reg.siblings().size());
  for (const Version& v : reg.siblings()) encode_version(w, v);
}

bool decode_register(Reader& r, std::optional<Register>* out) {
  // The smallest version: 1 clock entry (3 bytes) + empty content (4 bytes).
  constexpr std::size_t kVersionBytesMin = 7;
  std::size_t n = 0;
  if (!r.count(limits::kSiblingsMax, kVersionBytesMin, &n, "sibling count")) return false;
  if (GOSSIP_RULE("register.empty", n == 0)) return r.fail(Status::Code::kInvalid, "a register with no versions");
  std::vector<Version> versions(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!decode_version(r, &versions[i])) return false;
    if (i > 0) {
      const ClockOrder order = versions[i - 1].clock.compare(versions[i].clock);
      if (order == ClockOrder::kEqual) {
        if (GOSSIP_RULE("register.conflict", versions[i - 1].content != versions[i].content)) {
          return r.fail(Status::Code::kConflictingWrite,
                        "two siblings with equal clocks and different content");
        }
        if (GOSSIP_RULE("register.repeat", versions[i - 1].content == versions[i].content)) {
          return r.fail(Status::Code::kNonCanonical, "a sibling repeated");
        }
      }
      if (GOSSIP_RULE("register.order", order != ClockOrder::kEqual &&
                                            !VectorClock::canonical_less(versions[i - 1].clock, versions[i].clock))) {
        return r.fail(Status::Code::kNonCanonical, "siblings not in canonical order");
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const ClockOrder order = versions[i].clock.compare(versions[j].clock);
      if (GOSSIP_RULE("register.conflict", order == ClockOrder::kEqual && versions[i].content != versions[j].content)) {
        return r.fail(Status::Code::kConflictingWrite,
                      "two siblings with equal clocks and different content");
      }
      if (GOSSIP_RULE("register.dominated", order != ClockOrder::kConcurrent && order != ClockOrder::kEqual)) {
        return r.fail(Status::Code::kInvalid, "a sibling dominated by another sibling");
      }
    }
  }
  Result<Register> reg = Register::from_versions(std::move(versions));
  if (!reg.is_ok()) return r.fail(reg.status().code(), reg.status().message());
  out->emplace(std::move(reg).value());
  return true;
}

}  // namespace gossip
