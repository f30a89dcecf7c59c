// Properties at the limits of the data model: registers near kSiblingsMax siblings, clocks
// near kClockEntriesMax entries, counters near 2^64 (as a hostile peer may send them), and the
// ids of amnesia restarts. Every outcome is judged against the model's rule (model.h:
// join_checked, write_clock, write_refusal, resolve), never against the reference itself.
#include "properties/limit_properties.h"

#include <algorithm>
#include <set>

#include "properties/rc_support.h"
#include "reference/codec.h"
#include "reference/limits.h"
#include "reference/operations.h"
#include "reference/resolve.h"

namespace gossip::properties {
namespace {

using namespace support;

// The replica that writes in write_at_limits; wide clocks name it too, with any counter.
constexpr ReplicaId kWriter = ReplicaId::of(7, 0);

// A counter: small, near 2^63, or at the very top of the range.
std::uint64_t draw_counter(Rng& r) {
  switch (r.below(4)) {
    case 0: return UINT64_MAX - r.below(3);
    case 1: return (std::uint64_t{1} << 63) + r.below(5) - 2;
    default: return 1 + r.below(5);
  }
}

Content draw_content(Rng& r) {
  Content c = content_of(static_cast<std::uint32_t>(r.below(16)));
  if (r.below(4) == 0) c.absorbed_into = pattern_of(static_cast<std::uint32_t>(r.below(3)));
  return c;
}

// A pool of versions of one pattern at the limits: `base` versions made pairwise concurrent by
// an entry of their own, each naming up to `shared` of a set of shared replicas (the writer
// among them), and versions that dominate a random subset of the base versions (their clocks
// joined, plus an entry of their own). Clocks have at most kClockEntriesMax entries.
std::vector<Version> wide_pool(Rng& r, std::size_t base, std::size_t shared) {
  std::vector<Version> pool;
  for (std::size_t i = 0; i < base; ++i) {
    VectorClock clock;
    clock.set(ReplicaId::of(100'000 + static_cast<std::uint32_t>(i), 0), draw_counter(r));
    const std::size_t entries = std::min<std::size_t>(r.below(shared + 1), limits::kClockEntriesMax - 1);
    for (std::size_t k = 0; k < entries; ++k) {
      const ReplicaId replica = k == 0 && r.below(2) == 0 ? kWriter : ReplicaId::of(1000 + static_cast<std::uint32_t>(r.below(300)), 0);
      if (clock.get(replica) == 0) clock.set(replica, draw_counter(r));
    }
    pool.push_back(Version{std::move(clock), draw_content(r)});
  }
  const std::size_t dominators = r.below(5);
  for (std::size_t j = 0; j < dominators && !pool.empty(); ++j) {
    VectorClock clock;
    for (std::size_t i = 0; i < base; ++i) {
      if (r.below(3) == 0) clock.join(pool[i].clock);
    }
    if (clock.size() >= limits::kClockEntriesMax) continue;
    clock.set(ReplicaId::of(200'000 + static_cast<std::uint32_t>(j), 0), 1 + r.below(3));
    pool.push_back(Version{std::move(clock), draw_content(r)});
  }
  return pool;
}

// The maximal versions of a random subset of the pool, at most kSiblingsMax of them (a subset
// of an antichain is an antichain): a register the reference must accept.
std::vector<Version> draw_register(Rng& r, const std::vector<Version>& pool) {
  std::vector<Version> chosen;
  for (const Version& v : pool) {
    if (r.below(5) != 0) chosen.push_back(v);
  }
  if (chosen.empty()) chosen.push_back(pool[r.below(pool.size())]);
  std::vector<Version> maximal;
  for (const Version& v : chosen) {
    const bool dominated = std::any_of(chosen.begin(), chosen.end(),
                                       [&](const Version& w) { return w.clock.dominates(v.clock); });
    if (!dominated) maximal.push_back(v);
  }
  for (std::size_t i = maximal.size(); i > 1; --i) std::swap(maximal[i - 1], maximal[r.below(i)]);
  if (maximal.size() > limits::kSiblingsMax) maximal.resize(limits::kSiblingsMax);
  return maximal;
}

model::Register model_register(const Register& reg) {
  State s(7);
  bool changed = false;
  RC_ASSERT(s.join_register(pattern_of(0), reg, &changed).is_ok());
  return to_model(s).at(pattern_of(0).bytes);
}

Register make_register(std::vector<Version> versions) {
  Result<Register> reg = Register::from_versions(std::move(versions));
  RC_ASSERT(reg.is_ok());
  return std::move(reg).value();
}

// The shape of a case: how many base versions (up to past the sibling limit) and how many
// shared replicas per clock (up to the clock-entry limit).
struct WideShape {
  std::size_t base, shared;
  std::uint64_t seed;
};
WideShape draw_shape() {
  WideShape s;
  s.base = *rc::gen::weightedOneOf<std::size_t>(
      {{1, rc::gen::inRange<std::size_t>(1, 6)}, {2, rc::gen::inRange<std::size_t>(26, 40)}});
  s.shared = *rc::gen::weightedOneOf<std::size_t>(
      {{1, rc::gen::inRange<std::size_t>(0, 8)}, {2, rc::gen::inRange<std::size_t>(120, 300)}});
  s.seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
  return s;
}

std::string shape_text(const WideShape& s) {
  return "(base " + std::to_string(s.base) + ", shared " + std::to_string(s.shared) + ", seed " +
         std::to_string(s.seed) + ")";
}

std::string sizes(const Register& r) {
  // Appended piece by piece: gcc 12's -Wrestrict misfires on literal + std::to_string(...).
  std::string out = std::to_string(r.siblings().size());
  out += " siblings, clocks of";
  for (const Version& v : r.siblings()) {
    out += ' ';
    out += std::to_string(v.clock.size());
  }
  return out;
}

// The reference's join of x and y against the model's.
std::string join_disagreement(const Register& x, const Register& y) {
  Register joined = x;
  bool changed = false;
  const Status st = joined.join(y, &changed);
  const model::JoinOutcome want = model::join_checked(model_register(x), model_register(y));
  if (want.result == model::JoinOutcome::kJoined) {
    if (!st.is_ok()) return "refused (" + st.message() + ") a join the model accepts with " + std::to_string(want.joined.size()) + " siblings";
    if (model_register(joined) != want.joined) return "joined to other versions than the model's maximal ones";
    return "";
  }
  const Status::Code code = want.result == model::JoinOutcome::kOverLimit ? Status::Code::kOverLimit
                                                                         : Status::Code::kConflictingWrite;
  if (st.is_ok()) return "accepted a join the model refuses (" + std::string(want.result == model::JoinOutcome::kOverLimit ? "over the sibling limit" : "conflict") + ")";
  if (st.code() != code) return "refused with '" + st.message() + "', not the model's reason";
  if (!(joined == x)) return "a refused join changed the register";
  return "";
}

// I4 at the limits: the reference's join of registers near 32 siblings, with clocks near 256
// entries and counters near 2^64, is the model's (the maximal versions of the union, refused
// when there are more than 32 of them) in every order; from_versions of the union, in a random
// order, is the same. Join order then cannot decide what a replica ends up with.
Outcome register_join_at_limits(const RunOptions& o) {
  // An eighth of the profile's cases: each case joins registers of up to 32 siblings of
  // 256-entry clocks, in the model too (quadratic, plain maps).
  return run_property("register_join_at_limits", o, o.profile.size, [] {
    const WideShape shape = draw_shape();
    recorder->note_case(shape.base);
    Rng r(shape.seed);
    const std::vector<Version> pool = wide_pool(r, shape.base, shape.shared);
    const Register a = make_register(draw_register(r, pool));
    const Register b = make_register(draw_register(r, pool));
    const Register c = make_register(draw_register(r, pool));
    for (const auto& [name, x, y] : {std::tuple{"a+b", &a, &b}, std::tuple{"b+a", &b, &a},
                                     std::tuple{"a+c", &a, &c}, std::tuple{"c+b", &c, &b}}) {
      const std::string d = join_disagreement(*x, *y);
      if (!d.empty()) {
        GOSSIP_PROP_FAIL(shape.base, std::string("I4: ") + name + " " + d + "; a: " + sizes(a) + "; b: " + sizes(b) +
                                         "; c: " + sizes(c) + " " + shape_text(shape));
      }
    }
    std::vector<Version> all = a.siblings();
    all.insert(all.end(), b.siblings().begin(), b.siblings().end());
    for (std::size_t i = all.size(); i > 1; --i) std::swap(all[i - 1], all[r.below(i)]);
    const Result<Register> built = Register::from_versions(all);
    const std::optional<model::Register> want = model::join(model_register(a), model_register(b));
    if (built.is_ok() != want.has_value() || (want && model_register(built.value()) != *want)) {
      GOSSIP_PROP_FAIL(shape.base, "I4: from_versions of a and b in a random order " +
                                       std::string(built.is_ok() ? "gave " + sizes(built.value()) : "refused: " + built.status().message()) +
                                       "; the model " + (want ? "keeps " + std::to_string(want->size()) + " siblings" : std::string("refuses")) +
                                       " " + shape_text(shape));
    }
  }, std::max(100, o.profile.cases / 8));
}

// A local write over a register at the limits: refused with kOverLimit, changing nothing,
// exactly when the model refuses it (the writer's counter at 2^64 - 1, or a clock of more
// than 256 entries); otherwise its clock is the model's write clock and the state still
// encodes to a frame that decodes. Never an abort, whatever a peer put in the clocks.
Outcome write_at_limits(const RunOptions& o) {
  return run_property("write_at_limits", o, o.profile.size, [] {
    const WideShape shape = draw_shape();
    const bool absorb_write = *rc::gen::arbitrary<bool>();
    recorder->note_case(shape.base);
    Rng r(shape.seed);
    const std::vector<Version> pool = wide_pool(r, shape.base, shape.shared);
    const Register a = make_register(draw_register(r, pool));
    const Register b = make_register(draw_register(r, pool));
    const PatternId pa = pattern_of(0), pb = pattern_of(1);
    const State before = State::from_registers(7, {{pa, a}, {pb, b}});
    State s = before;
    // The model's outcome: refused (and why) or the versions written, clock and content.
    const model::ExpectedWrite want =
        model::expected_write(to_model(before), absorb_write ? model::WriteOp::kAbsorb : model::WriteOp::kRefine,
                              kWriter.value, pa.bytes, pb.bytes, to_model_content(content_of(99)));
    const Status st = absorb_write ? absorb(s, kWriter, pa, pb) : refine(s, kWriter, pa, content_of(99));
    const std::string what = std::string(absorb_write ? "absorb p0 into p1" : "refine p0") + " over " + sizes(a) +
                             (absorb_write ? " and " + sizes(b) : "") + " " + shape_text(shape);
    const WriteJudgement judged = judge_write(want, st, to_model(before), to_model(s));
    if (!judged.ok()) GOSSIP_PROP_FAIL(shape.base, "limits: " + what + ": " + judged.detail);
    if (want.error != model::WriteError::kNone) return;
    const Result<State> back = decode_state_frame(encode_state_frame(s), 7);
    if (!back.is_ok()) {
      GOSSIP_PROP_FAIL(shape.base, "limits: " + what + ": the state after the write no longer decodes: " + back.status().message());
    }
  });
}

// The resolved view of registers whose counters are near 2^64: the summary's tie-break sums
// counters exactly, as the model does; a sum that wraps picks another summary.
// Through the seam: a node of the implementation started from such a state exports its own view.
Outcome view_at_extreme_counters(const RunOptions& o) {
  return run_property("view_at_extreme_counters", o, o.profile.size, [&o] {
    const WideShape shape = draw_shape();
    recorder->note_case(shape.base);
    Rng r(shape.seed);
    const std::vector<Version> pool = wide_pool(r, shape.base, std::min<std::size_t>(shape.shared, 6));
    std::vector<std::pair<PatternId, Register>> regs;
    for (std::uint32_t p = 0; p < 3; ++p) regs.emplace_back(pattern_of(p), make_register(draw_register(r, pool)));
    const State s = State::from_registers(7, regs);
    const std::string d = node_view_difference(o, s);
    if (!d.empty()) GOSSIP_PROP_FAIL(shape.base, "view: " + d + " " + shape_text(shape));
  });
}

// Absorb chains and cycles at their longest, through the seam: a chain of up to 5,000
// patterns, each absorbed into the next (a resolver that recurses once per link overflows a
// small stack), ending at a live pattern, at a cycle (resolved to its smallest id), or at a
// target the node does not hold (the end stays live); every pattern shares episodes with its
// neighbours, so that the edges see which are live.
Outcome view_of_long_chains(const RunOptions& o) {
  return run_property("view_of_long_chains", o, o.profile.size, [&o] {
    // At full size whatever the case's: RapidCheck scales inRange by the size, and the ends and
    // the long chains must come in the first cases of a small profile too.
    const auto length = *rc::gen::resize(100, rc::gen::oneOf(rc::gen::inRange<std::uint32_t>(2, 50),
                                                             rc::gen::inRange<std::uint32_t>(50, 5001)));
    const auto end = *rc::gen::resize(100, rc::gen::inRange(0, 3));  // 0: live end; 1: a cycle; 2: an unknown target
    const auto cycle_at = *rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(0, length));
    recorder->note_case(length);
    // Ids not in chain order, so that the smallest of a cycle is no particular link.
    auto id_of = [](std::uint32_t i) { return PatternId::from_u64(0x9E3779B97F4A7C15ull * (i + 1)); };
    std::vector<std::pair<PatternId, Register>> regs;
    for (std::uint32_t i = 0; i < length; ++i) {
      Version v;
      v.clock = VectorClock({{ReplicaId::of(1, 0), 1}});
      v.content.summary = "link " + std::to_string(i);
      v.content.episodes = {i, i + 1};
      v.content.strength = i;
      if (i + 1 < length) v.content.absorbed_into = id_of(i + 1);
      else if (end == 1) v.content.absorbed_into = id_of(cycle_at);
      else if (end == 2) v.content.absorbed_into = PatternId::from_u64(1);  // no link has it
      Result<Register> reg = Register::from_versions({v});
      RC_ASSERT(reg.is_ok());
      regs.emplace_back(id_of(i), reg.value());
    }
    std::sort(regs.begin(), regs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const State s = State::from_registers(7, regs);
    const std::string d = node_view_difference(o, s);
    static const char* kEnds[] = {"a live pattern", "a cycle", "a target the node does not hold"};
    if (!d.empty()) {
      GOSSIP_PROP_FAIL(length, "view: a chain of " + std::to_string(length) + " absorbed patterns ending at " + kEnds[end] +
                                   ": " + d);
    }
  }, std::max(30, o.profile.cases / 50));  // a fiftieth of the cases: half of them are thousands of patterns
}

// docs/MODEL.md, "Identifiers": a ReplicaId is never reused. The ids an amnesia restart takes, from any
// incarnation (the last ones included), stay the node's own and are new, or the restart is
// refused; never does node n become node n + 1.
Outcome replica_ids_never_reused(const RunOptions& o) {
  return run_property("replica_ids_never_reused", o, o.profile.size, [] {
    const auto node = *rc::gen::inRange<std::uint32_t>(0, 4);
    const auto from_end = *rc::gen::inRange<std::uint32_t>(0, 6);
    const auto restarts = *rc::gen::inRange<std::uint32_t>(1, 10);
    recorder->note_case(restarts);
    std::set<std::uint64_t> taken;
    std::optional<ReplicaId> id = ReplicaId::of(node, UINT32_MAX - from_end);
    taken.insert(id->value);
    for (std::uint32_t k = 0; k < restarts && id; ++k) {
      id = id->next_incarnation();
      if (!id) break;
      if (id->node() != node || !taken.insert(id->value).second) {
        GOSSIP_PROP_FAIL(restarts, "ids: node " + std::to_string(node) + " restarting with amnesia from incarnation " +
                                       std::to_string(UINT32_MAX - from_end) + " took " + std::to_string(id->node()) + "." +
                                       std::to_string(id->incarnation()) + ", an id of another node or one used before");
      }
    }
  });
}

}  // namespace

std::vector<Property> limit_properties() {
  return {
      {"register_join_at_limits", "near 32 siblings, 256 clock entries and 2^64 counters, join is the model's in every order (the limit bounds the result)",
       "I4", "sibling-limit-on-each-step", register_join_at_limits},
      {"write_at_limits", "a write over a register at the limits is refused exactly when the model refuses it, and otherwise stays within the wire's limits",
       "I3 I11", "clock-limit-only-for-new-writer", write_at_limits},
      {"view_at_extreme_counters", "the summary tie-break sums counters near 2^64 exactly, as the model does", "view",
       "counter-sum-wraps", view_at_extreme_counters},
      {"view_of_long_chains", "absorb chains and cycles up to 5,000 patterns long, and chains to a target not held, resolve as the model says",
       "view", "unknown-target-dead", view_of_long_chains},
      {"replica_ids_never_reused", "an amnesia restart takes a new id of the same node, or is refused", "I3",
       "incarnation-wraps", replica_ids_never_reused},
  };
}

}  // namespace gossip::properties
