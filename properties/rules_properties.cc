// Every refusal rule of docs/WIRE_FORMAT.md, through the seam: for each rule, a frame that
// breaks exactly that rule and no other, built byte by byte from a valid message (the same
// bytes the rule-breaking mutator makes for the conformance vectors), is sent to a node where
// the valid message would be joined and answered. The node must leave no trace of it: nothing
// sent, the same exported state, the same fingerprint (when it has one); the valid message,
// sent next under the same exchange id, must then be joined and answered. A decoder that skips
// any one rule accepts its frame, and joins or answers it.
//
// Three places a message can arrive, so that every section has a frame that would be answered:
//   hello: a peer's Hello with two registers the node lacks (the node joins them and replies);
//   reply: a Reply to the node's own Hello, with two registers and a leaf set of the root that
//          lists nothing (the node joins them and walks, sending what the leaf set lacks);
//   want:  a Walk of the responder's side, later in that exchange, that wants one of the node's
//          registers by its tag (the node walks back with that register).
#include "properties/rules_properties.h"

#include <algorithm>
#include <bit>

#include "model/model.h"
#include "properties/rc_support.h"
#include "reference/codec.h"
#include "reference/sync_message.h"

namespace gossip::properties {
namespace {

using namespace support;

constexpr NodeId kNode = 0, kPeer = 1;

// ---- bytes, by hand -------------------------------------------------------------------------

std::string varint(std::uint64_t v) {
  std::string out;
  model::append_varint(out, v);
  return out;
}

// A varint written `pad` bytes longer than it needs: the same value, non-canonical.
std::string overlong(std::uint64_t v, std::size_t pad) {
  std::string out = varint(v);
  out.back() = static_cast<char>(out.back() | 0x80);
  for (std::size_t i = 1; i < pad; ++i) out.push_back(static_cast<char>(0x80));
  out.push_back(0);
  return out;
}

std::string raw_id(std::uint64_t v) {
  const PatternId id = PatternId::from_u64(v);
  return std::string(id.bytes.begin(), id.bytes.end());
}

std::string u32le(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(v >> (8 * i));
  return out;
}

// The parts of one version, as they go on the wire ("Values").
struct VersionParts {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> clock;  // replica (absolute), counter
  std::string summary = "s";
  std::vector<std::uint64_t> episodes = {1, 2};
  std::uint64_t strength = 1;
  std::uint8_t absorbed = 0;  // the absorbed byte: 0 none, 1 a target follows
  std::uint64_t target = 0;
};

std::string clock_bytes(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& entries) {
  std::string out = varint(entries.size());
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    out += varint(i == 0 ? entries[i].first : entries[i].first - previous);
    out += varint(entries[i].second);
    previous = entries[i].first;
  }
  return out;
}

std::string content_bytes(const VersionParts& v) {
  std::string out = varint(v.summary.size()) + v.summary + varint(v.episodes.size());
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < v.episodes.size(); ++i) {
    out += varint(i == 0 ? v.episodes[i] : v.episodes[i] - previous);
    previous = v.episodes[i];
  }
  out += varint(v.strength);
  out.push_back(static_cast<char>(v.absorbed));
  if (v.absorbed == 1) out += raw_id(v.target);
  return out;
}

std::string version_bytes(const VersionParts& v) { return clock_bytes(v.clock) + content_bytes(v); }

std::string register_bytes(const std::vector<VersionParts>& versions) {
  std::string out = varint(versions.size());
  for (const VersionParts& v : versions) out += version_bytes(v);
  return out;
}

// One item of a register section: the id, then the register's bytes.
struct Item {
  std::uint64_t id;
  std::string reg;
};

std::string path_root() { return std::string(1, '\0'); }  // depth 0

