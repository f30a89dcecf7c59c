#include "tests/docs/vectors.h"

#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "reference/bytes.h"
#include "reference/codec.h"
#include "reference/node.h"
#include "reference/operations.h"
#include "reference/resolve.h"
#include "reference/sync_message.h"
#include "tests/docs/wire_json.h"

namespace gossip::docs {
namespace {

constexpr std::uint64_t kSeed = 0x5eed;

std::string hex64(std::uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

ReplicaId rid(std::uint32_t node) { return ReplicaId::of(node, 0); }

Content content(std::string summary, std::vector<EpisodeId> episodes, std::uint32_t strength) {
  Content c;
  c.summary = std::move(summary);
  c.episodes = std::move(episodes);
  c.strength = strength;
  return c;
}

void must(const Status& s) {
  if (!s.is_ok()) throw std::runtime_error("vectors: " + s.to_string());
}

// The rule-built state of the vectors: patterns 1..n, pattern i with id i (16 bytes,
// big-endian), created by replica (node 1, incarnation 0) with summary "p<i>", episodes {i},
// strength i.
State rule_state(std::uint32_t n) {
  State s(kSeed);
  for (std::uint32_t i = 1; i <= n; ++i) {
    std::string summary = "p";  // not "p" + to_string: gcc 12 at -O3 warns falsely (-Wrestrict)
    summary += std::to_string(i);
    must(create(s, rid(1), PatternId::from_u64(i), content(summary, {i}, i)));
  }
  return s;
}

// The golden state of docs/WIRE_FORMAT.md since issue 1: two patterns, one leaf.
State golden_state() {
  State s(kSeed);
  must(create(s, rid(1), PatternId::from_u64(1), content("a", {1, 2}, 3)));
  must(create(s, rid(2), PatternId::from_u64(2), content("b", {2}, 0)));
  return s;
}

// A frame vector: the bytes and what the reference decodes them to.
Vector frame_vector(std::string name, const Bytes& frame, bool with_seed = false) {
  Vector v{std::move(name), {}};
  v.fields.emplace_back("frame", to_hex(frame));
  if (with_seed) v.fields.emplace_back("seed", hex64(kSeed));
  v.fields.emplace_back("json", frame_json(frame, kSeed).dump(-1, ' ', /*ensure_ascii=*/true));
  return v;
}

Bytes from_hex(const std::string& text) {
  Bytes out;
  std::string digits;
  for (char c : text) {
    if (c != ' ') digits.push_back(c);
  }
  if (digits.size() % 2 != 0) throw std::runtime_error("vectors: odd hex " + text);
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string varint(std::uint64_t v) {
  Writer w;
  w.varint(v);
  return to_hex(w.bytes());
}

// A frame with any header byte and a correct checksum over what precedes it.
Bytes raw_frame(std::uint8_t magic, std::uint8_t version, std::uint8_t kind, const std::string& payload_hex) {
  Writer w;
  w.u8(magic);
  w.u8(version);
  w.u8(kind);
  w.raw(ByteView(from_hex(payload_hex)));
  w.u32_le(checksum32(w.bytes()));
  return w.take();
}
Bytes sealed(std::uint8_t kind, const std::string& payload_hex) { return raw_frame(0x67, 1, kind, payload_hex); }

// A refusal: the reference must refuse `frame` with `code`, or the vector (and the spec's
// table beside it) is wrong.
Vector refusal(std::string name, const Bytes& frame, const char* code) {
  Vector v = frame_vector(std::move(name), frame);
  const nlohmann::json got = frame_json(frame, kSeed);
  if (!got.contains("error") || got["error"] != code) {
    throw std::runtime_error("vectors: " + v.name + ": expected " + code + ", the reference says " + got.dump());
  }
  return v;
}
Vector accepted(std::string name, const Bytes& frame) {
  Vector v = frame_vector(std::move(name), frame);
  if (frame_json(frame, kSeed).contains("error")) {
    throw std::runtime_error("vectors: " + v.name + ": expected to decode, got " + v.fields.back().second);
  }
  return v;
}

// Pieces of payloads, in hex.
const std::string kId1 = "00000000000000000000000000000001";
const std::string kId2 = "00000000000000000000000000000002";
// Bytes after the point of failure, so that a count check does not fail first.
const std::string kPad = "0000000000000000";
const std::string kEmptyContent = "00 00 00 00";  // summary "", no episodes, strength 0, not absorbed
std::string clock1(std::uint64_t replica, std::uint64_t counter) { return "01" + varint(replica) + varint(counter); }
std::string version(const std::string& clock, const std::string& content = kEmptyContent) { return clock + content; }
const std::string kVersion = version(clock1(1, 1));  // 01 01 01 00 00 00 00: 7 bytes, the smallest
std::string reg(const std::string& versions, std::uint64_t n = 1) { return varint(n) + versions; }

void add_hash_vectors(std::vector<Vector>& out) {
  out.push_back({"xxh3-64 of no bytes, seed 0", {{"input", ""}, {"seed", hex64(0)}, {"xxh3_64", hex64(hash64(0, {}))}}});
  out.push_back({"xxh3-128 of no bytes, seed 0", {{"input", ""}, {"seed", hex64(0)}, {"xxh3_128", hash128(0, {}).hex()}}});
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  out.push_back({"xxh3-64 of abc, seed 0x5eed", {{"input", to_hex(abc)}, {"seed", hex64(kSeed)}, {"xxh3_64", hex64(hash64(kSeed, abc))}}});
  out.push_back({"xxh3-128 of abc, seed 0x5eed", {{"input", to_hex(abc)}, {"seed", hex64(kSeed)}, {"xxh3_128", hash128(kSeed, abc).hex()}}});
  // XXH3 at the edges of each of its code paths (0; 1-3; 4-8; 9-16; 17-128; 129-240; above 240:
  // the long loop, 1,025 bytes crossing its first block of stripes), under seed 0 and under a
  // seed with the top bit set (above 240 bytes a seed other than 0 derives its own secret).
  // Input: byte i is i mod 256.
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{0x9e3779b97f4a7c15}}) {
    static constexpr std::size_t kLengths[] = {0, 1, 3, 4, 8, 9, 16, 17, 128, 129, 240, 241, 1024, 1025};
    for (std::size_t length : kLengths) {
      Bytes input(length);
      for (std::size_t i = 0; i < length; ++i) input[i] = static_cast<std::uint8_t>(i % 256);
      out.push_back({"xxh3 of " + std::to_string(length) + " bytes, seed " + (seed == 0 ? std::string("0") : hex64(seed)),
                     {{"length", std::to_string(length)},
                      {"seed", hex64(seed)},
                      {"xxh3_64", hex64(hash64(seed, input))},
                      {"xxh3_128", hash128(seed, input).hex()}}});
    }
  }
  const State golden = golden_state();
  const PatternId id1 = PatternId::from_u64(1);
  const Register& reg1 = *golden.find(id1);
  out.push_back({"placement key", {{"seed", hex64(kSeed)}, {"id", id1.hex()}, {"key", golden.tree().placement_key(id1).hex()}}});
  const Digest entry = golden.tree().entry_digest(id1, reg1);
  out.push_back({"entry digest",
                 {{"seed", hex64(kSeed)}, {"register_frame", to_hex(encode_register_frame(id1, reg1))}, {"entry", entry.hex()}}});
  const std::uint64_t salt = sync_salt(kSeed, 7, 300);
  out.push_back({"exchange salt", {{"seed", hex64(kSeed)}, {"initiator", "7"}, {"xid", "300"}, {"salt", hex64(salt)}}});
  for (std::uint8_t width : {std::uint8_t{2}, std::uint8_t{8}}) {
    std::uint8_t tag[kSyncWidthMax];
    sync_child_tag(salt, golden.root(), width, tag);
    out.push_back({"child digest in a probe, width " + std::to_string(width),
                   {{"salt", hex64(salt)}, {"child", golden.root().hex()}, {"width", std::to_string(width)},
                    {"child_digest", to_hex(ByteView(tag, width))}}});
  }
  out.push_back({"entry tag", {{"salt", hex64(salt)}, {"entry", entry.hex()}, {"tag", std::to_string(sync_entry_tag(salt, entry))}}});
  Writer w;
  encode_content(w, reg1.siblings().front().content);
  out.push_back({"content digest (the resolved view's tie-break)", {{"content", to_hex(w.bytes())}, {"digest", content_digest(reg1.siblings().front().content).hex()}}});
}

void add_tree_vectors(std::vector<Vector>& out) {
  const State golden = golden_state();
  Vector g = frame_vector("golden state: two patterns, one leaf", encode_state_frame(golden), true);
  g.fields.emplace_back("root", golden.root().hex());
  out.push_back(g);
  out.push_back(frame_vector("golden root as a digest frame", encode_digest_frame(golden.root())));
  {
    Vector other = frame_vector("golden state under cluster seed 0", encode_state_frame(golden));
    other.fields.back().second = frame_json(encode_state_frame(golden), 0).dump(-1, ' ', true);
    other.fields.insert(other.fields.begin() + 1, {"seed", hex64(0)});
    other.fields.emplace_back("root", State::from_registers(0, {{PatternId::from_u64(1), *golden.find(PatternId::from_u64(1))},
                                                              {PatternId::from_u64(2), *golden.find(PatternId::from_u64(2))}})
                                          .root()
                                          .hex());
    out.push_back(other);
  }
  {
    Version v;
    v.clock = VectorClock({{ReplicaId::of(3, 1), 7}, {ReplicaId::of(5, 0), 1}});
    v.content = content("x\u00e9\u4e2d\U0001F600 ok", {3, 200, 70000}, 4000000000u);
    v.content.absorbed_into = PatternId::from_u64(0xabcdef);
    out.push_back(accepted("a version frame: two clock entries, a multi-byte summary, a target", encode_version_frame(PatternId::from_u64(2), v)));
    SyncMessage hello;
    hello.kind = FrameKind::kHello;
    hello.xid = 77;
    hello.root = golden.root();
    golden.for_each([&](const PatternId& id, const Register& r) { hello.registers.push_back(SyncItem{id, r}); });
    out.push_back(accepted("a hello with two fresh registers", encode_sync_message(hello)));
    SyncMessage reply = hello;
    reply.kind = FrameKind::kReply;
    reply.registers.pop_back();
    reply.width = 1;
    SyncProbe root_probe;
    root_probe.inner = true;
    root_probe.present = 0x0102;
    root_probe.digests = {0x11, 0x22};
    reply.probes.push_back(root_probe);
    out.push_back(accepted("a reply with a register and an inner probe of width 1", encode_sync_message(reply)));
  }
  for (std::uint32_t n : {9u, 200u}) {
    const State s = rule_state(n);
    Vector v{"rule-built state, n = " + std::to_string(n), {{"seed", hex64(kSeed)}, {"patterns", std::to_string(n)}}};
    if (n <= 9) v.fields.emplace_back("frame", to_hex(encode_state_frame(s)));
    v.fields.emplace_back("root", s.root().hex());
    for (std::uint8_t i = 0; i < 16; ++i) {
      const std::uint8_t path[1] = {i};
      const MerkleTree::NodeView child = s.tree().node_at(path);
      if (!child.exists) continue;
      static const char* kHex = "0123456789abcdef";
      v.fields.emplace_back(std::string("child ") + kHex[i],
                            std::string(child.leaf ? "leaf " : "inner ") + std::to_string(child.count) + " " + child.digest.hex());
    }
    out.push_back(v);
  }
}

// One exchange between two real nodes: every message it takes, in order.
void add_exchange_vectors(std::vector<Vector>& out) {
  auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{7, 9});
  NodeConfig config;
  config.cluster_seed = kSeed;
  State a_state = rule_state(12);
  must(create(a_state, rid(7), PatternId::from_u64(14), content("only at 7", {14}, 1)));
  State b_state = rule_state(12);
  must(refine(b_state, rid(9), PatternId::from_u64(5), content("p5, refined at 9", {5, 50}, 6)));
  must(create(b_state, rid(9), PatternId::from_u64(13), content("only at 9", {13}, 1)));
  Node a(7, rid(7), members, config, 1, a_state);
  Node b(9, rid(9), members, config, 2, b_state);
  a.tick(a.next_wakeup());
  std::vector<Outgoing> flight = a.take_outbox();
  const char* names[] = {"hello", "reply", "walk", "walk", "walk", "walk", "walk", "walk"};
  std::size_t k = 0;
  while (!flight.empty() && k < 8) {
    Outgoing m = std::move(flight.front());
    flight.erase(flight.begin());
    const bool to_b = m.to == 9;
    out.push_back(accepted("exchange, message " + std::to_string(k + 1) + ": " + names[std::min<std::size_t>(k, 7)] +
                               (to_b ? " from 7 to 9" : " from 9 to 7"),
                           m.bytes));
    ++k;
    Node& receiver = to_b ? b : a;
    receiver.receive(to_b ? 7 : 9, m.bytes);
    for (Outgoing& o : receiver.take_outbox()) flight.push_back(std::move(o));
  }
  if (a.state().root() != b.state().root()) throw std::runtime_error("vectors: the exchange did not converge");
  out.push_back({"exchange, both roots after it", {{"root", a.state().root().hex()}}});
}

void add_message_vectors(std::vector<Vector>& out) {
  for (std::uint64_t xid : {std::uint64_t{1}, std::uint64_t{300}, std::uint64_t{1} << 14}) {
    SyncMessage hello;
    hello.kind = FrameKind::kHello;
    hello.xid = xid;
    hello.root = golden_state().root();
    const Bytes bytes = encode_sync_message(hello);
    Vector v = accepted("in-sync hello, xid " + std::to_string(xid) + ": " + std::to_string(bytes.size()) + " bytes", bytes);
    out.push_back(v);
  }
  SyncMessage reply;
  reply.kind = FrameKind::kReply;
  reply.xid = 300;
  reply.root = Digest{};
  reply.width = 2;
  reply.probes.push_back(SyncProbe{});  // an empty leaf set at the root: a node holding nothing
  out.push_back(accepted("reply of an empty node: the 3-byte probe", encode_sync_message(reply)));
  SyncMessage walk;
  walk.kind = FrameKind::kWalk;
  walk.xid = ~std::uint64_t{0};
  walk.width = 8;
  SyncProbe deep;
  deep.path.nibbles.assign(32, 15);
  deep.tags = {0, 0xffffffffu};
  SyncProbe odd;
  odd.path.nibbles = {10, 7, 12};
  odd.inner = true;
  odd.present = 0x8001;
  odd.digests = from_hex("0102030405060708 1112131415161718");
  SyncProbe prefix;
  prefix.path.nibbles = {10, 7};
  prefix.tags = {};
  walk.probes = {prefix, odd, deep};
  walk.wants.push_back(SyncWant{SyncPath{{0}}, {5}});
  walk.wants.push_back(SyncWant{SyncPath{{0, 0}}, {1, 2}});
  out.push_back(accepted("walk at the edges: xid 2^64 - 1, width 8, depth 32, odd depth, a prefix first",
                         encode_sync_message(walk)));
}

// Views (kind 8): what a node exports of its resolved view and edges.
void add_view_vectors(std::vector<Vector>& out) {
  // p1 {1, 2} and p2 {2, 3} live, sharing episode 2; p3 {1} absorbed into p1.
  auto content = [](const std::string& summary, std::vector<EpisodeId> episodes, std::optional<std::uint64_t> into) {
    Content c;
    c.summary = summary;
    c.episodes = std::move(episodes);
    c.strength = 1;
    if (into) c.absorbed_into = PatternId::from_u64(*into);
    return c;
  };
  ResolvedView view;
  view[PatternId::from_u64(1)] = ResolvedPattern{content("a", {1, 2}, std::nullopt), PatternId::from_u64(1), true};
  view[PatternId::from_u64(2)] = ResolvedPattern{content("b", {2, 3}, std::nullopt), PatternId::from_u64(2), true};
  view[PatternId::from_u64(3)] = ResolvedPattern{content("c", {1}, 1), PatternId::from_u64(1), false};
  out.push_back(accepted("a view: two live patterns sharing one episode (an edge of weight 1), one absorbed",
                         encode_view_frame(view, edges(view))));
  out.push_back(accepted("the empty view", sealed(8, "00 00")));
  const std::string live1 = kId1 + kId1 + kEmptyContent, live2 = kId2 + kId2 + kEmptyContent;
  out.push_back(refusal("view: ids descending", sealed(8, "02" + live2 + live1 + "00"), "non-canonical"));
  out.push_back(refusal("view: an edge whose first id is the larger", sealed(8, "02" + live1 + live2 + "01" + kId2 + kId1 + "01"), "non-canonical"));
  out.push_back(refusal("view: an edge of weight 0", sealed(8, "02" + live1 + live2 + "01" + kId1 + kId2 + "00"), "non-canonical"));
  out.push_back(refusal("view: an edge count past the bytes left (33 bytes each at least)", sealed(8, "00 02" + kId1 + kId2 + "01"), "truncated"));
}

void add_refusals(std::vector<Vector>& out) {
  const std::string regframe = kId1 + reg(kVersion);  // a register frame's payload (kind 2)
  out.push_back(accepted("the smallest register frame", sealed(2, regframe)));
  // The frame.
  out.push_back(refusal("shorter than a frame's 7 bytes", from_hex("670102 000000"), "truncated"));
  out.push_back(refusal("bad magic (checksum also wrong: magic is checked first)", from_hex("680102" + regframe + "00000000"), "unknown tag"));
  out.push_back(refusal("format version 2", raw_frame(0x67, 2, 2, regframe), "unknown tag"));
  Bytes flipped = sealed(2, regframe);
  flipped[5] ^= 1;
  out.push_back(refusal("checksum does not match", flipped, "checksum mismatch"));
  out.push_back(refusal("frame kind 0", raw_frame(0x67, 1, 0, regframe), "unknown tag"));
  out.push_back(refusal("frame kind 9", raw_frame(0x67, 1, 9, regframe), "unknown tag"));
  out.push_back(refusal("frame kind 9 with a wrong checksum (the kind is checked after it)", from_hex("670109" + regframe + "00000000"), "checksum mismatch"));
  out.push_back(refusal("a byte after the payload", sealed(2, regframe + "00"), "non-canonical"));
  out.push_back(refusal("payload ends inside the register", sealed(2, kId1 + "01 01 01 01 00 00"), "truncated"));
  // Varints.
  out.push_back(refusal("overlong varint (sibling count 0x81 0x00)", sealed(2, kId1 + "8100" + kVersion), "non-canonical"));
  out.push_back(refusal("varint past 64 bits (10th byte 0x02)", sealed(3, "ffffffffffffffffff02"), "over limit"));
  out.push_back(accepted("xid of 2^64 - 1 (10th byte 0x01)", sealed(5, "ffffffffffffffffff01 01" + std::string(32, '0'))));
  // Clocks.
  out.push_back(refusal("clock of no entries", sealed(2, kId1 + reg(version("00")) + kPad), "invalid"));
  out.push_back(refusal("clock of 257 entries", sealed(2, kId1 + reg(version(varint(257))) + kPad), "over limit"));
  out.push_back(refusal("clock count past the bytes left (2 bytes per entry at least)", sealed(2, kId1 + "01 05 01 01 00 00 00 00"), "truncated"));
  out.push_back(refusal("replica delta 0", sealed(2, kId1 + reg(version("02 01 01 00 01"))), "non-canonical"));
  out.push_back(refusal("replica delta past 2^64 - 1", sealed(2, kId1 + reg(version("02 ffffffffffffffffff01 01 01 01"))), "invalid"));
  out.push_back(refusal("counter 0", sealed(2, kId1 + reg(version("01 01 00"))), "non-canonical"));
  // Contents.
  out.push_back(refusal("summary length past the bytes left (1 byte each at least)", sealed(2, kId1 + reg(version(clock1(1, 1), "05 616263"))), "truncated"));
  out.push_back(refusal("summary of 1,025 bytes", sealed(2, kId1 + reg(version(clock1(1, 1), varint(1025))) + kPad), "over limit"));
  out.push_back(refusal("summary not UTF-8", sealed(2, kId1 + reg(version(clock1(1, 1), "01 ff 00 00 00"))), "invalid"));
  out.push_back(refusal("summary with an encoded surrogate", sealed(2, kId1 + reg(version(clock1(1, 1), "03 eda080 00 00 00"))), "invalid"));
  out.push_back(refusal("episode count past the bytes left (1 byte each at least)", sealed(2, kId1 + reg(version(clock1(1, 1), "00 05 01 01"))), "truncated"));
  out.push_back(refusal("1,025 episodes", sealed(2, kId1 + reg(version(clock1(1, 1), "00" + varint(1025))) + kPad), "over limit"));
  out.push_back(refusal("episode delta 0", sealed(2, kId1 + reg(version(clock1(1, 1), "00 02 05 00 00 00"))), "non-canonical"));
  out.push_back(refusal("episode delta past 2^64 - 1", sealed(2, kId1 + reg(version(clock1(1, 1), "00 02 ffffffffffffffffff01 01 00 00"))), "invalid"));
  out.push_back(refusal("strength 2^32", sealed(2, kId1 + reg(version(clock1(1, 1), "00 00 8080808010 00"))), "over limit"));
  out.push_back(refusal("absorbed flag 2", sealed(2, kId1 + reg(version(clock1(1, 1), "00 00 00 02"))), "unknown tag"));
  out.push_back(refusal("absorbed flag 1 and no target", sealed(2, kId1 + reg(version(clock1(1, 1), "00 00 00 01"))), "truncated"));
  // Registers.
  out.push_back(refusal("register of no versions", sealed(2, kId1 + "00"), "invalid"));
  out.push_back(refusal("register of 33 versions", sealed(2, kId1 + varint(33)), "over limit"));
  out.push_back(refusal("sibling count past the bytes left (7 bytes per version at least)", sealed(2, kId1 + "02" + kVersion), "truncated"));
  out.push_back(refusal("equal clocks, different content", sealed(2, kId1 + reg(version(clock1(1, 1)) + version(clock1(1, 1), "00 00 01 00"), 2)), "conflicting write"));
  out.push_back(refusal("a sibling repeated", sealed(2, kId1 + reg(kVersion + kVersion, 2)), "non-canonical"));
  out.push_back(refusal("siblings out of canonical order", sealed(2, kId1 + reg(version(clock1(2, 1)) + version(clock1(1, 1)), 2)), "non-canonical"));
  out.push_back(refusal("a sibling dominated by another", sealed(2, kId1 + reg(version(clock1(1, 1)) + version(clock1(1, 2)), 2)), "invalid"));
  out.push_back(accepted("two concurrent siblings", sealed(2, kId1 + reg(version(clock1(1, 1)) + version(clock1(2, 1)), 2))));
  // States.
  out.push_back(accepted("the empty state", sealed(3, "00")));
  out.push_back(refusal("state of 10,000,001 patterns (over limit before truncated)", sealed(3, varint(10'000'001)), "over limit"));
  out.push_back(refusal("pattern count past the bytes left (24 bytes per pattern at least)", sealed(3, "02" + kId1 + reg(kVersion)), "truncated"));
  out.push_back(refusal("pattern ids not ascending", sealed(3, "02" + kId2 + reg(kVersion) + kId1 + reg(kVersion)), "non-canonical"));
  out.push_back(refusal("a digest frame of 15 bytes", sealed(4, std::string(30, '0')), "truncated"));
  out.push_back(refusal("a digest frame of 17 bytes", sealed(4, std::string(34, '0')), "non-canonical"));
  out.push_back(accepted("summary with NUL, U+FFFF and U+10FFFF: well-formed", sealed(2, kId1 + reg(version(clock1(1, 1), "08 00 efbfbf f48fbfbf 00 00 00")))));
  out.push_back(refusal("summary with an overlong NUL (c0 80)", sealed(2, kId1 + reg(version(clock1(1, 1), "02 c080 00 00 00"))), "invalid"));
  out.push_back(refusal("summary above U+10FFFF (f4 90 80 80)", sealed(2, kId1 + reg(version(clock1(1, 1), "04 f4908080 00 00 00"))), "invalid"));
  // Sync messages: the header.
  const std::string root(32, 'a');
  out.push_back(refusal("unknown flag bit 32", sealed(5, "01 21" + root), "unknown tag"));
  out.push_back(refusal("hello without a root", sealed(5, "01 00"), "invalid"));
  out.push_back(refusal("walk with a root", sealed(7, "01 03" + root + "01" + kId1 + reg(kVersion)), "invalid"));
  out.push_back(refusal("hello with probes", sealed(5, "01 05" + root + "02 01 00 01 00"), "invalid"));
  out.push_back(refusal("reply with wants", sealed(6, "01 09" + root + "01 00 01 01020304"), "invalid"));
  out.push_back(refusal("reply naming its side (flag 16)", sealed(6, "01 11" + root), "invalid"));
  out.push_back(refusal("walk of nothing", sealed(7, "01 00"), "invalid"));
  out.push_back(refusal("walk of nothing but its side", sealed(7, "01 10"), "invalid"));
  out.push_back(refusal("xid past 64 bits", sealed(5, "ffffffffffffffffff02 01" + root), "over limit"));
  // Registers of a sync message.
  out.push_back(refusal("empty register section", sealed(5, "01 03" + root + "00"), "non-canonical"));
  out.push_back(refusal("register section past the bytes left (24 bytes each at least)", sealed(5, "01 03" + root + "02" + kId1 + reg(kVersion)), "truncated"));
  out.push_back(refusal("register ids not ascending", sealed(5, "01 03" + root + "02" + kId1 + reg(kVersion) + kId1 + reg(kVersion)), "non-canonical"));
  // Probes.
  out.push_back(refusal("width 0", sealed(6, "01 05" + root + "00 01 00 01 00"), "invalid"));
  out.push_back(refusal("width 9", sealed(6, "01 05" + root + "09 01 00 01 00"), "invalid"));
  out.push_back(refusal("empty probe section", sealed(6, "01 05" + root + "02 00"), "non-canonical"));
  out.push_back(refusal("probe count past the bytes left (3 bytes each at least)", sealed(6, "01 05" + root + "02 02 00 01 00"), "truncated"));
  out.push_back(refusal("path deeper than 32", sealed(7, "01 04 02 01 21" + std::string(34, 'f') + "01 00"), "over limit"));
  out.push_back(refusal("spare nibble not zero", sealed(7, "01 04 02 01 01 a7 01 00"), "non-canonical"));
  out.push_back(refusal("probe paths not ascending (a prefix comes first)", sealed(7, "01 04 02 02 01 a0 01 00 00 01 00"), "non-canonical"));
  out.push_back(refusal("probe paths repeated", sealed(7, "01 04 02 02 01 a0 01 00 01 a0 01 00"), "non-canonical"));
  out.push_back(refusal("probe type 2", sealed(7, "01 04 02 01 00 02 00"), "unknown tag"));
  out.push_back(refusal("inner probe of no child (present = 0)", sealed(7, "01 04 02 01 00 00 0000"), "non-canonical"));
  out.push_back(refusal("inner probe short of its digests", sealed(7, "01 04 02 01 00 00 0003 aaaa"), "truncated"));
  out.push_back(refusal("leaf set of 2^20 + 1 tags", sealed(7, "01 04 02 01 00 01" + varint((1u << 20) + 1)), "over limit"));
  out.push_back(refusal("tag count past the bytes left (4 bytes each at least)", sealed(7, "01 04 02 01 00 01 02 01000000"), "truncated"));
  out.push_back(refusal("leaf set tags not ascending", sealed(7, "01 04 02 01 00 01 02 02000000 01000000"), "non-canonical"));
  out.push_back(refusal("leaf set tags repeated", sealed(7, "01 04 02 01 00 01 02 01000000 01000000"), "non-canonical"));
  // Wants.
  out.push_back(refusal("empty want section", sealed(7, "01 08 00"), "non-canonical"));
  out.push_back(refusal("want count past the bytes left (6 bytes each at least)", sealed(7, "01 08 02 00 01 01000000"), "truncated"));
  out.push_back(refusal("a want of no tags", sealed(7, "01 08 01 00 00 00000000"), "non-canonical"));
  out.push_back(refusal("want paths not ascending", sealed(7, "01 08 02 01 10 01 01000000 00 01 01000000"), "non-canonical"));
}

}  // namespace

std::vector<Vector> all_vectors() {
  std::vector<Vector> out;
  add_hash_vectors(out);
  add_tree_vectors(out);
  add_message_vectors(out);
  add_exchange_vectors(out);
  add_view_vectors(out);
  add_refusals(out);
  return out;
}

std::string format_vector(const Vector& v) {
  std::string out = "```vector\nname: " + v.name + "\n";
  for (const auto& [key, value] : v.fields) out += key + ": " + value + "\n";
  return out + "```\n";
}

std::vector<Vector> parse_vectors(const std::string& markdown) {
  std::vector<Vector> out;
  std::istringstream in(markdown);
  std::string line;
  Vector* open = nullptr;
  while (std::getline(in, line)) {
    if (open == nullptr) {
      if (line == "```vector") {
        out.emplace_back();
        open = &out.back();
      }
      continue;
    }
    if (line == "```") {
      open = nullptr;
      continue;
    }
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      open->fields.emplace_back("?", line);
      continue;
    }
    const std::string key = line.substr(0, colon);
    const std::string value = line.substr(colon + 2);
    if (key == "name" && open->name.empty()) {
      open->name = value;
    } else {
      open->fields.emplace_back(key, value);
    }
  }
  return out;
}

}  // namespace gossip::docs
