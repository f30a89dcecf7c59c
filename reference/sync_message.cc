#include "reference/sync_message.h"

#include <algorithm>
#include <bit>
#include <string>

#include "reference/decode_rules.h"
#include "reference/assert.h"
#include "reference/limits.h"

namespace gossip {
namespace {

enum Flags : std::uint8_t {
  kRoot = 1,
  kRegisters = 2,
  kProbes = 4,
  kWants = 8,
  kFromInitiator = 16,
};
constexpr std::uint8_t kAllFlags = kRoot | kRegisters | kProbes | kWants | kFromInitiator;

void encode_path(Writer& w, const SyncPath& path) {
  GOSSIP_ASSERT(path.nibbles.size() <= 32);
  w.u8(static_cast<std::uint8_t>(path.nibbles.size()));
  for (std::size_t i = 0; i < path.nibbles.size(); i += 2) {
    GOSSIP_ASSERT(path.nibbles[i] < 16);
    std::uint8_t b = static_cast<std::uint8_t>(path.nibbles[i] << 4);
    if (i + 1 < path.nibbles.size()) {
      GOSSIP_ASSERT(path.nibbles[i + 1] < 16);
      b |= path.nibbles[i + 1];
    }
    w.u8(b);
  }
}

bool decode_path(Reader& r, SyncPath* out) {
  std::uint8_t depth = 0;
  if (!r.u8(&depth, "path depth")) return false;
  if (GOSSIP_RULE("sync.path-depth", depth > 32)) return r.fail(Status::Code::kOverLimit, "path deeper than 32");
  ByteView packed;
  if (!r.raw((depth + 1u) / 2, &packed, "path nibbles")) return false;
  out->nibbles.clear();
  out->nibbles.reserve(depth);
  for (std::size_t i = 0; i < depth; ++i) {
    const std::uint8_t b = packed[i / 2];
    out->nibbles.push_back(i % 2 == 0 ? b >> 4 : b & 0x0F);
  }
  if (GOSSIP_RULE("sync.path-nibble", depth % 2 == 1 && (packed.back() & 0x0F) != 0)) {
    return r.fail(Status::Code::kNonCanonical, "spare path nibble not zero");
  }
  return true;
}

void encode_tags(Writer& w, const std::vector<std::uint32_t>& tags) {
  w.varint(tags.size());
  for (std::size_t i = 0; i < tags.size(); ++i) {
    GOSSIP_ASSERT(i == 0 || tags[i - 1] < tags[i]);
    w.u32_le(tags[i]);
  }
}

bool decode_tags(Reader& r, bool allow_empty, std::vector<std::uint32_t>* out) {
  std::size_t n = 0;
  if (!r.count(kSyncTagsMax, 4, &n, "tag count")) return false;
  if (GOSSIP_RULE("sync.want-no-tags", n == 0 && !allow_empty)) return r.fail(Status::Code::kNonCanonical, "an empty want");
  out->resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!r.u32_le(&(*out)[i], "tag")) return false;
    if (GOSSIP_RULE("sync.tags-order", i > 0 && (*out)[i - 1] >= (*out)[i])) {
      return r.fail(Status::Code::kNonCanonical, "tags not strictly ascending");
    }
  }
  return true;
}