struct MessageParts {
  std::uint8_t kind = 5;
  std::string xid;  // its varint
  std::uint8_t flags = 3;
  std::string root = std::string(16, '\x5a');
  std::vector<Item> items;
  std::string register_count;  // "" : varint(items.size())
  std::string probes;          // the whole probe section, width byte included ("" : none)
  std::string wants;           // the whole want section ("" : none)
  std::string tail;            // after the payload
  // Set by the scene of a want: a want at the depth-1 path that holds the wanted register,
  // of its tag and the next one (so that it takes 11 bytes).
  std::string tagged_want;
  // The frame around it.
  std::uint8_t magic = 0x67, format = 1;
  std::uint8_t frame_kind = 0;  // 0: kind
  bool bad_checksum = false;
};

Bytes frame_of(const MessageParts& m) {
  std::string p = m.xid;
  p.push_back(static_cast<char>(m.flags));
  if (m.flags & 1) p += m.root;
  if (m.flags & 2) {
    p += m.register_count.empty() ? varint(m.items.size()) : m.register_count;
    for (const Item& i : m.items) p += raw_id(i.id) + i.reg;
  }
  p += m.probes + m.wants + m.tail;
  std::string f;
  f.push_back(static_cast<char>(m.magic));
  f.push_back(static_cast<char>(m.format));
  f.push_back(static_cast<char>(m.frame_kind ? m.frame_kind : m.kind));
  f += p;
  const std::uint32_t sum = checksum32(std::span(reinterpret_cast<const std::uint8_t*>(f.data()), f.size()));
  f += u32le(m.bad_checksum ? sum ^ 0x10u : sum);
  return Bytes(f.begin(), f.end());
}

// ---- the rules --------------------------------------------------------------------------------

enum class Where { kHello, kReply, kWant };

struct Rule {
  std::string id;          // docs/claims.json: WIRE.rule.<id>; the decoder's GOSSIP_RULE name
  Status::Code refusal;    // the class our decoder gives the broken frame
  Where where;
  std::string what;        // the rule, said for people
  // Edits the valid message so that it breaks the rule (and only it).
  std::function<void(MessageParts&)> breaks;
};

// The two fresh registers every valid message carries (ids 7000 and 7001: no node holds them).
VersionParts fresh_version(std::uint64_t k) {
  VersionParts v;
  v.clock = {{ReplicaId::of(kPeer, 0).value, 1 + k}};
  v.summary = "fresh " + std::to_string(k);
  v.episodes = {k, k + 10};
  v.strength = k;
  return v;
}

// The first fresh register, rewritten from parts (the rest stays valid).
void with_first(MessageParts& m, const std::function<void(std::vector<VersionParts>&)>& edit) {
  std::vector<VersionParts> versions = {fresh_version(0)};
  edit(versions);
  m.items[0].reg = register_bytes(versions);
}
void with_first_raw(MessageParts& m, const std::string& reg) { m.items[0].reg = reg; }

