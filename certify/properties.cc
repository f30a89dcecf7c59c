#include "certify/properties.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "faultnet/cluster.h"
#include "model/model.h"
#include "properties/explore.h"
#include "properties/rc_support.h"
#include "reference/codec.h"
#include "reference/rng.h"
#include "reference/sync_message.h"
#include "reference/text.h"

namespace gossip::certify {
namespace {

using properties::Outcome;
using properties::RunOptions;
using namespace properties::support;

// A catalogue property, run as it is on the implementation's nodes.
std::function<Outcome(const RunOptions&, const CertifyProfile&)> from_catalogue(const std::string& name) {
  return [name](const RunOptions& o, const CertifyProfile&) {
    for (const properties::Property& p : properties::catalogue()) {
      if (p.name == name) return p.run(o);
    }
    Outcome out;
    out.property = name;
    out.passed = false;
    out.message = "the catalogue has no property " + name;
    return out;
  };
}

// One hostile byte string made from `corpus`: a real message or frame bit-flipped, cut,
// extended, spliced, or plain noise; half of those that look like our frames resealed, so that
// they pass the checksum and reach the decoder of an implementation that speaks the format.
Bytes hostile(const std::vector<Bytes>& corpus, Rng& r) {
  Bytes b = corpus[r.below(corpus.size())];
  switch (r.below(7)) {
    case 0:
      for (std::uint64_t k = 1 + r.below(4); k > 0 && !b.empty(); --k) b[r.below(b.size())] ^= std::uint8_t(1u << r.below(8));
      break;
    case 1: b.resize(r.below(b.size() + 1)); break;
    case 2:
      for (std::uint64_t k = 1 + r.below(64); k > 0; --k) b.push_back(static_cast<std::uint8_t>(r.below(256)));
      break;
    case 3: {
      const Bytes& other = corpus[r.below(corpus.size())];
      b.resize(r.below(b.size() + 1));
      const std::size_t from = r.below(other.size() + 1);
      b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
      break;
    }
    case 4:
      b.assign(r.below(512), 0);
      for (std::uint8_t& x : b) x = static_cast<std::uint8_t>(r.below(256));
      break;
    case 5: {
      static constexpr std::uint8_t kEdges[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
      for (std::uint64_t k = 1 + r.below(3); k > 0 && !b.empty(); --k) b[r.below(b.size())] = kEdges[r.below(6)];
      break;
    }
    default:
      if (!b.empty()) {
        const std::size_t at = r.below(b.size()), len = 1 + r.below(std::min<std::size_t>(b.size() - at, 32));
        Bytes chunk(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + len));
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), chunk.begin(), chunk.end());
      }
      break;
  }
  if (b.size() >= kFrameOverheadBytes && b[0] == kFrameMagic && r.below(2) == 0) {
    const ByteView payload(b.data() + 3, b.size() - kFrameOverheadBytes);
    b = seal_frame(static_cast<FrameKind>(b[2]), payload);
  }
  return b;
}

// The patterns two states hold differently, except those whose registers cannot be joined
// (equal clocks with other content, or more than the sibling limit between them): hostile
// input that decodes can plant either, and then each side rightly keeps its own. Said as
// "pattern <id>: n0 <register> / n1 <register>" for the first, with the count.
std::string unjoined_difference(const State& a, const State& b, std::size_t* refused) {
  std::string first;
  std::size_t differing = 0;
  auto look = [&](const PatternId& id) {
    const Register* x = a.find(id);
    const Register* y = b.find(id);
    if (x != nullptr && y != nullptr && *x == *y) return;
    if (x != nullptr && y != nullptr &&
        model::join_checked(properties::register_of(*x), properties::register_of(*y)).result != model::JoinOutcome::kJoined) {
      ++*refused;
      return;
    }
    if (differing++ == 0) {
      first = "pattern " + id.hex() + ": n0 holds " + (x ? format_register(id, *x) : std::string("nothing")) +
              "; n1 holds " + (y ? format_register(id, *y) : std::string("nothing"));
    }
  };
  a.for_each([&](const PatternId& id, const Register&) { look(id); });
  b.for_each([&](const PatternId& id, const Register&) {
    if (a.find(id) == nullptr) look(id);
  });
  if (differing == 0) return "";
  return std::to_string(differing) + " patterns differ; the first: " + first;
}

