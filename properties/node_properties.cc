// Properties of the sync codec and of a node talking with a hostile peer: what one message
// can make a node do (its work and the bytes it sends are bounded by its byte budget), and
// what a peer that floods it with Hellos can take from the others (a fair share, no more).
#include <algorithm>

#include "faultnet/cluster.h"
#include "properties/limit_properties.h"
#include "properties/rc_support.h"
#include "model/model.h"
#include "reference/codec.h"
#include "reference/node.h"
#include "reference/operations.h"

namespace gossip::properties {
namespace {

using namespace support;

// ---- the sync codec -----------------------------------------------------------------------

SyncPath draw_path(Rng& r) {
  SyncPath p;
  const std::size_t depth = r.below(4) == 0 ? 0 : r.below(3) == 0 ? 32 : r.below(6);
  for (std::size_t i = 0; i < depth; ++i) p.nibbles.push_back(static_cast<std::uint8_t>(r.below(16)));
  return p;
}

std::vector<std::uint32_t> draw_tags(Rng& r, std::size_t min) {
  std::set<std::uint32_t> tags;
  const std::size_t n = min + r.below(9);
  while (tags.size() < n) tags.insert(r.below(4) == 0 ? UINT32_MAX - static_cast<std::uint32_t>(r.below(4))
                                                       : static_cast<std::uint32_t>(r.next()));
  return {tags.begin(), tags.end()};
}

// A sync message of any kind with every section its kind allows: registers, inner probes,
// leaf sets (empty ones too, at the root too: what an empty node says), wants, any width.
SyncMessage draw_sync_message(Rng& r, int kind) {
  SyncMessage m;
  m.kind = kind == 0 ? FrameKind::kHello : kind == 1 ? FrameKind::kReply : FrameKind::kWalk;
  m.xid = r.below(3) == 0 ? r.next() : 1 + r.below(1u << 14);
  if (m.kind != FrameKind::kWalk) {
    Digest d;
    for (auto& b : d.bytes) b = static_cast<std::uint8_t>(r.below(256));
    m.root = d;
  } else {
    m.from_initiator = r.below(2) == 0;
  }
  std::set<std::uint32_t> ids;
  for (std::size_t i = r.below(4); i > 0; --i) ids.insert(static_cast<std::uint32_t>(r.below(64)));
  for (std::uint32_t i : ids) {
    VectorClock clock;
    clock.set(ReplicaId::of(static_cast<std::uint32_t>(r.below(8)), 0), 1 + r.below(1000));
    m.registers.push_back(SyncItem{pattern_of(i), Register(Version{std::move(clock), content_of(i)})});
  }
  m.width = static_cast<std::uint8_t>(1 + r.below(kSyncWidthMax));
  if (m.kind != FrameKind::kHello) {
    std::map<SyncPath, SyncProbe> probes;
    for (std::size_t i = r.below(5); i > 0; --i) {
      SyncProbe p;
      p.path = draw_path(r);
      p.inner = p.path.nibbles.size() < 32 && r.below(2) == 0;
      if (p.inner) {
        p.present = static_cast<std::uint16_t>(1 + r.below(0xFFFF));
        p.digests.resize(std::size_t(std::popcount(p.present)) * m.width);
        for (auto& b : p.digests) b = static_cast<std::uint8_t>(r.below(256));
      } else if (r.below(2) == 0) {
        p.tags = draw_tags(r, 0);
      }
      probes.emplace(p.path, std::move(p));
    }
    for (auto& [path, p] : probes) m.probes.push_back(std::move(p));
  }
  if (m.kind == FrameKind::kWalk) {
    std::map<SyncPath, std::vector<std::uint32_t>> wants;
    for (std::size_t i = r.below(4); i > 0; --i) wants.emplace(draw_path(r), draw_tags(r, 1));
    for (auto& [path, tags] : wants) m.wants.push_back(SyncWant{path, std::move(tags)});
    if (m.registers.empty() && m.probes.empty() && m.wants.empty()) m.wants.push_back(SyncWant{SyncPath{}, {7}});
  }
  return m;
}

// I11 for the sync messages: every message a node may send decodes, re-encodes to the same
// bytes, and is as long as sync_message_bytes says (the size a node budgets with).
Outcome sync_codec_round_trip(const RunOptions& o) {
  return run_property("sync_codec_round_trip", o, o.profile.size, [] {
    const int kind = *rc::gen::inRange(0, 3);
    const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
    recorder->note_case(1);
    Rng r(seed);
    const SyncMessage m = draw_sync_message(r, kind);
    const Bytes bytes = encode_sync_message(m);
    const Result<SyncMessage> back = decode_sync_message(bytes);
    std::string what = "a " + std::string(kind == 0 ? "Hello" : kind == 1 ? "Reply" : "Walk") + " of " +
                       std::to_string(m.registers.size()) + " registers, " + std::to_string(m.probes.size()) +
                       " probes, " + std::to_string(m.wants.size()) + " wants (seed " + std::to_string(seed) + ")";
    if (!back.is_ok()) GOSSIP_PROP_FAIL(1, "I11: " + what + " does not decode: " + back.status().message());
    if (encode_sync_message(back.value()) != bytes) GOSSIP_PROP_FAIL(1, "I11: " + what + " re-encodes to other bytes");
    if (sync_message_bytes(m) != bytes.size()) {
      GOSSIP_PROP_FAIL(1, "I11: " + what + " is " + std::to_string(bytes.size()) + " bytes, sync_message_bytes says " +
                              std::to_string(sync_message_bytes(m)));
    }
  });
}

// ---- a node and a hostile peer --------------------------------------------------------------

constexpr NodeId kVictim = 0, kHonest = 1, kLiar = 2;

std::shared_ptr<const std::vector<NodeId>> three_members() {
  static const auto m = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{0, 1, 2});
  return m;
}

// What a liar asks in one Walk of an exchange it started: leaf sets that claim to hold
// nothing (or a few made-up entries) at shallow paths, inner probes of made-up digests, wants
// of made-up tags anywhere: each makes an honest node look through a large part of its tree.
SyncMessage lying_walk(Rng& r, std::uint64_t xid, std::uint8_t width) {
  SyncMessage m;
  m.kind = FrameKind::kWalk;
  m.xid = xid;
  m.from_initiator = true;
  m.width = width;
  std::map<SyncPath, SyncProbe> probes;
  std::map<SyncPath, std::vector<std::uint32_t>> wants;
  for (std::size_t i = 1 + r.below(16); i > 0; --i) {
    SyncPath path;
    for (std::size_t d = r.below(3); d > 0; --d) path.nibbles.push_back(static_cast<std::uint8_t>(r.below(16)));
    switch (r.below(3)) {
      case 0: {
        SyncProbe p;
        p.path = path;
        if (r.below(2) == 0) p.tags = draw_tags(r, 0);
        probes.emplace(path, std::move(p));
        break;
      }
      case 1: {
        SyncProbe p;
        p.path = path;
        p.inner = true;
        p.present = static_cast<std::uint16_t>(1 + r.below(0xFFFF));
        p.digests.resize(std::size_t(std::popcount(p.present)) * width);
        for (auto& b : p.digests) b = static_cast<std::uint8_t>(r.below(256));
        probes.emplace(path, std::move(p));
        break;
      }
      default:
        wants.emplace(path, draw_tags(r, 1));
        break;
    }
  }
  for (auto& [path, p] : probes) m.probes.push_back(std::move(p));
  for (auto& [path, tags] : wants) m.wants.push_back(SyncWant{path, std::move(tags)});
  return m;
}

// What a node sends must fit its budget: every message at most message_bytes_max bytes.
std::string over_budget(const std::vector<Outgoing>& out, std::size_t budget) {
  for (const Outgoing& m : out) {
    if (m.bytes.size() > budget) {
      return "a message of kind " + std::to_string(static_cast<int>(m.kind)) + " with " + std::to_string(m.registers) +
             " registers is " + std::to_string(m.bytes.size()) + " bytes, over the budget of " + std::to_string(budget);
    }
  }
  return "";
}

// A liar's messages cost a node work bounded by its byte budget, not by its state: one
// message makes it visit at most message_bytes_max / 3 + 64 entries of its tree, and every
// message it sends, to the liar or anyone, fits message_bytes_max.
Outcome hostile_work_bounded(const RunOptions& o) {
  static const State small = genesis_state(300);
  static const State large = genesis_state(3000);
  return run_property("hostile_work_bounded", o, o.profile.size, [] {
    const bool big = *rc::gen::arbitrary<bool>();
    const std::size_t budget = *rc::gen::element<std::size_t>(256, 1024, 4096, 65536);
    const auto walks = *rc::gen::inRange<std::uint32_t>(1, 12);
    const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
    recorder->note_case(walks);
    NodeConfig config;
    config.cluster_seed = 7;
    config.message_bytes_max = budget;
    Node victim(kVictim, ReplicaId::of(kVictim, 0), three_members(), config, seed, big ? large : small);
    victim.tick(0);
    (void)victim.take_outbox();
    Rng r(seed);
    const std::uint64_t xid = 1 + r.below(1000);
    const std::string what = std::to_string(big ? 3000 : 300) + " patterns, budget " + std::to_string(budget) +
                             ", seed " + std::to_string(seed);
    victim.receive(kLiar, encode_hello(xid, Digest{}));  // a wrong root: the victim answers
    std::string problem = over_budget(victim.take_outbox(), budget);
    if (!problem.empty()) GOSSIP_PROP_FAIL(1, "budget: " + what + ": answering a Hello, " + problem);
    const std::uint64_t visits_max = budget / 3 + 64;
    for (std::uint32_t k = 0; k < walks; ++k) {
      const std::uint64_t before = victim.counters().entries_visited;
      victim.receive(kLiar, encode_sync_message(lying_walk(r, xid, config.walk_width)));
      const std::uint64_t visits = victim.counters().entries_visited - before;
      if (visits > visits_max) {
        GOSSIP_PROP_FAIL(k + 1, "work: " + what + ": one lying Walk made the node visit " + std::to_string(visits) +
                                    " entries, over budget / 3 + 64 = " + std::to_string(visits_max));
      }
      problem = over_budget(victim.take_outbox(), budget);
      if (!problem.empty()) GOSSIP_PROP_FAIL(k + 1, "budget: " + what + ": answering lying Walk " + std::to_string(k + 1) + ", " + problem);
    }
  });
}

// A register too large for any message never travels (docs/PROTOCOL.md, "Budgets"), but it
// must not hold back the others: a node that starts empty receives, by walks alone (nothing is
// fresh), every register of its peer that fits a message, within 40 rounds, beside registers
// that never fit.
Outcome budget_strands_nothing(const RunOptions& o) {
  return run_property("budget_strands_nothing", o, o.profile.size, [&o] {
    const auto oversize = *rc::gen::inRange<std::uint32_t>(1, 8);
    const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
    recorder->note_case(oversize);
    constexpr std::size_t kBudget = 512;
    State full = genesis_state(40);
    Rng r(seed);
    std::set<PatternId> big;
    while (big.size() < oversize) big.insert(pattern_of(static_cast<std::uint32_t>(r.below(40))));
    for (const PatternId& id : big) {
      Content c = content_of(1);
      c.summary.assign(600, 'x');  // a register of about 640 bytes: over any 512-byte message
      RC_ASSERT(refine(full, kGenesisWriter, id, c).is_ok());
    }
    faultnet::ClusterConfig cc;
    cc.nodes = 2;
    cc.seed = seed;
    cc.node.cluster_seed = 7;
    cc.node.message_bytes_max = kBudget;
    cc.initial = {full, State(7)};
    if (o.impl) cc.impl = {o.impl};
    faultnet::Cluster c(cc);
    for (std::uint32_t round = 0; round < 40; ++round) {
      c.tick();
      c.deliver_all();
    }
    std::size_t missing = 0;
    full.for_each([&](const PatternId& id, const Register& reg) {
      if (big.count(id) == 0 && c.node(1).state().find(id) == nullptr) ++missing;
      (void)reg;
    });
    if (missing > 0) {
      GOSSIP_PROP_FAIL(oversize, "budget: with " + std::to_string(oversize) + " registers over a " +
                                     std::to_string(kBudget) + "-byte budget among 40 (seed " + std::to_string(seed) +
                                     "), " + std::to_string(missing) + " registers that fit never reached an empty node in 40 rounds");
    }
  }, std::max(100, o.profile.cases / 4));  // a quarter of the cases: each runs 40 rounds
}

// The sync messages among `out` (what does not decode is left out).
std::vector<std::pair<NodeId, SyncMessage>> decoded(const std::vector<Outgoing>& out) {
  std::vector<std::pair<NodeId, SyncMessage>> d;
  for (const Outgoing& m : out) {
    Result<SyncMessage> s = decode_sync_message(m.bytes);
    if (s.is_ok()) d.emplace_back(m.to, std::move(s).value());
  }
  return d;
}

// Peers that flood a node with Hellos (made-up roots, ever new exchange ids) take at most
// their fair share of the exchanges the node answers: while fewer than exchanges_max /
// exchanges_per_peer_max of them flood, an honest peer's Hello is still answered; and however
// many flood, the node still starts its own exchange every interval. Judged on the bytes the
// node sends (a Reply with the honest peer's xid; its own Hellos), so that it applies to any
// wire-compatible implementation.
Outcome flood_fair_share(const RunOptions& o) {
  static const State base = genesis_state(40);
  return run_property("flood_fair_share", o, o.profile.size, [&o] {
    const auto liars = *rc::gen::weightedOneOf<std::uint32_t>(
        {{3, rc::gen::just<std::uint32_t>(1)}, {1, rc::gen::inRange<std::uint32_t>(2, 41)}});
    const auto flood = *rc::gen::inRange<std::uint32_t>(1, 300);
    const auto rounds = *rc::gen::inRange<std::uint32_t>(1, 8);
    const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
    recorder->note_case(rounds);
    NodeConfig config;
    config.cluster_seed = 7;
    auto members = std::make_shared<std::vector<NodeId>>();
    for (NodeId n = 0; n < liars + 2; ++n) members->push_back(n);  // 0 the node, 1 honest, 2.. liars
    const auto victim = seam_node(o, kVictim, members, config, seed, base);
    State honest = base;
    RC_ASSERT(refine(honest, ReplicaId::of(kHonest, 0), pattern_of(3), content_of(1)).is_ok());
    Rng r(seed);
    const Time half = config.gossip_interval / 2;
    const std::uint32_t per_liar = 1 + flood / liars;
    const bool share_left = liars * config.exchanges_per_peer_max < config.exchanges_max;
    std::uint64_t xid = 1;
    std::uint32_t own_hellos = 0;
    victim->tick(0);  // a node is ticked before it receives (docs/CERTIFY.md)
    for (const auto& [to, m] : decoded(outbox(*victim))) own_hellos += m.kind == FrameKind::kHello ? 1 : 0;
    const std::string what = std::to_string(liars) + " peers sending " + std::to_string(per_liar) +
                             " Hellos each every half interval (seed " + std::to_string(seed) + ")";
    for (std::uint32_t k = 0; k < 2 * rounds; ++k) {
      for (NodeId liar = 2; liar < liars + 2; ++liar) {
        for (std::uint32_t f = 0; f < per_liar; ++f) {
          Digest root;
          for (auto& b : root.bytes) b = static_cast<std::uint8_t>(r.below(256));
          victim->receive(liar, encode_hello(xid++, root));
        }
      }
      (void)outbox(*victim);
      victim->tick(k * half);
      for (const auto& [to, m] : decoded(outbox(*victim))) own_hellos += m.kind == FrameKind::kHello ? 1 : 0;
      // By k half intervals the node's phase (below one interval) has come round at least
      // floor(k / 2) times: that many exchanges of its own, at least.
      if (own_hellos < k / 2) {
        GOSSIP_PROP_FAIL(k + 1, "fairness: with " + what + ", the node started " + std::to_string(own_hellos) +
                                    " exchanges of its own in " + std::to_string(k) + " half intervals (at least " +
                                    std::to_string(k / 2) + ")");
      }
      if (k % 2 == 1 || !share_left) continue;  // an honest peer starts one exchange per interval
      const std::uint64_t honest_xid = 1'000'000 + k;
      victim->receive(kHonest, encode_hello(honest_xid, honest.root()));
      const auto out = decoded(outbox(*victim));
      const bool answered = std::any_of(out.begin(), out.end(), [&](const auto& d) {
        return d.first == kHonest && d.second.kind == FrameKind::kReply && d.second.xid == honest_xid;
      });
      if (!answered) GOSSIP_PROP_FAIL(k + 1, "fairness: with " + what + ", an honest peer's Hello got no Reply");
    }
  });
}

// A Hello from kHonest built by the model's encoder, byte by byte, so that each part can be
// made wrong on its own: the xid's and the count's varints (overlong by `pad` bytes), the
// flags, the payload's end, the frame's kind, magic and checksum.
struct HelloParts {
  std::uint64_t xid = 0;
  std::uint8_t flags = 3;  // root and registers
  Digest root;
  model::StateMap registers;  // ascending ids
  std::size_t xid_pad = 0, count_pad = 0;
  bool reversed = false;   // the registers in descending order
  int cut = 0;             // bytes cut from the payload's end (negative: a zero byte added)
  std::uint8_t kind = 5;
  std::uint8_t magic_flip = 0, checksum_flip = 0;
};

void append_padded_varint(std::string& out, std::uint64_t v, std::size_t pad) {
  std::string canonical;
  model::append_varint(canonical, v);
  if (pad == 0) {
    out += canonical;
    return;
  }
  canonical.back() = static_cast<char>(canonical.back() | 0x80);  // more bytes follow...
  out += canonical;
  for (std::size_t i = 1; i < pad; ++i) out.push_back(static_cast<char>(0x80));
  out.push_back(0);  // ...that add nothing: the same value, overlong
}

Bytes hello_frame(const HelloParts& h) {
  std::string p;
  append_padded_varint(p, h.xid, h.xid_pad);
  p.push_back(static_cast<char>(h.flags));
  p.append(reinterpret_cast<const char*>(h.root.bytes.data()), h.root.bytes.size());
  if (h.flags & 2) {
    append_padded_varint(p, h.registers.size(), h.count_pad);
    std::vector<std::string> items;
    for (const auto& [id, reg] : h.registers) items.push_back(std::string(id.begin(), id.end()) + model::encode_register(reg));
    if (h.reversed) std::reverse(items.begin(), items.end());
    for (const std::string& item : items) p += item;
  }
  if (h.cut > 0) p.resize(p.size() - std::min(p.size(), static_cast<std::size_t>(h.cut)));
  if (h.cut < 0) p.push_back(0);
  std::string f = model::frame(h.kind, p);
  f[0] = static_cast<char>(f[0] ^ h.magic_flip);
  f.back() = static_cast<char>(f.back() ^ h.checksum_flip);
  return Bytes(f.begin(), f.end());
}

// I11 at the node, docs/PROTOCOL.md "Failure handling": anything that does not decode is
// dropped whole. A node is sent Hellos that would make it join a register it lacks and answer
// (a root it does not have), each made wrong in one way our codec refuses (a bad checksum, an
// overlong varint, an unknown flag, flag 16 on a Hello, a cut or extended payload, ids out of
// order, an empty register section, another frame kind, a bad magic): after each, its state is
// unchanged and it sends nothing. The same Hello made right, under the same exchange id, is
// then joined and answered: a refused frame left no trace (a remembered xid would make the
// node ignore it as a duplicate). For the implementations that speak the wire format.
Outcome refused_frames_leave_no_trace(const RunOptions& o) {
  return run_property("refused_frames_leave_no_trace", o, o.profile.size, [&o] {
    const auto patterns = *rc::gen::element<std::uint64_t>(0, 3, 40);
    const auto xid = *rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(1, 128), rc::gen::inRange<std::uint64_t>(128, 1u << 20),
                                     rc::gen::just(~std::uint64_t{0}));
    const auto pad = *rc::gen::inRange<std::size_t>(1, 3);
    const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
    recorder->note_case(1);
    NodeConfig config;
    config.cluster_seed = 7;
    const auto node = seam_node(o, kVictim, three_members(), config, seed, genesis_state(patterns));
    node->tick(0);
    (void)outbox(*node);
    Rng r(seed);
    HelloParts valid;
    valid.xid = xid;
    for (auto& b : valid.root.bytes) b = static_cast<std::uint8_t>(r.below(256));
    const std::uint32_t fresh = 1'000 + static_cast<std::uint32_t>(r.below(1000));
    for (std::uint32_t k = 0; k < 2; ++k) {  // two registers no one holds, so that order can be wrong
      const PatternId id = pattern_of(fresh + k);
      valid.registers[id.bytes] = model::Register{
          {model::Clock{{ReplicaId::of(kHonest, 0).value, 1 + k}}, to_model_content(content_of(static_cast<std::uint32_t>(k + seed % 50)))}};
    }
    struct Wrong {
      std::string what;
      HelloParts h;
    };
    std::vector<Wrong> wrongs;
    auto add = [&](std::string what, auto edit) {
      HelloParts h = valid;
      edit(h);
      wrongs.push_back({std::move(what), h});
    };
    add("a checksum with one bit flipped", [&](HelloParts& h) { h.checksum_flip = static_cast<std::uint8_t>(1u << r.below(8)); });
    add("the xid's varint overlong by " + std::to_string(pad) + " bytes", [&](HelloParts& h) { h.xid_pad = pad; });
    add("the register count's varint overlong by " + std::to_string(pad) + " bytes", [&](HelloParts& h) { h.count_pad = pad; });
    add("an unknown flag bit (32)", [](HelloParts& h) { h.flags |= 32; });
    add("flag 16 (a walk's) on a Hello", [](HelloParts& h) { h.flags |= 16; });
    add("the payload's last byte cut", [](HelloParts& h) { h.cut = 1; });
    add("a zero byte after the payload", [](HelloParts& h) { h.cut = -1; });
    add("register ids in descending order", [](HelloParts& h) { h.reversed = true; });
    add("an empty register section", [](HelloParts& h) { h.registers.clear(); });
    add("frame kind 9 (no kind)", [](HelloParts& h) { h.kind = 9; });
    add("a bad magic", [](HelloParts& h) { h.magic_flip = 0x20; });
    const State before = node->state();
    const std::string what = "a node of " + std::to_string(patterns) + " patterns (seed " + std::to_string(seed) + "), xid " +
                             std::to_string(xid);
    for (const Wrong& w : wrongs) {
      const Bytes bytes = hello_frame(w.h);
      if (decode_sync_message(bytes).is_ok()) {  // the suite's own codec (a mutant of it, in the kill matrix)
        GOSSIP_PROP_FAIL(1, "I11: the codec accepts a Hello with " + w.what + ", which docs/WIRE_FORMAT.md refuses; the frame: " +
                                to_hex(bytes).substr(0, 160));
      }
      node->receive(kHonest, bytes);
      const std::vector<Outgoing> out = outbox(*node);
      if (!out.empty()) {
        GOSSIP_PROP_FAIL(1, "I11: " + what + " answered a Hello with " + w.what + " (refused by docs/WIRE_FORMAT.md's decoder: " +
                                decode_sync_message(bytes).status().message() + "): " + std::to_string(out.size()) +
                                " messages; the frame: " + to_hex(bytes).substr(0, 160));
      }
      if (!(node->state() == before)) {
        GOSSIP_PROP_FAIL(1, "I11: " + what + " changed its state on a Hello with " + w.what + " (refused: " +
                                decode_sync_message(bytes).status().message() + "); the frame: " + to_hex(bytes).substr(0, 160));
      }
    }
    const Bytes right = hello_frame(valid);
    GOSSIP_ASSERT(decode_sync_message(right).is_ok());
    node->receive(kHonest, right);
    const auto answers = decoded(outbox(*node));
    const bool answered = std::any_of(answers.begin(), answers.end(), [&](const auto& d) {
      return d.first == kHonest && d.second.kind == FrameKind::kReply && d.second.xid == xid;
    });
    bool joined = true;
    for (const auto& [id, reg] : valid.registers) joined = joined && node->state().find(PatternId{id}) != nullptr;
    if (!joined || !answered) {
      GOSSIP_PROP_FAIL(1, "I11: after " + std::to_string(wrongs.size()) + " refused Hellos, " + what +
                              " did not " + (!joined ? "join the registers of" : "answer") +
                              " the same Hello made right (a refused frame left a trace, or a valid Hello is not handled)");
    }
  });
}

}  // namespace

std::vector<Property> hostile_properties() {
  return {
      {"sync_codec_round_trip", "every sync message decodes, re-encodes to itself and is as long as budgeted", "I11",
       "probe-min-four-bytes", sync_codec_round_trip},
      {"hostile_work_bounded", "a liar's messages cost work and replies bounded by the byte budget, not by the state",
       "I11", "work-unbounded-by-budget", hostile_work_bounded},
      {"budget_strands_nothing", "a register too large for any message holds back no other register", "I1",
       "oversize-register-fills-the-budget", budget_strands_nothing},
      {"flood_fair_share", "peers flooding Hellos cannot keep a node from answering others or gossiping itself", "I1",
       "no-fair-share", flood_fair_share},
      {"refused_frames_leave_no_trace", "a Hello our decoder refuses (bad checksum, overlong varint, bad flags, ...) changes nothing and is not answered; made right it is",
       "I11", "checksum-ignored", refused_frames_leave_no_trace},
  };
}

}  // namespace gossip::properties