const std::vector<Rule>& rules() {
  using C = Status::Code;
  static const std::vector<Rule> all = [] {
    std::vector<Rule> r;
    auto add = [&](std::string id, C code, Where w, std::string what, std::function<void(MessageParts&)> f) {
      r.push_back(Rule{std::move(id), code, w, std::move(what), std::move(f)});
    };
    const Where H = Where::kHello, R = Where::kReply, W = Where::kWant;
    // Frames.
    add("frame.magic", C::kUnknownTag, H, "a first byte other than 0x67", [](MessageParts& m) { m.magic = 0x68; });
    add("frame.format", C::kUnknownTag, H, "a format version other than 1", [](MessageParts& m) { m.format = 2; });
    add("frame.checksum", C::kChecksumMismatch, H, "a checksum that does not match", [](MessageParts& m) { m.bad_checksum = true; });
    add("frame.wrong-kind", C::kUnknownTag, H, "a Hello's payload in a frame of kind 2 (a register frame)",
        [](MessageParts& m) { m.frame_kind = 2; });
    add("frame.trailing", C::kNonCanonical, H, "a byte after the payload", [](MessageParts& m) { m.tail = std::string(1, '\0'); });
    // Varints.
    add("varint.overlong", C::kNonCanonical, H, "the xid's varint one byte longer than it needs",
        [](MessageParts& m) { m.xid = overlong(4242, 1); });
    add("varint.past-64-bits", C::kOverLimit, H, "a ten-byte varint whose last byte is 0x02 (past 64 bits)",
        [](MessageParts& m) { m.xid = std::string(9, '\xff') + std::string(1, '\x02'); });
    // Counts over their limits, where the bytes are there to take them.
    add("count.over-limit:clock entry count", C::kOverLimit, H, "a clock of 257 entries",
        [](MessageParts& m) {
          with_first(m, [](std::vector<VersionParts>& v) {
            v[0].clock.clear();
            for (std::uint64_t k = 1; k <= 257; ++k) v[0].clock.push_back({k, 1});
          });
        });
    add("count.over-limit:summary length", C::kOverLimit, H, "a summary of 1,025 bytes",
        [](MessageParts& m) { with_first(m, [](std::vector<VersionParts>& v) { v[0].summary.assign(1025, 'a'); }); });
    add("count.over-limit:episode count", C::kOverLimit, H, "1,025 episodes",
        [](MessageParts& m) {
          with_first(m, [](std::vector<VersionParts>& v) {
            v[0].episodes.clear();
            for (std::uint64_t e = 0; e < 1025; ++e) v[0].episodes.push_back(e);
          });
        });
    add("count.over-limit:sibling count", C::kOverLimit, H, "a register of 33 concurrent versions",
        [](MessageParts& m) {
          with_first(m, [](std::vector<VersionParts>& v) {
            v.clear();
            for (std::uint64_t k = 1; k <= 33; ++k) {
              VersionParts p = fresh_version(0);
              p.clock = {{k, 1}};
              v.push_back(p);
            }
          });
        });
    // Clocks.
    add("clock.empty", C::kInvalid, H, "a clock of no entries",
        [](MessageParts& m) { with_first(m, [](std::vector<VersionParts>& v) { v[0].clock.clear(); }); });
    add("clock.replica-order", C::kNonCanonical, H, "a replica delta of 0 (one replica twice)",
        [](MessageParts& m) {
          with_first(m, [](std::vector<VersionParts>& v) { v[0].clock = {{5, 1}, {5, 2}}; });
        });
    add("clock.replica-overflow", C::kInvalid, H, "replica deltas whose sum passes 2^64 - 1",
        [](MessageParts& m) {
          VersionParts v = fresh_version(0);
          const std::string clock = varint(2) + varint(~std::uint64_t{0} - 1) + varint(1) + varint(5) + varint(1);
          with_first_raw(m, varint(1) + clock + content_bytes(v));
        });
    add("clock.counter-zero", C::kNonCanonical, H, "a clock entry of counter 0",
        [](MessageParts& m) { with_first(m, [](std::vector<VersionParts>& v) { v[0].clock = {{5, 1}, {9, 0}}; }); });
    // Summaries: not well-formed UTF-8, in each of its ways.
    static const std::pair<const char*, const char*> kUtf8[] = {
        {"utf8.lead", "\x80"},                   // a continuation byte first
        {"utf8.cut", "ab\xe2\x82"},              // a sequence cut by the end of the summary
        {"utf8.continuation", "\xe2\x28\xa1"},   // a lead byte followed by no continuation byte
        {"utf8.overlong", "\xc0\xaf"},           // '/' in two bytes
        {"utf8.above-max", "\xf4\x90\x80\x80"},  // U+110000
        {"utf8.surrogate", "\xed\xa0\x80"},      // U+D800
    };
    for (const auto& [id, bytes] : kUtf8) {
      const std::string summary = bytes;
      add(id, C::kInvalid, H, std::string("a summary that is not well-formed UTF-8 (") + id + ")",
          [summary](MessageParts& m) { with_first(m, [&](std::vector<VersionParts>& v) { v[0].summary = summary; }); });
    }
    // Contents.
    add("episodes.order", C::kNonCanonical, H, "an episode delta of 0 (one episode twice)",
        [](MessageParts& m) { with_first(m, [](std::vector<VersionParts>& v) { v[0].episodes = {3, 3}; }); });
    add("episodes.overflow", C::kInvalid, H, "episode deltas whose sum passes 2^64 - 1",
        [](MessageParts& m) {
          VersionParts v = fresh_version(0);
          std::string content = varint(v.summary.size()) + v.summary + varint(2) + varint(~std::uint64_t{0} - 1) + varint(5) +
                                varint(v.strength) + std::string(1, '\0');
          with_first_raw(m, varint(1) + clock_bytes(v.clock) + content);
        });
    add("strength.limit", C::kOverLimit, H, "a strength of 2^32",
        [](MessageParts& m) { with_first(m, [](std::vector<VersionParts>& v) { v[0].strength = std::uint64_t{1} << 32; }); });
    add("absorbed.flag", C::kUnknownTag, H, "an absorbed byte of 2",
        [](MessageParts& m) { with_first(m, [](std::vector<VersionParts>& v) { v[0].absorbed = 2; }); });
    // Registers.
    add("register.empty", C::kInvalid, H, "a register of no versions",
        [](MessageParts& m) { with_first_raw(m, varint(0)); });
    add("register.conflict", C::kConflictingWrite, H, "two siblings with equal clocks and different content",
        [](MessageParts& m) {
          with_first(m, [](std::vector<VersionParts>& v) {
            VersionParts b = v[0];
            b.strength += 1;
            b.summary += "!";
            v.push_back(b);
          });
        });
    add("register.repeat", C::kNonCanonical, H, "a sibling written twice",
        [](MessageParts& m) { with_first(m, [](std::vector<VersionParts>& v) { v.push_back(v[0]); }); });
    add("register.order", C::kNonCanonical, H, "two concurrent siblings out of canonical order",
        [](MessageParts& m) {
          with_first(m, [](std::vector<VersionParts>& v) {
            VersionParts a = v[0], b = v[0];
            a.clock = {{9, 1}};
            b.clock = {{5, 1}};
            b.summary = "other";
            v = {a, b};
          });
        });
    add("register.dominated", C::kInvalid, H, "a sibling dominated by the other",
        [](MessageParts& m) {
          with_first(m, [](std::vector<VersionParts>& v) {
            VersionParts a = v[0], b = v[0];
            a.clock = {{5, 1}};
            b.clock = {{5, 2}};
            b.summary = "later";
            v = {a, b};
          });
        });
    // Sync messages: flags against the kind, sections.
    add("sync.flags", C::kUnknownTag, H, "a flag bit above 16 (32)", [](MessageParts& m) { m.flags |= 32; });
    add("sync.root-flag", C::kInvalid, H, "a Hello without its root flag", [](MessageParts& m) { m.flags = static_cast<std::uint8_t>(m.flags & ~1u); });
    add("sync.hello-probes-wants", C::kInvalid, H, "a Hello with a probe section",
        [](MessageParts& m) {
          m.flags |= 4;
          m.probes = std::string(1, '\x02') + varint(1) + path_root() + std::string(1, '\x01') + varint(0);
        });
    add("sync.flag16", C::kInvalid, H, "flag 16 on a Hello", [](MessageParts& m) { m.flags |= 16; });
    add("sync.registers-empty", C::kNonCanonical, H, "an empty register section",
        [](MessageParts& m) { m.items.clear(); });
    add("sync.register-order", C::kNonCanonical, H, "register ids not strictly ascending",
        [](MessageParts& m) { std::swap(m.items[0], m.items[1]); });
    // In a Reply: its probes.
    auto leaf_probe = [](const std::string& path, const std::vector<std::uint32_t>& tags) {
      std::string out = path + std::string(1, '\x01') + varint(tags.size());
      for (std::uint32_t t : tags) out += u32le(t);
      return out;
    };
    add("sync.reply-wants", C::kInvalid, R, "a Reply with a want section",
        [](MessageParts& m) {
          m.flags |= 8;
          m.wants = varint(1) + path_root() + varint(1) + u32le(7);
        });
    add("sync.width", C::kInvalid, R, "a probe width of 0",
        [leaf_probe](MessageParts& m) { m.probes = std::string(1, '\0') + varint(1) + leaf_probe(path_root(), {}); });
    add("sync.probes-empty", C::kNonCanonical, R, "an empty probe section",
        [](MessageParts& m) { m.probes = std::string(1, '\x02') + varint(0); });
    add("sync.path-depth", C::kOverLimit, R, "a probe path 33 nibbles deep",
        [leaf_probe](MessageParts& m) {
          m.probes = std::string(1, '\x02') + varint(1) + leaf_probe(std::string(1, '\x21') + std::string(17, '\0'), {});
        });
    add("sync.path-nibble", C::kNonCanonical, R, "a path of odd depth whose spare nibble is not zero",
        [leaf_probe](MessageParts& m) {
          m.probes = std::string(1, '\x02') + varint(1) + leaf_probe(std::string(1, '\x01') + std::string(1, '\x01'), {});
        });
    add("sync.probe-order", C::kNonCanonical, R, "two probes of the same path",
        [leaf_probe](MessageParts& m) {
          m.probes = std::string(1, '\x02') + varint(2) + leaf_probe(path_root(), {}) + leaf_probe(path_root(), {});
        });
    add("sync.probe-type", C::kUnknownTag, R, "a probe of type 2",
        [](MessageParts& m) { m.probes = std::string(1, '\x02') + varint(1) + path_root() + std::string(1, '\x02') + varint(0); });
    add("sync.probe-present", C::kNonCanonical, R, "an inner probe of no child (present = 0)",
        [](MessageParts& m) {
          m.probes = std::string(1, '\x02') + varint(1) + path_root() + std::string(1, '\0') + std::string(2, '\0');
        });
    add("sync.tags-order", C::kNonCanonical, R, "a leaf set whose tags are not strictly ascending",
        [leaf_probe](MessageParts& m) { m.probes = std::string(1, '\x02') + varint(1) + leaf_probe(path_root(), {9, 3}); });
    // In a Walk of the responder's side: its wants (the valid one wants one register by tag).
    add("sync.wants-empty", C::kNonCanonical, W, "an empty want section", [](MessageParts& m) { m.wants = varint(0); });
    add("sync.want-no-tags", C::kNonCanonical, W, "a want of no tags",
        // A second want after it, that wants the register: the count (6 bytes a want at least)
        // fits the bytes left, and a decoder that skips the rule answers the second.
        [](MessageParts& m) { m.wants = varint(2) + path_root() + varint(0) + m.tagged_want; });
    add("sync.want-order", C::kNonCanonical, W, "two wants of the same path",
        [](MessageParts& m) {
          // The valid want, then itself again.
          const std::string one = m.wants.substr(varint(1).size());
          m.wants = varint(2) + one + one;
        });
    add("sync.walk-empty", C::kInvalid, W, "a Walk with no section (flags 0)",
        [](MessageParts& m) {
          m.flags = 0;
          m.wants.clear();
        });
    return r;
  }();
  return all;
}