// I11 through the seam: hostile bytes fed to receive() never crash or hang a node (the child
// process and its time limit judge those), never make it send a message over its budget
// (every external node's outbox is checked: external_node.h), never lose what either node held
// (both nodes judged after every input), and leave them able to converge: after healing, the
// two hold the same register of every pattern whose registers can be joined at all.
Outcome hostile_receive(const RunOptions& o, const CertifyProfile& p) {
  return run_property("hostile_receive", o, 1, [&o, &p] {
    recorder->note_case(static_cast<std::size_t>(p.hostile_inputs));
    faultnet::ClusterConfig cc;
    cc.nodes = 2;
    cc.seed = o.seed;
    cc.node.cluster_seed = 7;
    cc.node.message_bytes_max = 4096;
    cc.initial = {properties::genesis_state(24), properties::genesis_state(12)};
    if (o.impl) cc.impl = {o.impl};
    faultnet::Cluster c(cc);
    // What the nodes say to each other is the seed corpus, with frames of every kind of ours.
    std::vector<Bytes> corpus;
    for (int round = 0; round < 3; ++round) {
      c.tick();
      for (const faultnet::Pending& m : c.pending()) corpus.push_back(m.bytes);
      c.deliver_all();
      for (const faultnet::Delivery& d : c.take_log()) corpus.push_back(d.message.bytes);
    }
    const State genesis = properties::genesis_state(3);
    corpus.push_back(encode_state_frame(genesis));
    genesis.for_each([&](const PatternId& id, const Register& reg) { corpus.push_back(encode_register_frame(id, reg)); });
    corpus.push_back(encode_digest_frame(genesis.root()));
    corpus.push_back(Bytes{});
    const State before[2] = {c.node(0).state(), c.node(1).state()};
    // Both nodes, after every input: a node may lose what it held only by what is sent to
    // the other one, or at any time, and neither may go unjudged.
    auto judge = [&](const std::string& after) {
      for (NodeId n = 0; n < 2; ++n) {
        const std::string lost = properties::first_lost(before[n], c.node(n).state());
        if (!lost.empty()) {
          GOSSIP_PROP_FAIL(1, "I2: " + after + ", n" + std::to_string(n) + " no longer holds what it held before: " + lost);
        }
      }
    };
    Rng r = Rng(o.seed).fork("hostile_receive");
    std::vector<Outgoing> answers;
    std::size_t largest = 0;
    for (int i = 0; i < p.hostile_inputs; ++i) {
      const Bytes b = hostile(corpus, r);
      const NodeId to = static_cast<NodeId>(i % 2);
      c.node(to).receive(1 - to, b);
      c.node(to).take_outbox(&answers);
      for (const Outgoing& a : answers) largest = std::max(largest, a.bytes.size());
      judge("after hostile input " + std::to_string(i) + " to n" + std::to_string(to) + " (" +
            to_hex(b).substr(0, 128) + (b.size() > 64 ? "..." : "") + ")");
    }
    // A node that speaks the wire format also gets well-formed Hellos that lie: a register with
    // the clock of one it holds and other content (corruption, or a forger). I3: equal clocks
    // with different content are refused, never picked, and the rest of the Hello still applies.
    const bool wire = o.impl ? o.impl->capabilities().wire : true;
    for (int i = 0; wire && i < std::max(1, std::min(p.hostile_inputs / 20, 200)); ++i) {
      const NodeId to = static_cast<NodeId>(i % 2);
      const State held = c.node(to).state();
      std::vector<std::pair<PatternId, Register>> regs;
      held.for_each([&](const PatternId& id, const Register& reg) { regs.emplace_back(id, reg); });
      RC_ASSERT(!regs.empty());  // it held its genesis state, and lost nothing (judged above)
      const auto& [id, reg] = regs[r.below(regs.size())];
      Version forged = reg.siblings()[r.below(reg.siblings().size())];
      forged.content.strength += 1 + static_cast<std::uint32_t>(r.below(100));
      forged.content.summary += "!";
      Result<Register> lie = Register::from_versions({forged});
      RC_ASSERT(lie.is_ok());
      const PatternId fresh = PatternId::from_u64(1'000'000 + static_cast<std::uint64_t>(i));
      Content honest;
      honest.summary = "honest " + std::to_string(i);
      honest.episodes = {static_cast<EpisodeId>(i)};
      honest.strength = 1;
      Version v;
      v.content = honest;
      v.clock.increment(ReplicaId::of(1 - to, 77));
      Result<Register> other = Register::from_versions({v});
      RC_ASSERT(other.is_ok());
      SyncMessage hello;
      hello.kind = FrameKind::kHello;
      hello.xid = (std::uint64_t{1} << 40) + static_cast<std::uint64_t>(i);  // no live exchange has it
      hello.root = held.root();
      hello.registers = {SyncItem{id, lie.value()}, SyncItem{fresh, other.value()}};
      std::sort(hello.registers.begin(), hello.registers.end(),
                [](const SyncItem& a, const SyncItem& b) { return a.id < b.id; });
      const Bytes bytes = encode_sync_message(hello);
      c.node(to).receive(1 - to, bytes);
      c.node(to).take_outbox(&answers);
      const Register* now = c.node(to).state().find(id);
      if (now == nullptr || !(*now == reg)) {
        GOSSIP_PROP_FAIL(1, "I3: n" + std::to_string(to) + " was sent a Hello (" + to_hex(bytes).substr(0, 128) +
                                "...) with a register of " + id.hex() + " whose clock is one it holds, with other content; it "
                                "must refuse it and keep " + format_register(id, reg) + ", and holds " +
                                (now ? format_register(id, *now) : std::string("nothing")));
      }
      if (c.node(to).state().find(fresh) == nullptr) {
        GOSSIP_PROP_FAIL(1, "I11: n" + std::to_string(to) + " dropped a whole Hello for one refused register: " +
                                fresh.hex() + ", beside it, was never joined");
      }
      judge("after the lying Hello " + std::to_string(i) + " to n" + std::to_string(to));
    }
    recorder->figure("hostile inputs", p.hostile_inputs);
    recorder->figure("largest answer to a hostile input, bytes", double(largest));
    // Healed, both must end with the same register of every pattern that can be joined. What
    // they still differ in bounds the rounds: the two sync ~40 registers of a 4 KiB budget per
    // message, so 24 rounds and one more per 16 differing patterns is generous.
    std::size_t refused = 0;
    const std::string start = unjoined_difference(c.node(0).state(), c.node(1).state(), &refused);
    std::size_t differing = 0;
    if (!start.empty()) differing = std::stoull(start);
    const std::uint32_t bound = 24 + static_cast<std::uint32_t>(differing / 16);
    c.heal();
    bool flooded = !c.deliver_all();
    std::string left = start;
    std::uint32_t rounds = 0;
    for (; !flooded && !left.empty() && rounds < bound; ++rounds) {
      c.tick();
      flooded = !c.deliver_all();
      refused = 0;
      left = unjoined_difference(c.node(0).state(), c.node(1).state(), &refused);
    }
    recorder->figure("rounds to converge after the hostile inputs", double(rounds));
    recorder->figure("patterns whose registers cannot be joined (planted by hostile input)", double(refused));
    judge("after healing");
    if (flooded) GOSSIP_PROP_FAIL(1, "I1: after the hostile inputs the two nodes' messages never end (100,000 delivered in one round)");
    if (!left.empty()) {
      GOSSIP_PROP_FAIL(1, "I1: after " + std::to_string(p.hostile_inputs) + " hostile inputs the two nodes did not converge in " +
                              std::to_string(bound) + " rounds (" + std::to_string(differing) +
                              " patterns differed when healing began): " + left);
    }
  }, /*cases=*/1);
}