bool decode_payload(Reader& r, FrameKind kind, SyncMessage* m) {
  m->kind = kind;
  if (!r.varint(&m->xid, "exchange id")) return false;
  std::uint8_t flags = 0;
  if (!r.u8(&flags, "flags")) return false;
  if (GOSSIP_RULE("sync.flags", (flags & ~kAllFlags) != 0)) return r.fail(Status::Code::kUnknownTag, "unknown flag bits");
  const bool hello_or_reply = kind == FrameKind::kHello || kind == FrameKind::kReply;
  if (GOSSIP_RULE("sync.root-flag", hello_or_reply != ((flags & kRoot) != 0))) {
    return r.fail(Status::Code::kInvalid, "a hello or reply has a root, a walk has none");
  }
  if (GOSSIP_RULE("sync.hello-probes-wants", kind == FrameKind::kHello && (flags & (kProbes | kWants)) != 0)) {
    return r.fail(Status::Code::kInvalid, "a hello carries no probes or wants");
  }
  if (GOSSIP_RULE("sync.reply-wants", kind == FrameKind::kReply && (flags & kWants) != 0)) {
    return r.fail(Status::Code::kInvalid, "a reply carries no wants");
  }
  if (GOSSIP_RULE("sync.flag16", kind != FrameKind::kWalk && (flags & kFromInitiator) != 0)) {
    return r.fail(Status::Code::kInvalid, "only a walk message names its sender's side");
  }
  if (GOSSIP_RULE("sync.walk-empty", kind == FrameKind::kWalk && (flags & ~kFromInitiator) == 0)) {
    return r.fail(Status::Code::kInvalid, "an empty walk message");
  }
  m->from_initiator = (flags & kFromInitiator) != 0;
  if (flags & kRoot) {
    ByteView b;
    if (!r.raw(16, &b, "root")) return false;
    Digest d;
    std::copy(b.begin(), b.end(), d.bytes.begin());
    m->root = d;
  }
  if (flags & kRegisters) {
    constexpr std::size_t kItemBytesMin = 16 + 8;
    std::size_t n = 0;
    if (!r.count(limits::kPatternsMax, kItemBytesMin, &n, "register count")) return false;
    if (GOSSIP_RULE("sync.registers-empty", n == 0)) return r.fail(Status::Code::kNonCanonical, "an empty register section");
    m->registers.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      PatternId id;
      std::optional<Register> reg;
      if (!decode_pattern_id(r, &id)) return false;
      if (GOSSIP_RULE("sync.register-order", i > 0 && !(m->registers.back().id < id))) {
        return r.fail(Status::Code::kNonCanonical, "register ids not strictly ascending");
      }
      if (!decode_register(r, &reg)) return false;
      m->registers.push_back(SyncItem{id, std::move(*reg)});
    }
  }
  if (flags & kProbes) {
    if (!r.u8(&m->width, "digest width")) return false;
    if (GOSSIP_RULE("sync.width", m->width < 1 || m->width > kSyncWidthMax)) {
      return r.fail(Status::Code::kInvalid, "digest width not in 1..8");
    }
    // The smallest probe is 3 bytes: an empty leaf set at the root (depth 0, type 1, count 0),
    // what a node with an empty tree says of its root.
    constexpr std::size_t kProbeBytesMin = 3;
    std::size_t n = 0;
    if (!r.count(limits::kPatternsMax, kProbeBytesMin, &n, "probe count")) return false;
    if (GOSSIP_RULE("sync.probes-empty", n == 0)) return r.fail(Status::Code::kNonCanonical, "an empty probe section");
    m->probes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      SyncProbe& p = m->probes[i];
      if (!decode_path(r, &p.path)) return false;
      if (GOSSIP_RULE("sync.probe-order", i > 0 && !(m->probes[i - 1].path < p.path))) {
        return r.fail(Status::Code::kNonCanonical, "probe paths not strictly ascending");
      }
      std::uint8_t type = 0;
      if (!r.u8(&type, "probe type")) return false;
      if (GOSSIP_RULE("sync.probe-type", type > 1)) return r.fail(Status::Code::kUnknownTag, "unknown probe type");
      p.inner = type == 0;
      if (p.inner) {
        ByteView b;
        if (!r.raw(2, &b, "child bitmap")) return false;
        p.present = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
        if (GOSSIP_RULE("sync.probe-present", p.present == 0)) {
          return r.fail(Status::Code::kNonCanonical, "an inner probe of no child");
        }
        ByteView digests;
        if (!r.raw(std::size_t(std::popcount(p.present)) * m->width, &digests, "child digests")) {
          return false;
        }
        p.digests.assign(digests.begin(), digests.end());
      } else {
        if (!decode_tags(r, /*allow_empty=*/true, &p.tags)) return false;
      }
    }
  }
  if (flags & kWants) {
    std::size_t n = 0;
    if (!r.count(limits::kPatternsMax, 6, &n, "want count")) return false;
    if (GOSSIP_RULE("sync.wants-empty", n == 0)) return r.fail(Status::Code::kNonCanonical, "an empty want section");
    m->wants.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!decode_path(r, &m->wants[i].path)) return false;
      if (GOSSIP_RULE("sync.want-order", i > 0 && !(m->wants[i - 1].path < m->wants[i].path))) {
        return r.fail(Status::Code::kNonCanonical, "want paths not strictly ascending");
      }
      if (!decode_tags(r, /*allow_empty=*/false, &m->wants[i].tags)) return false;
    }
  }
  return true;
}

}  // namespace

std::uint64_t sync_salt(std::uint64_t cluster_seed, std::uint32_t initiator, std::uint64_t xid) {
  std::uint8_t b[12];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(initiator >> (8 * i));
  for (int i = 0; i < 8; ++i) b[4 + i] = static_cast<std::uint8_t>(xid >> (8 * i));
  return hash64(cluster_seed, ByteView(b, sizeof b));
}

void sync_child_tag(std::uint64_t salt, const Digest& child, std::uint8_t width, std::uint8_t* out) {
  const std::uint64_t h = hash64(salt, ByteView(child.bytes));
  for (std::uint8_t i = 0; i < width; ++i) out[i] = static_cast<std::uint8_t>(h >> (8 * i));
}

std::uint32_t sync_entry_tag(std::uint64_t salt, const Digest& entry_digest) {
  return static_cast<std::uint32_t>(hash64(salt ^ 0x5bd1e9955bd1e995ull, ByteView(entry_digest.bytes)));
}

std::size_t sync_item_bytes(const SyncItem& item) { return 16 + register_bytes(item.reg); }

namespace {
std::size_t path_bytes(const SyncPath& path) { return 1 + (path.nibbles.size() + 1) / 2; }
std::size_t tags_bytes(const std::vector<std::uint32_t>& tags) {
  return varint_bytes(tags.size()) + 4 * tags.size();
}
}  // namespace

std::size_t sync_probe_bytes(const SyncProbe& p, std::uint8_t width) {
  const std::size_t body = p.inner ? 2 + std::size_t(std::popcount(p.present)) * width : tags_bytes(p.tags);
  return path_bytes(p.path) + 1 + body;
}