// What a node is doing when a message of each place arrives, and the valid message there.
struct Scene {
  std::unique_ptr<NodeUnderTest> node;
  MessageParts valid;
  std::uint64_t xid = 0;
};

std::string item_register(std::uint64_t k) { return register_bytes({fresh_version(k)}); }

// The node's next Hello to kPeer, ticking it every 100 ms from *now, at most `ticks` times.
std::optional<SyncMessage> next_hello(NodeUnderTest& node, Time* now, int ticks) {
  for (int k = 0; k < ticks; ++k) {
    *now += 100'000;
    node.tick(*now);
    for (const Outgoing& out : outbox(node)) {
      Result<SyncMessage> d = decode_sync_message(out.bytes);
      if (d.is_ok() && d.value().kind == FrameKind::kHello && out.to == kPeer) return d.value();
    }
  }
  return std::nullopt;
}

// A node of two members (it and kPeer) holding `patterns` genesis patterns, brought to where a
// message of `where` would be answered; the valid message for that place.
Scene scene(const RunOptions& o, Where where, std::uint64_t seed, std::uint32_t patterns) {
  Scene s;
  auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{kNode, kPeer});
  NodeConfig config;
  config.cluster_seed = 7;
  s.node = seam_node(o, kNode, members, config, seed, genesis_state(patterns));
  s.node->tick(0);
  (void)outbox(*s.node);
  MessageParts m;
  m.items = {Item{7000, item_register(0)}, Item{7001, item_register(1)}};
  if (where == Where::kHello) {
    s.xid = 4242;
    m.kind = 5;
    m.flags = 3;
    m.xid = varint(s.xid);
    s.valid = m;
    return s;
  }
  // The node's own Hello, within its first two intervals.
  Time now = 0;
  const std::optional<SyncMessage> hello = next_hello(*s.node, &now, 20);
  if (!hello) throw ImplementationError("the node started no exchange in its first two intervals (ticked every 100 ms)");
  s.xid = hello->xid;
  // The Reply: two fresh registers, and a leaf set of the root that lists nothing.
  m.kind = 6;
  m.flags = 1 | 2 | 4;
  m.xid = varint(s.xid);
  m.probes = std::string(1, '\x02') + varint(1) + path_root() + std::string(1, '\x01') + varint(0);
  if (where == Where::kReply) {
    s.valid = m;
    return s;
  }
  s.node->receive(kPeer, frame_of(m));
  const std::vector<Outgoing> walked = outbox(*s.node);
  if (walked.empty()) throw ImplementationError("the node did not answer a Reply to its own Hello");
  // A Walk of the responder's side that wants the node's first genesis register by its tag.
  const State& held = s.node->state();
  std::optional<std::pair<PatternId, Register>> first;
  held.for_each([&](const PatternId& id, const Register& reg) {
    if (!first) first.emplace(id, reg);
  });
  if (!first) throw ImplementationError("the node holds nothing to want");
  const std::uint64_t salt = sync_salt(config.cluster_seed, kNode, s.xid);
  const std::uint32_t tag = sync_entry_tag(salt, held.tree().entry_digest(first->first, first->second));
  MessageParts w;
  w.kind = 7;
  w.flags = 8;  // wants; sent by the responder (flag 16 clear)
  w.xid = varint(s.xid);
  w.wants = varint(1) + path_root() + varint(1) + u32le(tag);
  const std::uint8_t nibble = static_cast<std::uint8_t>(held.tree().placement_key(first->first).bytes[0] >> 4);
  w.tagged_want = std::string(1, '\x01') + std::string(1, static_cast<char>(nibble << 4)) + varint(2) + u32le(tag) +
                  u32le(tag == UINT32_MAX ? tag : tag + 1);
  if (tag == UINT32_MAX) w.tagged_want = std::string(1, '\x01') + std::string(1, static_cast<char>(nibble << 4)) + varint(2) +
                                         u32le(tag - 1) + u32le(tag);
  s.valid = w;
  return s;
}