// I11 through the seam, for a wire implementation that shows its fingerprint (everything that
// decides what a node does next: docs/CERTIFY.md): a flood of Hellos from 40 peers under ever
// new exchange ids, all within one interval (no exchange expires), leaves the node's memory
// bounded by its configuration, not by the flood. Its fingerprint after 1,024 Hellos may be at
// most 256 bytes longer than after 256; a node that opens an exchange for every Hello, or
// remembers every xid, grows with each. A fingerprint that cannot show that memory is said to
// be so (not applicable), never passed: one that the Hellos leave unchanged shows no exchange,
// and one that keeps its length while the state grows by 64 patterns is a digest.
Outcome flood_memory_bounded(const RunOptions& o, const CertifyProfile&) {
  std::string blind;  // why the fingerprint cannot show the node's memory, if it cannot
  Outcome out = run_property("flood_memory_bounded", o, 1, [&o, &blind] {
    recorder->note_case(1);
    constexpr NodeId kPeers = 40;  // 2 answered each would be 80: over exchanges_max (64) too
    auto members = std::make_shared<std::vector<NodeId>>();
    for (NodeId n = 0; n <= kPeers; ++n) members->push_back(n);
    NodeConfig config;
    config.cluster_seed = 7;
    const auto node = seam_node(o, 0, members, config, o.seed, properties::genesis_state(20));
    std::vector<Outgoing> sent;
    node->tick(0);
    node->take_outbox(&sent);
    auto fingerprint = [&] {
      std::string fp;
      if (!node->append_fingerprint(&fp)) throw ImplementationError("the node reports the fingerprint capability but gives none");
      return fp;
    };
    const std::string start = fingerprint();
    Rng r = Rng(o.seed).fork("flood_memory_bounded");
    std::uint64_t xid = 1;
    std::size_t answered = 0;
    auto flood = [&](std::size_t hellos) {
      for (std::size_t i = 0; i < hellos; ++i, ++xid) {
        Digest root;
        for (auto& b : root.bytes) b = static_cast<std::uint8_t>(r.below(256));
        node->receive(static_cast<NodeId>(1 + i % kPeers), encode_hello(xid, root));
        node->take_outbox(&sent);
        answered += sent.size();
      }
      return fingerprint();
    };
    const std::size_t f = 4 * config.exchanges_max;
    const std::string after_f = flood(f);
    const std::string after_4f = flood(3 * f);
    const std::string first = "fingerprint bytes after " + std::to_string(f) + " Hellos";
    const std::string second = "fingerprint bytes after " + std::to_string(4 * f) + " Hellos";
    recorder->figure(first, double(after_f.size()));
    recorder->figure(second, double(after_4f.size()));
    if (after_f == start && answered > 0) {
      blind = "the fingerprint did not change while the node answered " + std::to_string(f) +
              " Hellos: it shows no memory of exchanges, so whether that memory grows cannot be judged";
      return;
    }
    if (after_f.size() == start.size() && after_4f.size() == start.size()) {
      // One length throughout: a digest, or a memory that is full from the start? The state
      // grows by 64 patterns: a fingerprint that shows memory grows with it.
      for (std::uint64_t k = 0; k < 64; ++k) {
        Content c;
        c.summary = "grow " + std::to_string(k);
        c.episodes = {k};
        c.strength = 1;
        (void)node->create(PatternId::from_u64(5'000'000 + k), c);
      }
      const std::string grown = fingerprint();
      recorder->figure("fingerprint bytes after 64 more patterns", double(grown.size()));
      if (grown.size() == start.size()) {
        blind = "the fingerprint kept one length (" + std::to_string(start.size()) + " bytes) through " +
                std::to_string(4 * f) + " Hellos and 64 new patterns: it does not show the node's memory (a "
                "digest?), so whether that memory grows cannot be judged";
        return;
      }
    }
    if (after_4f.size() > after_f.size() + 256) {
      GOSSIP_PROP_FAIL(1, "I11: Hellos under new exchange ids from " + std::to_string(kPeers) +
                              " peers within one interval: the node's fingerprint grew from " + std::to_string(after_f.size()) +
                              " bytes after " + std::to_string(f) + " Hellos to " + std::to_string(after_4f.size()) +
                              " after " + std::to_string(4 * f) + " (at most 256 more allowed): its memory grows with the "
                              "flood, not bounded by exchanges_max");
    }
  }, /*cases=*/1);
  if (!blind.empty() && out.passed) out.not_applicable = blind;
  return out;
}

// One register of one version: `clock` entries (replica, counter), the given summary.
Register one_version(const std::vector<VectorClock::Entry>& clock, const std::string& summary) {
  Version v;
  v.clock = VectorClock(clock);
  v.content.summary = summary;
  v.content.episodes = {1, 2};
  v.content.strength = 1;
  Result<Register> r = Register::from_versions({v});
  GOSSIP_ASSERT(r.is_ok());
  return r.value();
}