std::size_t sync_want_bytes(const SyncWant& want) { return path_bytes(want.path) + tags_bytes(want.tags); }

std::size_t sync_message_bytes(const SyncMessage& m) {
  std::size_t n = kFrameOverheadBytes + varint_bytes(m.xid) + 1 + (m.root ? 16 : 0);
  if (!m.registers.empty()) {
    n += varint_bytes(m.registers.size());
    for (const SyncItem& item : m.registers) n += sync_item_bytes(item);
  }
  if (!m.probes.empty()) {
    n += 1 + varint_bytes(m.probes.size());
    for (const SyncProbe& p : m.probes) n += sync_probe_bytes(p, m.width);
  }
  if (!m.wants.empty()) {
    n += varint_bytes(m.wants.size());
    for (const SyncWant& w : m.wants) n += sync_want_bytes(w);
  }
  return n;
}

Bytes encode_sync_message(const SyncMessage& m) {
  const bool hello_or_reply = m.kind == FrameKind::kHello || m.kind == FrameKind::kReply;
  GOSSIP_ASSERT(hello_or_reply || m.kind == FrameKind::kWalk);
  GOSSIP_ASSERT(hello_or_reply == m.root.has_value());
  std::uint8_t flags = 0;
  if (m.root) flags |= kRoot;
  if (!m.registers.empty()) flags |= kRegisters;
  if (!m.probes.empty()) flags |= kProbes;
  if (!m.wants.empty()) flags |= kWants;
  GOSSIP_ASSERT(m.kind != FrameKind::kHello || (flags & (kProbes | kWants)) == 0);
  GOSSIP_ASSERT(m.kind != FrameKind::kReply || (flags & kWants) == 0);
  GOSSIP_ASSERT(m.kind != FrameKind::kWalk || flags != 0);
  GOSSIP_ASSERT(m.kind == FrameKind::kWalk || !m.from_initiator);
  if (m.from_initiator) flags |= kFromInitiator;

  Writer w;
  w.reserve(64);
  w.varint(m.xid);
  w.u8(flags);
  if (m.root) w.raw(ByteView(m.root->bytes));
  if (!m.registers.empty()) {
    w.varint(m.registers.size());
    for (std::size_t i = 0; i < m.registers.size(); ++i) {
      GOSSIP_ASSERT(i == 0 || m.registers[i - 1].id < m.registers[i].id);
      encode_pattern_id(w, m.registers[i].id);
      encode_register(w, m.registers[i].reg);
    }
  }
  if (!m.probes.empty()) {
    GOSSIP_ASSERT(m.width >= 1 && m.width <= kSyncWidthMax);
    w.u8(m.width);
    w.varint(m.probes.size());
    for (std::size_t i = 0; i < m.probes.size(); ++i) {
      const SyncProbe& p = m.probes[i];
      GOSSIP_ASSERT(i == 0 || m.probes[i - 1].path < p.path);
      encode_path(w, p.path);
      w.u8(p.inner ? 0 : 1);
      if (p.inner) {
        GOSSIP_ASSERT(p.present != 0);
        GOSSIP_ASSERT(p.digests.size() == std::size_t(std::popcount(p.present)) * m.width);
        w.u8(static_cast<std::uint8_t>(p.present >> 8));
        w.u8(static_cast<std::uint8_t>(p.present & 0xFF));
        w.raw(ByteView(p.digests));
      } else {
        encode_tags(w, p.tags);
      }
    }
  }
  if (!m.wants.empty()) {
    w.varint(m.wants.size());
    for (std::size_t i = 0; i < m.wants.size(); ++i) {
      GOSSIP_ASSERT(i == 0 || m.wants[i - 1].path < m.wants[i].path);
      GOSSIP_ASSERT(!m.wants[i].tags.empty());
      encode_path(w, m.wants[i].path);
      encode_tags(w, m.wants[i].tags);
    }
  }
  return seal_frame(m.kind, w.bytes());
}

Result<SyncMessage> decode_sync_message(ByteView bytes) {
  Result<Frame> frame = open_frame(bytes);
  if (!frame.is_ok()) return frame.status();
  FrameKind kind = frame.value().kind;
  const bool sync = kind == FrameKind::kHello || kind == FrameKind::kReply || kind == FrameKind::kWalk;
  if (!sync && !GOSSIP_RULE("frame.wrong-kind", true)) kind = FrameKind::kHello;  // skipped: taken for a Hello
  if (!sync && kind != FrameKind::kHello) {
    return Status::error(Status::Code::kUnknownTag,
                         "not a sync message: frame kind " +
                             std::to_string(static_cast<int>(kind)));
  }
  Reader r(frame.value().payload, 3);
  SyncMessage m;
  if (!decode_payload(r, kind, &m)) return r.status();
  if (GOSSIP_RULE("frame.trailing", r.remaining() != 0)) {
    r.fail(Status::Code::kNonCanonical,
           std::to_string(r.remaining()) + " trailing bytes after the sync message");
    return r.status();
  }
  return m;
}

}  // namespace gossip