bool answered(const std::vector<Outgoing>& out, FrameKind kind, std::uint64_t xid) {
  return std::any_of(out.begin(), out.end(), [&](const Outgoing& o) {
    Result<SyncMessage> d = decode_sync_message(o.bytes);
    return o.to == kPeer && d.is_ok() && d.value().kind == kind && d.value().xid == xid;
  });
}

const char* where_name(Where w) { return w == Where::kHello ? "a Hello" : w == Where::kReply ? "a Reply" : "a Walk"; }

// The child bitmap of a node's tree at the root, big-endian as a probe carries it.
std::uint16_t root_children(const State& s) {
  const MerkleTree::NodeView v = s.tree().node_at({});
  std::uint16_t present = 0;
  for (std::uint8_t i = 0; i < MerkleTree::kFanout; ++i) {
    if (!(v.children[i] == Digest{})) present = static_cast<std::uint16_t>(present | (1u << i));
  }
  return present;
}

}  // namespace

// docs/WIRE_FORMAT.md, "Walk hashes": the probes a wire node sends carry its children's
// digests truncated to the width, and its entries' tags, each salted by the cluster seed, the
// initiator and the xid of the exchange, so that a collision of truncated digests in one
// exchange does not repeat in the next. A node is asked to walk (a Reply to its own Hello
// whose root probe says every child differs); every probe of its answer must be exactly what
// the document computes from the node's exported state, in this exchange and the next.
Outcome walk_hashes_as_specified(const RunOptions& o) {
  return run_property("walk_hashes_as_specified", o, o.profile.size, [&o] {
    const auto seed = *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(1, 1u << 30));
    const auto patterns = *rc::gen::resize(100, rc::gen::element<std::uint32_t>(12, 40, 200, 1500));
    const auto width = *rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(1, 9));
    recorder->note_case(patterns);
    auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{kNode, kPeer});
    NodeConfig config;
    config.cluster_seed = 7;
    config.walk_width = static_cast<std::uint8_t>(width);
    const auto node = seam_node(o, kNode, members, config, seed, genesis_state(patterns));
    node->tick(0);
    (void)outbox(*node);
    Time now = 0;
    for (int exchange = 0; exchange < 2; ++exchange) {
      const std::optional<SyncMessage> hello = next_hello(*node, &now, 40);
      if (!hello) throw ImplementationError("the node started no exchange within 4 intervals");
      const State held = node->state();
      const std::uint16_t present = root_children(held);
      RC_PRE(present != 0);
      // A Reply whose root probe gives every child a digest the node's cannot match.
      MessageParts reply;
      reply.kind = 6;
      reply.flags = 1 | 4;
      reply.xid = varint(hello->xid);
      reply.probes = std::string(1, static_cast<char>(width)) + varint(1) + path_root() + std::string(1, '\0') +
                     std::string(1, static_cast<char>(present >> 8)) + std::string(1, static_cast<char>(present & 0xff)) +
                     std::string(static_cast<std::size_t>(std::popcount(present)) * width, '\0');
      node->receive(kPeer, frame_of(reply));
      const std::uint64_t salt = sync_salt(config.cluster_seed, kNode, hello->xid);
      std::size_t probes = 0;
      for (const Outgoing& out : outbox(*node)) {
        Result<SyncMessage> d = decode_sync_message(out.bytes);
        if (!d.is_ok() || d.value().kind != FrameKind::kWalk || d.value().xid != hello->xid) continue;
        for (const SyncProbe& p : d.value().probes) {
          ++probes;
          const MerkleTree::NodeView v = held.tree().node_at(p.path.nibbles);
          std::string path;
          for (std::uint8_t n : p.path.nibbles) path += "0123456789abcdef"[n];
          const std::string where = "exchange " + std::to_string(hello->xid) + " (salt of cluster seed 7, initiator 0, xid " +
                                    std::to_string(hello->xid) + "), the probe of path \"" + path + "\"";
          if (p.inner) {
            std::vector<std::uint8_t> want;
            std::uint16_t bits = 0;
            for (std::uint8_t i = 0; i < MerkleTree::kFanout; ++i) {
              if (v.children[i] == Digest{}) continue;
              bits = static_cast<std::uint16_t>(bits | (1u << i));
              const std::size_t at = want.size();
              want.resize(at + d.value().width);
              sync_child_tag(salt, v.children[i], d.value().width, want.data() + at);
            }
            if (!v.exists || v.leaf || bits != p.present || want != p.digests) {
              GOSSIP_PROP_FAIL(patterns, "wire: " + where + " carries child digests " + to_hex(p.digests) +
                                             "; docs/WIRE_FORMAT.md (\"Walk hashes\") gives " + to_hex(want) +
                                             " for the node's exported state");
            }
          } else {
            std::vector<std::uint32_t> want;
            held.tree().for_each_under(p.path.nibbles, [&](const MerkleTree::Entry& e) {
              want.push_back(sync_entry_tag(salt, e.digest));
              return true;
            });
            std::sort(want.begin(), want.end());
            want.erase(std::unique(want.begin(), want.end()), want.end());
            if (want != p.tags) {
              GOSSIP_PROP_FAIL(patterns, "wire: " + where + " is a leaf set of " + std::to_string(p.tags.size()) +
                                             " tags that are not the entry tags docs/WIRE_FORMAT.md (\"Walk hashes\") "
                                             "gives for the node's exported state (" + std::to_string(want.size()) + ")");
            }
          }
        }
      }
      if (probes == 0) {
        GOSSIP_PROP_FAIL(patterns, "wire: a Reply whose root probe differs in every child was answered with no probe in "
                                   "exchange " + std::to_string(hello->xid));
      }
      now += config.gossip_interval;  // the next exchange
    }
  });
}