// Local writes at every limit of the data model, one past it, and on states that hold a
// register at the limits, each on a fresh node, judged like every write of a history: against
// what the model says the write must do (docs/PROTOCOL.md, "Local writes", "Limits of local
// writes"). A node that cannot start from a state at the limits fails too (its decoder refuses
// what the format allows).
Outcome writes_at_limits(const RunOptions& o, const CertifyProfile&) {
  return run_property("writes_at_limits", o, 1, [&o] {
    const ReplicaId me = ReplicaId::of(0, 0);
    const PatternId x = PatternId::from_u64(1), y = PatternId::from_u64(2), fresh = PatternId::from_u64(3);
    auto state_of = [](std::vector<std::pair<PatternId, Register>> regs) {
      return State::from_registers(7, std::move(regs));
    };
    std::vector<VectorClock::Entry> others_255, others_256;
    for (std::uint32_t k = 1; k <= 256; ++k) {
      (k <= 255 ? others_255 : others_256).push_back({ReplicaId::of(k, 0), 1});
    }
    others_256.insert(others_256.begin(), others_255.begin(), others_255.end());
    std::vector<VectorClock::Entry> with_me_255 = others_255;  // then the writer: 256 in all
    with_me_255.insert(with_me_255.begin(), {me, 1});  // 256 entries, the writer's first
    constexpr std::uint64_t kMax = ~std::uint64_t{0};
    // A register of 32 concurrent siblings: the most a register may hold.
    std::vector<Version> siblings;
    for (std::uint32_t k = 1; k <= 32; ++k) {
      Version v;
      v.clock = VectorClock({{ReplicaId::of(100 + k, 0), 1}});
      v.content.summary = "sibling " + std::to_string(k);
      v.content.episodes = {k};
      v.content.strength = k;
      siblings.push_back(v);
    }
    Result<Register> full = Register::from_versions(siblings);
    GOSSIP_ASSERT(full.is_ok());
    // Two concurrent versions whose counter sums wrap a u64 (the true sum decides absorb's summary).
    Version big, small;
    big.clock = VectorClock({{ReplicaId::of(1, 0), kMax}, {ReplicaId::of(3, 0), 2}});
    big.content = {"the greater sum", {1}, 1, std::nullopt};
    small.clock = VectorClock({{ReplicaId::of(2, 0), 3}});
    small.content = {"the smaller sum", {2}, 1, std::nullopt};
    Result<Register> wrapping = Register::from_versions({big, small});
    GOSSIP_ASSERT(wrapping.is_ok());
    // Two concurrent versions whose clocks join to 257 entries, the writer's among them.
    Version left, right;
    std::vector<VectorClock::Entry> left_clock = {{me, 1}}, right_clock;
    for (std::uint32_t k = 1; k <= 256; ++k) (k <= 128 ? left_clock : right_clock).push_back({ReplicaId::of(k, 0), 1});
    left.clock = VectorClock(left_clock);
    left.content = {"left", {1}, 1, std::nullopt};
    right.clock = VectorClock(right_clock);
    right.content = {"right", {2}, 1, std::nullopt};
    Result<Register> wide = Register::from_versions({left, right});
    GOSSIP_ASSERT(wide.is_ok());

    Content ok_content{"s", {1, 2}, 1, std::nullopt};
    Content at_summary = ok_content, over_summary = ok_content, at_episodes = ok_content, over_episodes = ok_content;
    at_summary.summary.assign(1024, 'a');
    over_summary.summary.assign(1025, 'a');
    at_episodes.episodes.clear();
    for (EpisodeId e = 0; e < 1024; ++e) at_episodes.episodes.push_back(e);
    over_episodes.episodes = at_episodes.episodes;
    over_episodes.episodes.push_back(5000);

    struct Case {
      std::string what;
      State state;
      model::WriteOp op;
      PatternId a, b;
      Content content;
    };
    const State empty(7);
    const State holds_x = state_of({{x, one_version({{ReplicaId::of(5, 0), 1}}, "x")}, {y, one_version({{ReplicaId::of(6, 0), 1}}, "y")}});
    const std::vector<Case> cases = {
        {"create, summary of 1,024 bytes", empty, model::WriteOp::kCreate, x, x, at_summary},
        {"create, summary of 1,025 bytes", empty, model::WriteOp::kCreate, x, x, over_summary},
        {"create, 1,024 episodes", empty, model::WriteOp::kCreate, x, x, at_episodes},
        {"create, 1,025 episodes", empty, model::WriteOp::kCreate, x, x, over_episodes},
        {"refine, summary of 1,025 bytes", holds_x, model::WriteOp::kRefine, x, x, over_summary},
        {"refine of a clock of 255 other entries (256 after)", state_of({{x, one_version(others_255, "x")}}), model::WriteOp::kRefine, x, x, ok_content},
        {"refine of a clock of 256 other entries (257 after)", state_of({{x, one_version(others_256, "x")}}), model::WriteOp::kRefine, x, x, ok_content},
        {"refine of a clock of 256 entries, the writer's among them", state_of({{x, one_version(with_me_255, "x")}}), model::WriteOp::kRefine, x, x, ok_content},
        {"refine of siblings whose clocks join to 257 entries, the writer's among them", state_of({{x, wide.value()}}), model::WriteOp::kRefine, x, x, ok_content},
        {"refine when the writer's counter is 2^64 - 2", state_of({{x, one_version({{me, kMax - 1}}, "x")}}), model::WriteOp::kRefine, x, x, ok_content},
        {"refine when the writer's counter is 2^64 - 1", state_of({{x, one_version({{me, kMax}}, "x")}}), model::WriteOp::kRefine, x, x, ok_content},
        {"refine of a register of 32 siblings", state_of({{x, full.value()}}), model::WriteOp::kRefine, x, x, ok_content},
        {"create beside a register of 32 siblings", state_of({{x, full.value()}}), model::WriteOp::kCreate, fresh, fresh, ok_content},
        {"absorb of siblings whose counter sums wrap a u64", state_of({{x, wrapping.value()}, {y, one_version({{ReplicaId::of(6, 0), 1}}, "y")}}), model::WriteOp::kAbsorb, x, y, ok_content},
        {"absorb into a register of 32 siblings", state_of({{x, one_version({{ReplicaId::of(5, 0), 1}}, "x")}, {y, full.value()}}), model::WriteOp::kAbsorb, x, y, ok_content},
        {"absorb of a register of 32 siblings", state_of({{x, full.value()}, {y, one_version({{ReplicaId::of(6, 0), 1}}, "y")}}), model::WriteOp::kAbsorb, x, y, ok_content},
        {"absorb of a pattern whose clock has 256 other entries (257 after)", state_of({{x, one_version(others_256, "x")}, {y, one_version({{ReplicaId::of(6, 0), 1}}, "y")}}), model::WriteOp::kAbsorb, x, y, ok_content},
        {"absorb of a pattern whose writer's counter is 2^64 - 1", state_of({{x, one_version({{me, kMax}}, "x")}, {y, one_version({{ReplicaId::of(6, 0), 1}}, "y")}}), model::WriteOp::kAbsorb, x, y, ok_content},
        {"absorb into a pattern whose clock has 256 other entries (257 after)", state_of({{x, one_version({{ReplicaId::of(5, 0), 1}}, "x")}, {y, one_version(others_256, "y")}}), model::WriteOp::kAbsorb, x, y, ok_content},
        {"absorb into a pattern whose writer's counter is 2^64 - 1", state_of({{x, one_version({{ReplicaId::of(5, 0), 1}}, "x")}, {y, one_version({{me, kMax}}, "y")}}), model::WriteOp::kAbsorb, x, y, ok_content},
        {"absorb of a pattern whose writer's counter is 2^64 - 2", state_of({{x, one_version({{me, kMax - 1}}, "x")}, {y, one_version({{ReplicaId::of(6, 0), 1}}, "y")}}), model::WriteOp::kAbsorb, x, y, ok_content},
    };
    recorder->note_case(cases.size());
    auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{0, 1});
    for (const Case& c : cases) {
      NodeInit init;
      init.self = 0;
      init.replica = me;
      init.members = members;
      init.config.cluster_seed = 7;
      init.seed = o.seed;
      init.state = c.state;
      std::unique_ptr<NodeUnderTest> node = implementation(o).make(init);
      node->tick(0);
      auto named = [&] {
        model::StateMap out;
        for (const PatternId& id : {c.a, c.b}) {
          if (const Register* r = node->state().find(id)) out[id.bytes] = properties::register_of(*r);
        }
        return out;
      };
      const model::StateMap seen = named();
      std::size_t held = c.state.find(c.a) != nullptr ? 1 : 0;
      if (!(c.a == c.b) && c.state.find(c.b) != nullptr) ++held;
      if (seen.size() != held) {
        GOSSIP_PROP_FAIL(1, "I2: " + c.what + ": the node started from a state at the limits does not export it whole");
      }
      const model::ExpectedWrite want = model::expected_write(seen, c.op, me.value, c.a.bytes, c.b.bytes,
                                                              properties::to_model_content(c.content));
      Status st;
      if (c.op == model::WriteOp::kCreate) st = node->create(c.a, c.content);
      if (c.op == model::WriteOp::kRefine) st = node->refine(c.a, c.content);
      if (c.op == model::WriteOp::kAbsorb) st = node->absorb(c.a, c.b);
      const properties::WriteJudgement judged = properties::judge_write(want, st, seen, named());
      if (!judged.ok()) GOSSIP_PROP_FAIL(1, judged.invariant + ": " + c.what + ": " + judged.detail);
      // What its readers see after the write, when the node shows it.
      if (ViewFrame v; node->export_view(&v)) {
        const std::string d = properties::view_frame_difference(v, properties::to_model(node->state()));
        if (!d.empty()) GOSSIP_PROP_FAIL(1, "view: after " + c.what + ", the node's own view: " + d);
      }
    }
    recorder->figure("writes at the limits", double(cases.size()));
    // Many writes at one node, in a row: a defect that shows only at the n-th write (a table
    // that fills, a counter that wraps, a result outside the classes) needs a node that
    // writes long. 300 creates, refines and absorbs over 200 patterns (about 150 creates), each judged like the rest.
    {
      NodeInit init;
      init.self = 0;
      init.replica = me;
      init.members = members;
      init.config.cluster_seed = 7;
      init.seed = o.seed;
      init.state = State(7);
      std::unique_ptr<NodeUnderTest> node = implementation(o).make(init);
      node->tick(0);
      Rng r = Rng(o.seed).fork("writes in a row");
      constexpr int kWrites = 300;
      for (int i = 0; i < kWrites; ++i) {
        const PatternId a = PatternId::from_u64(100 + r.below(200)), b = PatternId::from_u64(100 + r.below(200));
        const bool held = node->state().find(a) != nullptr;
        const model::WriteOp op = !held ? model::WriteOp::kCreate : r.below(5) == 0 ? model::WriteOp::kAbsorb : model::WriteOp::kRefine;
        const Content content = properties::content_of(static_cast<std::uint32_t>(r.below(1000)));
        model::StateMap seen;
        for (const PatternId& id : {a, b}) {
          if (const Register* reg = node->state().find(id)) seen[id.bytes] = properties::register_of(*reg);
        }
        const model::ExpectedWrite want =
            model::expected_write(seen, op, me.value, a.bytes, b.bytes, properties::to_model_content(content));
        const std::string what = "write " + std::to_string(i + 1) + " of " + std::to_string(kWrites) +
                                 " in a row at one node (" +
                                 (op == model::WriteOp::kCreate ? "create " : op == model::WriteOp::kRefine ? "refine " : "absorb ") +
                                 a.hex() + (op == model::WriteOp::kAbsorb ? " into " + b.hex() : std::string()) + ")";
        Status st;
        std::string broke;
        try {
          if (op == model::WriteOp::kCreate) st = node->create(a, content);
          if (op == model::WriteOp::kRefine) st = node->refine(a, content);
          if (op == model::WriteOp::kAbsorb) st = node->absorb(a, b);
        } catch (const ImplementationError& e) {
          broke = e.what();
        }
        if (!broke.empty()) GOSSIP_PROP_FAIL(1, what + ": " + broke);
        model::StateMap after;
        for (const PatternId& id : {a, b}) {
          if (const Register* reg = node->state().find(id)) after[id.bytes] = properties::register_of(*reg);
        }
        const properties::WriteJudgement judged = properties::judge_write(want, st, seen, after);
        if (!judged.ok()) {
          GOSSIP_PROP_FAIL(1, judged.invariant + ": " + what + ": " + judged.detail);
        }
        if (ViewFrame v; i % 10 == 9 && node->export_view(&v)) {
          const std::string d = properties::view_frame_difference(v, properties::to_model(node->state()));
          if (!d.empty()) GOSSIP_PROP_FAIL(1, "view: after " + what + ", the node's own view: " + d);
        }
      }
      recorder->figure("writes in a row at one node", double(kWrites));
    }
  }, /*cases=*/1);
}