std::vector<std::string> decode_rule_ids() {
  std::vector<std::string> out;
  for (const Rule& r : rules()) out.push_back(r.id);
  return out;
}

Outcome refused_rules_leave_no_trace(const RunOptions& o) {
  return run_property("refused_rules_leave_no_trace", o, o.profile.size, [&o] {
    const auto seed = *rc::gen::resize(100, rc::gen::inRange<std::uint64_t>(1, 1u << 30));
    const auto patterns = *rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(3, 40));
    recorder->note_case(rules().size());
    for (const Rule& rule : rules()) {
      Scene s = scene(o, rule.where, seed, patterns);
      MessageParts broken = s.valid;
      rule.breaks(broken);
      const Bytes bad = frame_of(broken);
      const std::string where = std::string(where_name(rule.where)) + " that breaks " + rule.id + " (" + rule.what + ")";
      // The suite's own decoder must refuse it with the rule's class: else this property is wrong.
      const Result<SyncMessage> ours = decode_sync_message(bad);
      if (ours.is_ok() || ours.status().code() != rule.refusal) {
        GOSSIP_PROP_FAIL(1, "suite: " + where + " is not refused by the suite's decoder as the rule says (" +
                                (ours.is_ok() ? std::string("accepted") : ours.status().message()) + ")");
      }
      const State before = s.node->state();
      std::string fp_before, fp_after;
      const bool has_fp = s.node->append_fingerprint(&fp_before);
      s.node->receive(kPeer, bad);
      const std::vector<Outgoing> out = outbox(*s.node);
      if (!out.empty()) {
        GOSSIP_PROP_FAIL(1, "I11: " + where + " was answered (" + std::to_string(out.size()) +
                                " messages); docs/WIRE_FORMAT.md refuses it (" + ours.status().message() +
                                "), and a refused message is dropped whole; the frame: " + to_hex(bad).substr(0, 200));
      }
      if (!(s.node->state() == before)) {
        GOSSIP_PROP_FAIL(1, "I11: " + where + " changed the node's state; docs/WIRE_FORMAT.md refuses it (" +
                                ours.status().message() + "); the frame: " + to_hex(bad).substr(0, 200));
      }
      if (has_fp && s.node->append_fingerprint(&fp_after) && fp_after != fp_before) {
        GOSSIP_PROP_FAIL(1, "I11: " + where + " changed the node's fingerprint (it remembered something of a refused "
                                "frame); the frame: " + to_hex(bad).substr(0, 200));
      }
      // The same message made right, under the same exchange id, is joined and answered.
      s.node->receive(kPeer, frame_of(s.valid));
      const std::vector<Outgoing> now = outbox(*s.node);
      const FrameKind answer = rule.where == Where::kHello ? FrameKind::kReply : FrameKind::kWalk;
      const bool joined = rule.where == Where::kWant || (s.node->state().find(PatternId::from_u64(7000)) != nullptr &&
                                                         s.node->state().find(PatternId::from_u64(7001)) != nullptr);
      if (!joined || !answered(now, answer, s.xid)) {
        GOSSIP_PROP_FAIL(1, "I11: after " + where + ", the same message made right was not " +
                                (joined ? "answered" : "joined") + ": the refused frame left a trace (or a valid " +
                                where_name(rule.where) + " is not handled)");
      }
    }
  }, std::max(20, o.profile.cases / 20));  // each case runs every rule
}

}  // namespace gossip::properties