// One call of the seam, for the properties that drive two nodes the same way and compare them.
struct Call {
  enum Kind { kTick, kWrite, kHello } kind = kTick;
  std::uint64_t value = 0;  // tick: microseconds to advance; write: the content's seed; hello: xid
  std::uint32_t pattern = 0;
  NodeId from = 1;
};

// Mostly ticks, then writes, then Hellos; `hellos` weighs Hellos up (a continuation that fills
// a peer's fair share, lets time pass, and asks again).
rc::Gen<Call> gen_call(bool hellos = false) {
  return rc::gen::apply(
      [hellos](int kind, std::uint64_t value, std::uint32_t pattern, NodeId from) {
        Call c;
        if (hellos) c.kind = kind < 4 ? Call::kTick : kind < 6 ? Call::kWrite : Call::kHello;
        else c.kind = kind < 5 ? Call::kTick : kind < 8 ? Call::kWrite : Call::kHello;
        c.value = c.kind == Call::kTick ? value * 50'000 : value;
        c.pattern = pattern;
        c.from = from;
        return c;
      },
      rc::gen::inRange(0, 10), rc::gen::inRange<std::uint64_t>(0, 40), rc::gen::inRange<std::uint32_t>(0, 6),
      rc::gen::inRange<NodeId>(1, 3));
}

std::string to_text(const Call& c) {
  switch (c.kind) {
    case Call::kTick: return "tick +" + std::to_string(c.value) + " us";
    case Call::kWrite: return "write p" + std::to_string(c.pattern) + " v" + std::to_string(c.value);
    default: return "Hello from n" + std::to_string(c.from) + " xid " + std::to_string(c.value);
  }
}

// Applies a call to a node whose virtual time is *now; what it did, as text a comparison can
// use: the status of a write, then every message it sent (to, bytes) and its next wakeup.
std::string apply_call(NodeUnderTest& n, const Call& c, Time* now) {
  std::string did;
  switch (c.kind) {
    case Call::kTick:
      *now += c.value;
      n.tick(*now);
      break;
    case Call::kWrite: {
      const PatternId id = properties::pattern_of(c.pattern);
      const Content content = properties::content_of(static_cast<std::uint32_t>(c.value));
      const Status st = n.state().find(id) ? n.refine(id, content) : n.create(id, content);
      did += "status " + std::to_string(static_cast<int>(st.code())) + "; ";
      break;
    }
    case Call::kHello: {
      Digest root;
      root.bytes[0] = static_cast<std::uint8_t>(c.value);
      root.bytes[1] = static_cast<std::uint8_t>(c.value >> 8);
      n.receive(c.from, encode_hello(1000 + c.value, root));
      break;
    }
  }
  for (const Outgoing& m : outbox(n)) {
    did.append("to ").append(std::to_string(m.to)).append(": ").append(to_hex(m.bytes)).append("; ");
  }
  const Time w = n.next_wakeup();
  did.append("wakeup ").append(w == ~Time{0} ? std::string("never") : std::to_string(w));
  return did;
}

std::string calls_text(const std::vector<Call>& calls) {
  std::string out;
  for (const Call& c : calls) out += (out.empty() ? "" : ", ") + to_text(c);
  return out.empty() ? "(none)" : out;
}

// A node of three members, started at time 0 from a genesis state.
std::unique_ptr<NodeUnderTest> three_member_node(const RunOptions& o, std::uint64_t seed, std::uint32_t patterns) {
  auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{0, 1, 2});
  NodeConfig config;
  config.cluster_seed = 7;
  auto node = seam_node(o, 0, members, config, seed, properties::genesis_state(patterns));
  node->tick(0);
  (void)outbox(*node);
  return node;
}

// The fingerprint capability's promise (docs/PROTOCOL.md, "Copies and fingerprints"): two nodes
// with equal fingerprints answer every call alike. Two nodes of one start are taken through two
// different sequences of calls (half the time the same writes and Hellos at other times); when
// their fingerprints are equal, the same calls must then give the same answers, messages and
// wakeups, and their exports must be equal. Exploration prunes on fingerprints: one that leaves
// out time, the random stream or an exchange makes it skip states it never saw.
Outcome fingerprint_honest(const RunOptions& o, const CertifyProfile&) {
  return run_property("fingerprint_honest", o, std::min(o.profile.size, 40), [&o] {
    const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1u << 30);
    const auto patterns = *rc::gen::inRange<std::uint32_t>(0, 12);
    const auto a_calls = *rc::gen::container<std::vector<Call>>(gen_call());
    std::vector<Call> b_calls;
    if (*rc::gen::arbitrary<bool>()) {
      b_calls = a_calls;  // the same writes and Hellos, other times
      for (Call& c : b_calls) {
        if (c.kind == Call::kTick) c.value = *rc::gen::inRange<std::uint64_t>(0, 40) * 50'000;
      }
    } else {
      b_calls = *rc::gen::container<std::vector<Call>>(gen_call());
    }
    const auto then = *rc::gen::container<std::vector<Call>>(gen_call(/*hellos=*/true));
    recorder->note_case(a_calls.size() + b_calls.size() + then.size());
    auto a = three_member_node(o, seed, patterns), b = three_member_node(o, seed, patterns);
    Time ta = 0, tb = 0;
    for (const Call& c : a_calls) (void)apply_call(*a, c, &ta);
    for (const Call& c : b_calls) (void)apply_call(*b, c, &tb);
    std::string fa, fb;
    RC_ASSERT(a->append_fingerprint(&fa) && b->append_fingerprint(&fb));
    if (fa != fb) {
      RC_TAG("fingerprints differ");
      return;
    }
    RC_TAG("fingerprints equal");
    const std::string why = "two nodes of one start, taken through " + calls_text(a_calls) + " and through " +
                            calls_text(b_calls) + ", have equal fingerprints (" + std::to_string(fa.size()) + " bytes)";
    if (!(a->state() == b->state())) {
      GOSSIP_PROP_FAIL(a_calls.size() + b_calls.size(), "fingerprint: " + why + ", yet export different states");
    }
    // From here both live the same future: the same calls, and ticks to the same times (from the
    // later of their clocks on); what comes before the first tick comes at each one's own time,
    // which an honest fingerprint that is equal says is the same.
    Time t = std::max(ta, tb);
    // First a fixed probe of time: Hellos from one peer until its fair share is full, then a
    // Hello every 50 ms while time moves on, so that when each answered exchange expires shows.
    std::vector<Call> probe;
    for (std::uint64_t k = 0; k < 3; ++k) probe.push_back(Call{Call::kHello, 900 + k, 0, 1});
    for (std::uint64_t k = 0; k < 40; ++k) {
      probe.push_back(Call{Call::kTick, 50'000, 0, 1});
      probe.push_back(Call{Call::kHello, 950 + k, 0, 1});
    }
    std::vector<Call> all = probe;
    all.insert(all.end(), then.begin(), then.end());
    for (std::size_t i = 0; i < all.size(); ++i) {
      Call c = all[i];
      if (c.kind == Call::kTick) {  // to the shared clock: each node moves from its own time
        t += c.value;
        ta = tb = t;
        c.value = 0;
      }
      const std::string da = apply_call(*a, c, &ta), db = apply_call(*b, c, &tb);
      if (da != db) {
        GOSSIP_PROP_FAIL(a_calls.size() + b_calls.size() + i + 1,
                         "fingerprint: " + why + ", yet after " +
                             (i < probe.size() ? "the time probe (3 Hellos from n1, then " + std::to_string(i < 3 ? 0 : (i - 3) / 2 + 1) +
                                                     " ticks of 50 ms, each followed by a Hello from n1)"
                                               : "the time probe and then " +
                                                     calls_text({then.begin(), then.begin() + static_cast<std::ptrdiff_t>(i - probe.size()) + 1})) +
                             " they answer differently:\n  one: " + da.substr(0, 400) + "\n  the other: " + db.substr(0, 400));
      }
    }
  });
}

// The clone capability's promise: a clone answers every call as the original would, and the two
// are independent (what is done to one never shows in the other).
Outcome clone_faithful(const RunOptions& o, const CertifyProfile&) {
  return run_property("clone_faithful", o, std::min(o.profile.size, 40), [&o] {
    const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1u << 30);
    const auto patterns = *rc::gen::inRange<std::uint32_t>(0, 12);
    const auto before = *rc::gen::container<std::vector<Call>>(gen_call());
    const auto then = *rc::gen::container<std::vector<Call>>(gen_call());
    recorder->note_case(before.size() + then.size());
    auto a = three_member_node(o, seed, patterns);
    Time ta = 0;
    for (const Call& c : before) (void)apply_call(*a, c, &ta);
    std::unique_ptr<NodeUnderTest> b = a->clone();
    if (!b) throw ImplementationError("the node reports the clone capability but its clone() gives nothing");
    Time tb = ta;
    const State at_clone = b->state();
    if (!(at_clone == a->state())) {
      GOSSIP_PROP_FAIL(before.size(), "clone: after " + calls_text(before) + " a clone exports another state than its original");
    }
    for (std::size_t i = 0; i < then.size(); ++i) {
      const std::string da = apply_call(*a, then[i], &ta), db = apply_call(*b, then[i], &tb);
      if (da != db) {
        GOSSIP_PROP_FAIL(before.size() + i + 1,
                         "clone: after " + calls_text(before) + ", a node and its clone, given the same calls " +
                             calls_text({then.begin(), then.begin() + static_cast<std::ptrdiff_t>(i) + 1}) +
                             ", answer differently:\n  original: " + da.substr(0, 400) + "\n  clone: " + db.substr(0, 400));
      }
    }
    // Independent: writes to the original leave the clone's export as it was.
    const State clone_now = b->state();
    for (std::uint32_t k = 0; k < 3; ++k) {
      Time t = ta;
      (void)apply_call(*a, Call{Call::kWrite, 100 + k, 7 + k, 1}, &t);
    }
    if (!(b->state() == clone_now)) {
      GOSSIP_PROP_FAIL(before.size() + then.size() + 3, "clone: writes to the original changed what its clone exports: "
                                                         "the two share state");
    }
  });
}

// Exhaustive exploration of a small configuration on the implementation's nodes.
Outcome explore_small(const RunOptions& o, const CertifyProfile& p) {
  return run_property("explore", o, 1, [&o, &p] {
    properties::ExploreConfig ec;
    ec.history.nodes = 2;
    ec.history.seed = o.seed;
    ec.writes = 2;
    ec.patterns = 1;
    ec.ticks = 1;
    ec.duplicates = 1;
    ec.crashes = 1;
    ec.states_max = p.explore_states;
    ec.executor.impl = o.impl;
    ec.executor.check_in_sync_cost = false;
    const properties::ExploreResult r = properties::explore(ec);
    recorder->note_case(r.depth);
    recorder->figure("distinct states", double(r.distinct_states));
    recorder->figure("complete", r.complete ? 1 : 0);
    if (!r.violations.empty()) {
      const properties::ExploreFound& f = r.violations.front();
      properties::History h = f.history;
      h.property = "explore";
      GOSSIP_PROP_FAIL(h.steps.size(), to_text(f.violation), h);
    }
  }, /*cases=*/1);
}

// Interop: the histories on a cluster whose odd nodes are the reference's.
Outcome interop(const RunOptions& o, const CertifyProfile& p) {
  RunOptions with = o;
  with.partner = reference_implementation();
  return from_catalogue("histories")(with, p);
}

}  // namespace

CertifyProfile certify_profile(const std::string& name) {
  if (name == "smoke") return {"smoke", {"smoke", 20, 60, 10}, 300, 1'000, 200};
  if (name == "campaign") return {"campaign", {"campaign", 5'000, 200, 3'000}, 4 * 3600, 5'000'000, 100'000};
  return {"quick", {"quick", 1'000, 100, 1'000}, 600, 20'000, 2'000};
}

bool known_certify_profile(const std::string& name) {
  return name == "smoke" || name == "quick" || name == "campaign";
}

const std::vector<CertifyProperty>& certify_properties() {
  static const std::vector<CertifyProperty> all = {
      {"histories", "concurrent histories (writes, loss, duplicates, partitions, crash-restart, amnesia) keep every safety invariant after every step and, healed, converge to the model's state, view and edges",
       "I1 I2 I3 I5 I13 view", {}, from_catalogue("histories")},
      {"replay_deterministic", "the same history runs the same way twice, message for message", "I12", {},
       from_catalogue("replay_deterministic")},
      {"in_sync_cost", "nodes in the same state send at most one message of at most 32 bytes per interval, and nobody answers",
       "I8", {}, from_catalogue("in_sync_cost")},
      {"diverged_cost", "syncing d differing patterns out of N = 256 or 4096 costs at most 400 d + 600 bytes", "I9", {},
       from_catalogue("diverged_cost")},
      {"near_collision", "replicas whose roots share a prefix still find their difference", "I1", {},
       from_catalogue("near_collision")},
      {"propagation_bound", "a write reaches all of 64 replicas within 14 rounds under 20% loss, in every trial", "I10", {},
       from_catalogue("propagation_bound")},
      {"budget_strands_nothing", "a register too large for any message holds back no other register: the rest reach an empty node within 40 rounds",
       "I1", {}, from_catalogue("budget_strands_nothing")},
      {"hostile_receive", "hostile bytes fed to receive never crash, hang, lose a version or break convergence", "I11", {},
       hostile_receive},
      {"refused_frames_leave_no_trace", "a Hello our decoder refuses (bad checksum, overlong varint, bad flags, cut, extended, ...) changes nothing and is not answered; made right, it is joined and answered",
       "I11", {"wire"}, from_catalogue("refused_frames_leave_no_trace")},
      {"refused_rules_leave_no_trace", "a frame that breaks exactly one refusal rule of the wire format (49 rules: frames, varints, counts, clocks, UTF-8, contents, registers, sync sections) changes nothing and is not answered; made right, it is joined and answered",
       "I11", {"wire"}, from_catalogue("refused_rules_leave_no_trace")},
      {"walk_hashes_as_specified", "the probes a node sends carry exactly the child digests and entry tags the wire format computes, salted per exchange (cluster seed, initiator, xid)",
       "I1", {"wire"}, from_catalogue("walk_hashes_as_specified")},
      {"flood_memory_bounded", "a flood of Hellos under new exchange ids leaves the node's memory (its fingerprint) bounded, not growing with the flood",
       "I11", {"wire", "fingerprint"}, flood_memory_bounded},
      {"one_exchange_syncs_both", "one exchange without loss leaves both sides with the join of both states", "I1", {"wire"},
       from_catalogue("one_exchange_syncs_both")},
      {"flood_fair_share", "peers flooding Hellos cannot keep a node from answering an honest peer or starting its own exchanges",
       "I1", {"wire"}, from_catalogue("flood_fair_share")},
      {"writes_at_limits", "local writes at every limit of the data model and one past it, and on registers at the limits, do what the model says",
       "I2 I3 limits", {}, writes_at_limits},
      {"resolved_view", "the node's own resolved view and edges of states with concurrent siblings, absorb chains and cycles are the model's",
       "view", {"view"}, from_catalogue("resolved_view")},
      {"view_at_extreme_counters", "the node's own view of registers whose counters are near 2^64 picks summaries by exact counter sums",
       "view", {"view"}, from_catalogue("view_at_extreme_counters")},
      {"view_of_long_chains", "the node's own view of absorb chains and cycles up to 5,000 patterns long, and of chains to a target it does not hold, is the model's",
       "view", {"view"}, from_catalogue("view_of_long_chains")},
      {"fingerprint_honest", "two nodes with equal fingerprints answer every call alike (what exploration's pruning relies on)",
       "I12", {"fingerprint"}, fingerprint_honest},
      {"clone_faithful", "a clone answers every call as its original would, and writes to one never show in the other",
       "I12", {"clone"}, clone_faithful},
      {"interop", "the histories hold on a cluster shared with reference nodes", "I1 I2 I3 I13 view", {"wire"}, interop},
      {"explore", "every interleaving of 2 nodes, 2 writes, a tick, a duplicate and a crash-restart keeps the invariants and converges",
       "I1 I2 I3 I13", {"clone", "fingerprint"}, explore_small},
  };
  return all;
}

const CertifyProperty* find_certify_property(const std::string& name) {
  for (const CertifyProperty& p : certify_properties()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

nlohmann::json budget_json(const CertifyProperty& p, const CertifyProfile& profile) {
  if (p.name == "propagation_bound") return {{"trials", profile.budget.trials}};
  if (p.name == "hostile_receive") return {{"inputs", profile.hostile_inputs}};
  if (p.name == "flood_memory_bounded") return {{"hellos", 16 * NodeConfig{}.exchanges_max}};
  // These run a quarter of the profile's cases, at least 100: each case is a whole exchange or 40 rounds.
  if (p.name == "one_exchange_syncs_both" || p.name == "budget_strands_nothing") {
    return {{"cases", std::max(100, profile.budget.cases / 4)}, {"size_max", profile.budget.size}};
  }
  if (p.name == "writes_at_limits") return {{"writes", 21 + 300}};
  if (p.name == "view_of_long_chains") return {{"cases", std::max(30, profile.budget.cases / 50)}, {"chain_max", 5000}};
  if (p.name == "refused_rules_leave_no_trace") return {{"cases", std::max(20, profile.budget.cases / 20)}, {"rules", 49}};
  if (p.name == "explore") return {{"states_max", profile.explore_states}};
  return {{"cases", profile.budget.cases}, {"size_max", profile.budget.size}};
}

}  // namespace gossip::certify
