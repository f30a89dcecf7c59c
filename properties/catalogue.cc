// The properties. Each one is a RapidCheck property run through rc::detail::checkProperty
// with the profile's parameters, an explicit seed and a listener of our own, so that the
// runner, not the environment, decides what runs; a failing case reports itself to a
// Recorder (the last failing case RapidCheck tries is the shrunk one: shrinking only ever
// moves to a smaller failing case and stops when none of its shrinks fails).
#include "properties/catalogue.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "faultnet/cluster.h"
#include "faultnet/sim.h"
#include "properties/history.h"
#include "properties/limit_properties.h"
#include "properties/rc_support.h"
#include "properties/rules_properties.h"
#include "reference/codec.h"
#include "reference/operations.h"
#include "reference/resolve.h"
#include "reference/text.h"

namespace gossip::properties {

Profile quick_profile() { return Profile{"quick", 2000, 120, 1000}; }
Profile profile_named(const std::string& name) {
  if (name == "campaign") return campaign_profile();
  if (name == "smoke") return smoke_profile();
  return quick_profile();
}
Profile campaign_profile() { return Profile{"campaign", 100000, 200, 30000}; }
Profile smoke_profile() { return Profile{"smoke", 200, 120, 100}; }

namespace {

using namespace support;

// The steps of a history, weighted towards the hard cases: few patterns (so that writes at
// different replicas are concurrent refines of one pattern, and absorbs form cycles), message
// fates that lose and repeat, partitions with writes inside them, amnesia with messages (and
// so clocks) still in flight.
rc::Gen<Step> gen_step(std::uint32_t nodes) {
  rc::Gen<Step> partition = rc::gen::map(
      rc::gen::inRange<std::uint32_t>(1, (1u << nodes) - 1), [](std::uint32_t mask) {
        Step s;
        s.op = Op::kPartition;
        s.value = mask;
        return s;
      });
  return rc::gen::weightedOneOf<Step>({
      {36, gen_write(nodes, 2)},
      {14, gen_simple(Op::kTick)},
      {18, gen_message(Op::kDeliver)},
      {5, gen_message(Op::kDrop)},
      {4, gen_message(Op::kDuplicate)},
      {3, gen_message(Op::kDelay)},
      {3, partition},
      {3, gen_simple(Op::kHeal)},
      {2, gen_node_step(Op::kCrash, nodes)},
      {3, gen_node_step(Op::kAmnesia, nodes)},
      {2, gen_node_step(Op::kPause, nodes)},
      {2, gen_node_step(Op::kResume, nodes)},
  });
}

// ---- histories under rc::state -------------------------------------------------------------

struct HistoryModel {
  std::uint32_t nodes = 3;
};

ExecutorOptions executor_options(const RunOptions& o) {
  ExecutorOptions e;
  e.impl = o.impl;
  e.partner = o.partner;
  // A cluster shared with reference nodes runs the reference's protocol: in sync, it must be
  // as cheap as the reference (a node whose roots differ from the reference's for the same
  // state is caught here: the reference answers its Hellos).
  e.check_in_sync_cost = o.histories_check_cost || o.partner != nullptr;
  return e;
}

struct HistorySut {
  HistorySut(const HistoryConfig& c, const ExecutorOptions& o) : executor(c, o) {}
  Executor executor;
  std::vector<Step> steps;
  std::optional<Violation> violation;
  // The hard cases this history reached, for the coverage the runner reports.
  bool concurrent_siblings = false, write_in_partition = false, amnesia_in_flight = false;
  std::set<std::pair<std::uint32_t, std::uint32_t>> absorbs;  // (a, into) that were written

  void note_before(const Step& s) {
    const faultnet::Cluster& c = executor.cluster();
    const bool write = s.op == Op::kCreate || s.op == Op::kRefine || s.op == Op::kAbsorb;
    if (write && c.partitioned()) write_in_partition = true;
    if (s.op == Op::kAmnesia && !c.pending().empty()) amnesia_in_flight = true;
  }
  void note_after(const Step& s) {
    const faultnet::Cluster& c = executor.cluster();
    if (s.op == Op::kAbsorb && s.pattern != s.into) absorbs.emplace(s.pattern, s.into);
    for (NodeId n = 0; n < c.size() && !concurrent_siblings; ++n) {
      c.node(n).state().for_each([&](const PatternId&, const Register& r) {
        if (r.siblings().size() > 1) concurrent_siblings = true;
      });
    }
  }
  bool absorb_cycle() const {
    for (const auto& [a, b] : absorbs) {
      if (absorbs.count({b, a})) return true;
    }
    return false;
  }
};

struct StepCommand final : rc::state::Command<HistoryModel, HistorySut> {
  explicit StepCommand(Step s) : step(s) {}
  Step step;
  void checkPreconditions(const HistoryModel& m) const override {
    RC_PRE(step.node < m.nodes);
    RC_PRE(step.op != Op::kPartition || step.value < (1u << m.nodes));
  }
  void apply(HistoryModel&) const override {}
  void run(const HistoryModel&, HistorySut& sut) const override {
    if (sut.violation) return;  // the history is over: what follows cannot matter
    sut.steps.push_back(step);
    sut.note_before(step);
    sut.violation = sut.executor.apply(step);
    sut.note_after(step);
  }
  void show(std::ostream& os) const override { os << to_text(step); }
};

// Half the histories start from a genesis state of 9 to 120 patterns at some of the nodes
// (the others start empty): trees with inner nodes, and empty nodes that must catch up from
// replicas with no fresh write to push.
HistoryConfig gen_history_config() {
  HistoryConfig c;
  c.nodes = *rc::gen::inRange<std::uint32_t>(2, 5);
  c.seed = *rc::gen::inRange<std::uint64_t>(1, 1000);
  if (*rc::gen::arbitrary<bool>()) {
    c.initial_patterns = *rc::gen::inRange<std::uint32_t>(9, 121);
    c.initial_nodes = *rc::gen::inRange<std::uint32_t>(1, 1u << c.nodes);
  }
  // A quarter start late: a clock kept in 32-bit microseconds wraps within the first rounds, one
  // kept in a double loses microseconds past 2^53, one that stops after an hour stops.
  if (*rc::gen::inRange(0, 4) == 0) {
    c.epoch = *rc::gen::element<std::uint64_t>((std::uint64_t{1} << 32) - 2'500'000, 3'600'000'000ull + 1'234'567,
                                               (std::uint64_t{1} << 40) + 777, (std::uint64_t{1} << 53) + 5);
  }
  return c;
}

// Runs the generated steps, then the end of the history; the shrunk failing history is what
// the Recorder keeps.
void check_history(const std::string& property, const HistoryConfig& config, const ExecutorOptions& options,
                   const rc::state::Commands<StepCommand::CommandType>& commands) {
  HistorySut sut(config, options);
  recorder->note_case(commands.size());
  rc::state::runAll(commands, HistoryModel{config.nodes}, sut);
  if (!sut.violation) {
    sut.violation = sut.executor.finish();
    sut.note_after(Step{});  // concurrent writes may meet only once healed
  }
  if (sut.concurrent_siblings) RC_TAG("concurrent siblings");
  if (sut.absorb_cycle()) RC_TAG("absorb cycle");
  if (sut.write_in_partition) RC_TAG("write in a partition");
  if (sut.amnesia_in_flight) RC_TAG("amnesia with messages in flight");
  if (sut.violation) {
    History h{property, config, sut.steps, {}, {}};
    GOSSIP_PROP_FAIL(h.steps.size(), to_text(*sut.violation), h);
  }
}

// With a partner implementation (RunOptions::partner) the same property is "interop": the
// nodes alternate between the two, and the history file says so for its replay.
Outcome histories(const RunOptions& o) {
  const std::string name = o.partner ? "interop" : "histories";
  return run_property(name, o, o.profile.size, [&o, name] {
    const HistoryConfig config = gen_history_config();
    const auto commands = *rc::state::gen::commands(HistoryModel{config.nodes}, [](const HistoryModel& m) {
      return rc::gen::map(gen_step(m.nodes), [](Step s) {
        return std::shared_ptr<const StepCommand::CommandType>(std::make_shared<StepCommand>(s));
      });
    });
    check_history(name, config, executor_options(o), commands);
  });
}

// I12: the same history twice gives the same run, message for message: twice in this process
// (a hidden global that moves between runs) and, when the implementation can be started again
// in a fresh process (RunOptions::other_process), once there too: randomness drawn from
// something per process (a hash salt, the pid, an address) is stable within one process and
// shows only across two.
Outcome replay_deterministic(const RunOptions& o) {
  std::shared_ptr<const Implementation> other;
  if (o.other_process) other = o.other_process();
  return run_property("replay_deterministic", o, o.profile.size / 2, [&o, &other] {
    const HistoryConfig config = gen_history_config();
    const auto steps = *rc::gen::container<std::vector<Step>>(gen_step(config.nodes));
    recorder->note_case(steps.size());
    const History h{"replay_deterministic", config, steps, {}, {}};
    auto trace = [&](const std::shared_ptr<const Implementation>& impl) {
      ExecutorOptions e = executor_options(o);
      if (impl) e.impl = impl;
      return run_traced(h, e, /*finish=*/false).trace;
    };
    const std::string first = trace(o.impl);
    if (trace(o.impl) != first) {
      GOSSIP_PROP_FAIL(steps.size(), "I12: the same history ran differently twice in one process", h);
    }
    if (other && trace(other) != first) {
      GOSSIP_PROP_FAIL(steps.size(),
                       "I12: the same history ran differently in a second process of the implementation (another "
                       "hash salt, pid and address layout): its randomness does not come from the seed alone",
                       h);
    }
  });
}

// ---- states from writes, without a network -----------------------------------------------

constexpr std::uint32_t kReplicas = 3;

// Writes at kReplicas replicas; a kDeliver step here means "replica `node` joins the state of
// replica `value`" (a state-level join, no network), so that states share history.
rc::Gen<std::vector<Step>> gen_state_steps() {
  rc::Gen<Step> join = rc::gen::apply(
      [](std::uint32_t to, std::uint32_t from) {
        Step s;
        s.op = Op::kDeliver;
        s.node = to;
        s.value = from;
        return s;
      },
      rc::gen::inRange<std::uint32_t>(0, kReplicas), rc::gen::inRange<std::uint32_t>(0, kReplicas));
  return rc::gen::container<std::vector<Step>>(
      rc::gen::weightedOneOf<Step>({{4, gen_write(kReplicas, 4)}, {1, join}}));
}

// One step on kReplicas states: a local write at replica st.node, or a join into it.
void apply_state_step(std::vector<State>& s, const Step& st) {
  State& at = s[st.node];
  const ReplicaId writer = ReplicaId::of(st.node, 0);
  switch (st.op) {
    case Op::kCreate: (void)create(at, writer, pattern_of(st.pattern), content_of(st.value)); break;
    case Op::kRefine: (void)refine(at, writer, pattern_of(st.pattern), content_of(st.value)); break;
    case Op::kAbsorb: (void)absorb(at, writer, pattern_of(st.pattern), pattern_of(st.into)); break;
    case Op::kDeliver: (void)at.join(s[st.value % kReplicas]); break;
    default: break;
  }
}

std::vector<State> build_states(const std::vector<Step>& steps, std::uint64_t seed = 7) {
  if (recorder) recorder->note_case(steps.size());
  std::vector<State> s(kReplicas, State(seed));
  for (const Step& st : steps) apply_state_step(s, st);
  return s;
}

State joined(State a, const State& b) {
  (void)a.join(b);
  return a;
}

Outcome merge_laws(const RunOptions& o) {
  return run_property("merge_laws", o, o.profile.size, [] {
    const auto steps = *gen_state_steps();
    const std::vector<State> s = build_states(steps);
    const State &a = s[0], &b = s[1], &c = s[2];
    std::string broken;
    if (!(joined(a, b) == joined(b, a))) broken = "not commutative: a+b != b+a";
    else if (!(joined(joined(a, b), c) == joined(a, joined(b, c)))) broken = "not associative: (a+b)+c != a+(b+c)";
    else if (!(joined(a, a) == a)) broken = "not idempotent: a+a != a";
    else if (!below(a, joined(a, b)) || !below(b, joined(a, b))) broken = "not inflationary: a version of a or b is lost in a+b";
    if (!broken.empty()) {
      GOSSIP_PROP_FAIL(steps.size(), "I4: " + broken + "\n  a = " + format_state(a) +
                                         "\n  b = " + format_state(b) + "\n  c = " + format_state(c));
    }
  });
}

Outcome conflicting_write_rejected(const RunOptions& o) {
  return run_property("conflicting_write_rejected", o, o.profile.size, [] {
    auto steps = *gen_state_steps();
    std::vector<State> s = build_states(steps);
    if (s[0].size() == 0) {  // nothing to forge a twin of: write one version first
      steps.push_back(Step{Op::kCreate, 0, 0, 0, 1});
      s = build_states(steps);
    }
    // Forge, at replica 1, a version with the clock of one of replica 0's versions and other
    // content: corruption, which a join must refuse and count.
    std::optional<std::pair<PatternId, Version>> forged;
    s[0].for_each([&](const PatternId& id, const Register& reg) {
      if (forged) return;
      Version v = reg.siblings()[0];
      v.content.strength += 1;
      forged.emplace(id, v);
    });
    RC_ASSERT(forged.has_value());
    State bad(s[0].cluster_seed());
    bool changed = false;
    RC_ASSERT(bad.merge_version(forged->first, forged->second, &changed).is_ok());
    State target = s[0];
    const MergeReport report = target.join(bad);
    if (report.rejected.empty() || !(target == s[0])) {
      GOSSIP_PROP_FAIL(steps.size(), "I3: equal clocks with different content were not refused: " +
                                         format_version(forged->second));
    }
  });
}

// The resolved view through the seam: nodes of the implementation started from states built
// by writes at three replicas and joins (concurrent siblings, absorb chains and cycles,
// targets not held) export their own view and edges, which must be the model's; two nodes
// started from the same state joined in two orders export the same view.
Outcome resolved_view(const RunOptions& o) {
  return run_property("resolved_view", o, o.profile.size, [&o] {
    const auto steps = *gen_state_steps();
    const std::vector<State> s = build_states(steps);
    const State ab = joined(joined(s[0], s[1]), s[2]);
    const State ba = joined(joined(s[2], s[1]), s[0]);
    for (const State* st : {&ab, &s[0]}) {
      if (std::string d = node_view_difference(o, *st); !d.empty()) {
        GOSSIP_PROP_FAIL(steps.size(), "view: a node started from " + format_state(*st) + " resolves otherwise than the "
                                       "model: " + d);
      }
    }
    if (!(ab == ba)) GOSSIP_PROP_FAIL(steps.size(), "view: joined in two orders, the states differ: " + format_state(ab) +
                                                        " / " + format_state(ba));
    if (!(resolve(ab) == resolve(ba))) GOSSIP_PROP_FAIL(steps.size(), "view: depends on the order of joins");
  });
}

// ---- codec ---------------------------------------------------------------------------------

Outcome codec_round_trip(const RunOptions& o) {
  return run_property("codec_round_trip", o, o.profile.size, [] {
    const auto steps = *gen_state_steps();
    const State s = build_states(steps)[*rc::gen::inRange<std::uint32_t>(0, kReplicas)];
    const Bytes bytes = encode_state_frame(s);
    const Result<State> back = decode_state_frame(bytes, s.cluster_seed());
    if (!back.is_ok() || !(back.value() == s) || encode_state_frame(back.value()) != bytes) {
      GOSSIP_PROP_FAIL(steps.size(), "I11: a state does not survive encode then decode: " +
                                         (back.is_ok() ? std::string("different value") : back.status().message()));
    }
  });
}

// Accepted bytes re-encode to themselves, also for bytes near a valid frame: edits to the
// payload (a varint written long, a byte zeroed or changed) with the checksum made right
// again; and a frame whose checksum is wrong is refused.
Outcome codec_canonical(const RunOptions& o) {
  return run_property("codec_canonical", o, o.profile.size, [] {
    const auto steps = *gen_state_steps();
    const State s = build_states(steps)[0];
    const Bytes frame = encode_state_frame(s);
    Bytes payload(frame.begin() + 3, frame.end() - 4);
    const std::size_t at = *rc::gen::inRange<std::size_t>(0, payload.size());
    const int edit = *rc::gen::inRange(0, 3);
    if (edit == 0 && payload[at] < 0x80) {
      // The same number, one byte longer: b becomes b|0x80 0x00 (a valid varint ends here,
      // or the edit breaks something else; either way it must not be accepted as is).
      payload[at] |= 0x80;
      payload.insert(payload.begin() + static_cast<std::ptrdiff_t>(at) + 1, 0x00);
    } else if (edit == 1) {
      payload[at] = 0;
    } else {
      payload[at] = static_cast<std::uint8_t>(*rc::gen::inRange(0, 256));
    }
    const Bytes edited = seal_frame(FrameKind::kState, payload);
    const Result<State> back = decode_state_frame(edited, s.cluster_seed());
    if (back.is_ok() && encode_state_frame(back.value()) != edited) {
      GOSSIP_PROP_FAIL(steps.size() + 1, "I11: non-canonical bytes accepted (edit " + std::to_string(edit) +
                                             " at payload byte " + std::to_string(at) + ")");
    }
    if (back.is_ok()) {
      // What is accepted is a valid value: every content a set of episodes, valid UTF-8.
      back.value().for_each([&](const PatternId& id, const Register& reg) {
        for (const Version& v : reg.siblings()) {
          const Status valid = validate(v.content);
          if (!valid.is_ok()) {
            GOSSIP_PROP_FAIL(steps.size() + 1, "I11: the decoder accepted invalid content for " + id.hex() +
                                                   ": " + valid.message());
          }
        }
      });
    }
    Bytes flipped = frame;
    flipped[3 + at % payload.size()] ^= 0x10;
    if (decode_state_frame(flipped, s.cluster_seed()).is_ok() && flipped != frame) {
      GOSSIP_PROP_FAIL(steps.size() + 1, "I11: a frame with a wrong checksum was accepted");
    }
  });
}

// ---- Merkle tree ---------------------------------------------------------------------------

Outcome merkle_incremental(const RunOptions& o) {
  return run_property("merkle_incremental", o, o.profile.size, [] {
    const auto steps = *gen_state_steps();
    recorder->note_case(steps.size());
    std::vector<State> s(kReplicas, State(7));
    std::vector<State> snapshots;
    std::vector<Bytes> snapshot_bytes;
    std::size_t i = 0;
    for (const Step& st : steps) {
      ++i;
      snapshots.push_back(s[st.node]);
      snapshot_bytes.push_back(encode_state_frame(snapshots.back()));
      apply_state_step(s, st);  // the snapshot above shares structure with s[st.node]
      const State& now = s[st.node];
      std::vector<std::pair<PatternId, Register>> regs;
      now.for_each([&](const PatternId& id, const Register& r) { regs.emplace_back(id, r); });
      const State scratch = State::from_registers(now.cluster_seed(), regs);
      if (!(scratch.root() == now.root())) {
        GOSSIP_PROP_FAIL(i, "I6: after step " + std::to_string(i) + " the incremental root differs from the one built from scratch");
      }
      // And both are the root the wire format defines, computed by the model, which shares
      // no digest code with the reference.
      if (model::merkle_root(to_model(now), now.cluster_seed()) != now.root().bytes) {
        GOSSIP_PROP_FAIL(i, "I6: after step " + std::to_string(i) + " the root is not the one the wire format defines");
      }
      for (std::size_t k = 0; k < snapshots.size(); ++k) {
        if (encode_state_frame(snapshots[k]) != snapshot_bytes[k]) {
          GOSSIP_PROP_FAIL(i, "I6: a snapshot taken before step " + std::to_string(k + 1) + " changed");
        }
      }
    }
  });
}

// I5: the tree's shape and root are the specified function of its entries, whatever the order
// they came in: a leaf holds at most kLeafCapacity entries (or sits at the greatest depth), an
// inner node holds more, and the root is the model's. An implementation that splits elsewhere computes other roots than
// every other build: converged replicas of two builds would disagree forever.
Outcome merkle_canonical_shape(const RunOptions& o) {
  return run_property("merkle_canonical_shape", o, o.profile.size, [] {
    const auto n = *rc::gen::inRange<std::uint64_t>(1, 300);
    const auto order_seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 20);
    recorder->note_case(n);
    std::vector<std::uint64_t> ids(n);
    for (std::uint64_t i = 0; i < n; ++i) ids[i] = i + 1;
    Rng r(order_seed);
    for (std::size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[r.below(i)]);
    State s(7);
    for (std::uint64_t id : ids) {
      RC_ASSERT(create(s, ReplicaId::of(1, 0), PatternId::from_u64(id * 0x9E3779B97F4A7C15ull),
                       content_of(static_cast<std::uint32_t>(id))).is_ok());
    }
    std::string problem;
    std::function<void(std::vector<std::uint8_t>&)> visit = [&](std::vector<std::uint8_t>& path) {
      const MerkleTree::NodeView v = s.tree().node_at(path);
      if (!v.exists || !problem.empty()) return;
      std::size_t entries = 0;
      s.tree().for_each_under(path, [&](const MerkleTree::Entry&) { ++entries; return true; });
      if (v.leaf && entries > MerkleTree::kLeafCapacity && path.size() < MerkleTree::kDepthMax) {
        problem = "a leaf at depth " + std::to_string(path.size()) + " holds " + std::to_string(entries) + " entries";
      } else if (!v.leaf && entries <= MerkleTree::kLeafCapacity) {
        problem = "an inner node at depth " + std::to_string(path.size()) + " holds only " + std::to_string(entries) + " entries";
      }
      if (v.leaf) return;
      for (std::uint8_t i = 0; i < MerkleTree::kFanout; ++i) {
        path.push_back(i);
        visit(path);
        path.pop_back();
      }
    };
    std::vector<std::uint8_t> root;
    visit(root);
    if (!problem.empty()) GOSSIP_PROP_FAIL(n, "I5: the tree of " + std::to_string(n) + " patterns is not in its canonical shape: " + problem);
    // Built by n inserts in a random order, with inner nodes from 9 patterns on: the root is
    // the one the wire format defines, computed by the model.
    if (model::merkle_root(to_model(s), s.cluster_seed()) != s.root().bytes) {
      GOSSIP_PROP_FAIL(n, "I5: the root of " + std::to_string(n) + " patterns inserted in a random order is " +
                              s.root().hex() + ", not the one the wire format defines");
    }
  });
}

// I7: changing any one semantic field of any one version changes the root.
Outcome every_field_hashed(const RunOptions& o) {
  return run_property("every_field_hashed", o, o.profile.size, [] {
    std::vector<Step> steps(1, Step{Op::kCreate, 0, 0, 0, 1});  // never an empty state
    for (const Step& st : *gen_state_steps()) steps.push_back(st);
    const State s = build_states(steps)[0];
    std::vector<std::pair<PatternId, Register>> regs;
    s.for_each([&](const PatternId& id, const Register& r) { regs.emplace_back(id, r); });
    const std::size_t which = *rc::gen::inRange<std::size_t>(0, regs.size());
    const int field = *rc::gen::inRange(0, 5);
    static const char* kFields[] = {"summary", "episodes", "strength", "absorbed_into", "clock"};
    Register& reg = regs[which].second;
    std::vector<Version> versions = reg.siblings();
    Version& v = versions[0];
    switch (field) {
      case 0: v.content.summary += "x"; break;
      case 1: v.content.episodes.push_back(v.content.episodes.empty() ? 1 : v.content.episodes.back() + 1); break;
      case 2: v.content.strength += 1; break;
      case 3: v.content.absorbed_into = v.content.absorbed_into ? std::nullopt
                                                               : std::optional<PatternId>(PatternId::from_u64(999)); break;
      default: v.clock.increment(ReplicaId::of(9, 0)); break;
    }
    Result<Register> changed = Register::from_versions(versions);
    RC_PRE(changed.is_ok());
    reg = changed.value();
    const State other = State::from_registers(s.cluster_seed(), regs);
    if (other.root() == s.root()) {
      GOSSIP_PROP_FAIL(steps.size() + 1, std::string("I7: changing the ") + kFields[field] + " of " +
                                             regs[which].first.hex() + " left the root unchanged");
    }
  });
}

// ---- exchange costs ------------------------------------------------------------------------

std::uint64_t bytes_delivered(faultnet::Cluster& c) {
  std::uint64_t b = 0;
  for (const faultnet::Delivery& d : c.take_log()) b += d.message.bytes.size();
  return b;
}

// I8: two replicas in the same state: each sends one message of at most 32 bytes in an
// interval (its Hello), and nobody answers. Judged in a steady interval: what the first one
// sent (a node may gossip at its first tick) is delivered first.
Outcome in_sync_cost(const RunOptions& o) {
  return run_property("in_sync_cost", o, o.profile.size, [&o] {
    const auto steps = *gen_state_steps();
    faultnet::ClusterConfig cc;
    cc.nodes = 2;
    cc.node.cluster_seed = 7;
    cc.initial = {build_states(steps)[0]};
    if (o.impl) cc.impl = {o.impl};
    faultnet::Cluster c(cc);
    c.tick();
    c.deliver_all();
    (void)c.take_log();
    c.tick();
    std::size_t largest = 0, messages = 0;
    for (const faultnet::Pending& m : c.pending()) {
      largest = std::max(largest, m.bytes.size());
      ++messages;
    }
    recorder->figure("largest in-sync message, bytes", double(largest));
    recorder->figure("messages per interval, 2 nodes", double(messages));
    if (const std::string d = in_sync_excess(c); !d.empty()) GOSSIP_PROP_FAIL(steps.size(), "I8: " + d);
  });
}

// I9: bringing two replicas that differ in d patterns back in sync costs bytes that grow
// with d, not with N: at most 400 bytes per differing pattern plus 600 bytes, the same bound
// for N = 256 and N = 4,096 (a walk that sends or descends into what matches exceeds it).
Outcome diverged_cost(const RunOptions& o) {
  static const State small = genesis_state(256);
  static const State large = genesis_state(4096);
  return run_property("diverged_cost", o, o.profile.size, [&o] {
    const bool big = *rc::gen::arbitrary<bool>();
    const std::uint64_t n = big ? 4096 : 256;
    const auto d = *rc::gen::inRange<std::uint32_t>(1, 17);
    const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 20);
    recorder->note_case(d);  // d refines
    faultnet::ClusterConfig cc;
    cc.nodes = 2;
    cc.node.cluster_seed = 7;
    cc.initial = {big ? large : small};
    if (o.impl) cc.impl = {o.impl};
    faultnet::Cluster c(cc);
    Rng r(seed);
    std::set<std::uint64_t> chosen;
    while (chosen.size() < d) chosen.insert(r.below(n));
    for (std::uint64_t i : chosen) {
      RC_ASSERT(c.node(0).refine(PatternId::from_u64(i + 1), content_of(static_cast<std::uint32_t>(i))).is_ok());
    }
    // Past the window in which fresh writes are pushed eagerly: only the walk finds them.
    for (std::uint32_t k = 0; k < 64; ++k) {
      c.tick();
      while (!c.pending().empty()) c.drop(0);
    }
    (void)c.take_log();
    const std::uint32_t rounds = c.run_to_quiescence(32);
    const std::uint64_t bytes = bytes_delivered(c);
    const std::uint64_t bound = 400ull * d + 600;
    recorder->figure(std::string("bytes to sync d of N = ") + (big ? "4096" : "256") + ", largest share of the bound",
                     double(bytes) / double(bound));
    recorder->figure(std::string("bytes to sync d of N = ") + (big ? "4096" : "256") + ", largest",
                     double(bytes));
    if (rounds > 32 || bytes > bound) {
      GOSSIP_PROP_FAIL(d, "I9: " + std::to_string(d) + " differing patterns of " + std::to_string(n) + " took " +
                              std::to_string(bytes) + " bytes (bound " + std::to_string(bound) + ") in " +
                              std::to_string(rounds) + " rounds");
    }
  });
}

// I1 against truncated digests: two replicas whose roots agree on their first two bytes
// (found by search) still find their difference in one round.
Outcome near_collision(const RunOptions& o) {
  return run_property("near_collision", o, o.profile.size, [&o] {
    const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 20);
    recorder->note_case(2);  // two states, one exchange
    const State base = genesis_state(8);
    const Digest root = base.root();
    // Refine one pattern with ever new content until the new root shares a prefix with the
    // old one: about 256 tries for one byte.
    std::optional<State> other;
    for (std::uint32_t v = 0; v < 20000 && !other; ++v) {
      State s = base;
      const std::uint32_t value = static_cast<std::uint32_t>(seed) * 20000 + v;
      RC_ASSERT(refine(s, ReplicaId::of(1, 0), PatternId::from_u64(1 + value % 8), content_of(value)).is_ok());
      if (s.root().bytes[0] == root.bytes[0]) other = s;
    }
    RC_PRE(other.has_value());
    faultnet::ClusterConfig cc;
    cc.nodes = 2;
    cc.seed = seed;
    cc.node.cluster_seed = 7;
    cc.initial = {base, *other};
    if (o.impl) cc.impl = {o.impl};
    faultnet::Cluster c(cc);
    (void)c.run_to_quiescence(4);
    const NodeUnderTest& a = c.node(0);
    const NodeUnderTest& b = c.node(1);
    if (!(a.state() == b.state())) {
      GOSSIP_PROP_FAIL(2, "I1: two replicas whose roots share their first byte (" + base.root().hex().substr(0, 4) +
                              " / " + other->root().hex().substr(0, 4) + ") did not sync in 4 rounds");
    }
  });
}

// ---- propagation -----------------------------------------------------------------------------

// I10 as a statistical property: one write at one of N = 64 replicas reaches all of them
// within 2 * ceil(log2 N) + 2 = 14 rounds, with 20% of messages lost. With k trials and no
// failure, the probability of a failure per write is below 3/k at 95% confidence (the rule of
// three): 0.3% for the quick profile's 1,000 trials, 0.01% for the campaign's 30,000. The
// nodes are driven by their own wakeups (the simulator), and one trial in five runs their
// clocks late (past an hour, past 2^32 microseconds, past 2^40, past 2^53): a node whose timer
// stops or wraps there stops gossiping.
Outcome propagation_bound(const RunOptions& o) {
  return run_property("propagation_bound", o, 1, [o] {
    recorder->note_case(static_cast<std::size_t>(o.profile.trials));
    const std::uint32_t n = 64;
    const std::uint32_t bound = 2 * ceil_log2(n) + 2;
    static constexpr std::uint64_t kEpochs[] = {0, 3'600'000'000ull + 1'234'567, (std::uint64_t{1} << 32) - 2'500'000,
                                                (std::uint64_t{1} << 40) + 777, (std::uint64_t{1} << 53) + 5};
    for (int t = 0; t < o.profile.trials; ++t) {
      faultnet::SimConfig sc;
      sc.nodes = n;
      sc.patterns = 16;
      sc.writes = 1;
      sc.seed = faultnet::trial_seed(o.seed, static_cast<std::uint64_t>(t));
      sc.faults.loss_ppm = 200'000;
      sc.rounds = bound + 1;          // past the bound the trial has failed: no need to go on
      sc.liveness_rounds_max = 1;
      sc.impl = o.impl;
      sc.epoch = kEpochs[t % 5];
      const faultnet::TrialResult r = faultnet::run_trial(sc);
      const std::uint32_t took = r.rounds_to_full.empty() ? ~0u : r.rounds_to_full[0];
      if (took != ~0u) recorder->figure("rounds until all 64 hold the write, worst trial", double(took));
      if (took > bound) {
        GOSSIP_PROP_FAIL(1, "I10: trial " + std::to_string(t) + " (gossipcheck sim --nodes 64 --patterns 16 --loss 0.2 --seed " +
                                std::to_string(o.seed) + " --only-trial " + std::to_string(t) +
                                (sc.epoch ? " --epoch " + std::to_string(sc.epoch) : std::string()) + "): the write took " +
                                (took == ~0u ? std::string("forever") : std::to_string(took)) + " rounds, bound " +
                                std::to_string(bound) + (sc.epoch ? " (the nodes' clocks started at " + std::to_string(sc.epoch) + " us)" : ""));
      }
    }
  }, /*cases=*/1);
}

// The yardstick itself: the ideal push-pull model agrees with docs/PERFORMANCE.md's table at N = 100
// (p99.9 of 8 rounds without loss, 11 with 20% loss), within one round.
Outcome ideal_model(const RunOptions& o) {
  return run_property("ideal_model", o, 1, [o] {
    recorder->note_case(2000);
    for (auto [loss, want] : {std::pair<std::uint32_t, std::uint32_t>{0, 8}, {200'000, 11}}) {
      std::vector<std::uint32_t> r = faultnet::ideal_push_pull(100, loss, 2000, o.seed);
      std::sort(r.begin(), r.end());
      const std::uint32_t p999 = r[r.size() * 999 / 1000];
      if (p999 + 1 < want || p999 > want + 1) {
        GOSSIP_PROP_FAIL(1, "I10: the ideal model's p99.9 at N=100, loss " + std::to_string(loss / 10000) +
                                "%, is " + std::to_string(p999) + " rounds; theory says " + std::to_string(want));
      }
    }
  }, /*cases=*/1);
}

}  // namespace

const std::vector<Property>& catalogue() {
  static const std::vector<Property> all = [] {
    std::vector<Property> out = {
      {"histories", "concurrent histories keep every safety invariant after every step and, healed, converge to the model's state, view and edges",
       "I1 I2 I3 I5 I6 I8 I13", "push-never-pull", histories},
      {"replay_deterministic", "the same history runs the same way twice, message for message", "I12",
       "hidden-global-seed", replay_deterministic},
      {"merge_laws", "join is commutative, associative, idempotent and inflationary", "I4",
       "non-idempotent-merge", merge_laws},
      {"conflicting_write_rejected", "equal clocks with different content are refused, never picked", "I3",
       "equal-clock-first-wins", conflicting_write_rejected},
      {"resolved_view", "the resolved view is independent of join order and agrees with the model's", "view",
       "cycle-picks-largest", resolved_view},
      {"codec_round_trip", "every state survives encode then decode, and re-encodes to the same bytes", "I11",
       "accept-repeated-episode", codec_round_trip},
      {"codec_canonical", "bytes near a valid frame are refused or re-encode to themselves; a wrong checksum is refused",
       "I11", "accept-overlong-varint", codec_canonical},
      {"merkle_incremental", "the incremental root equals the root built from scratch; snapshots never change", "I6",
       "stale-inner-digest", merkle_incremental},
      {"merkle_canonical_shape", "the tree's shape and root are the specified function of its entries, whatever their order", "I5",
       "leaf-split-off-by-one", merkle_canonical_shape},
      {"every_field_hashed", "changing any one field of any one version changes the root", "I7", "hash-omits-strength",
       every_field_hashed},
      {"in_sync_cost", "replicas in the same state exchange one Hello of at most 32 bytes and nothing else", "I8",
       "in-sync-still-answers", in_sync_cost},
      {"diverged_cost", "syncing d differing patterns out of N = 256 or 4096 costs at most 400 d + 600 bytes", "I9",
       "walk-descends-matching-children", diverged_cost},
      {"near_collision", "replicas whose roots share a prefix still find their difference", "I1",
       "truncated-root-compare", near_collision},
      {"propagation_bound", "a write reaches all of 64 replicas within 14 rounds under 20% loss, in every trial", "I10",
       "no-eager-push", propagation_bound},
      {"ideal_model", "the ideal push-pull yardstick agrees with the theory table", "I10", "ideal-model-push-only",
       ideal_model},
    };
    for (auto more : {limit_properties(), hostile_properties(), claims_properties()}) out.insert(out.end(), more.begin(), more.end());
    out.push_back({"refused_rules_leave_no_trace",
                   "a frame that breaks exactly one refusal rule of the wire format leaves no trace at a node (nothing sent, "
                   "state and fingerprint unchanged); the same message made right is joined and answered",
                   "I11", "checksum-ignored", refused_rules_leave_no_trace});
    out.push_back({"walk_hashes_as_specified",
                   "the probes a node sends carry exactly the child digests and entry tags the wire format computes, "
                   "salted per exchange by the cluster seed, the initiator and the xid",
                   "I1", "salt-ignores-xid", walk_hashes_as_specified});
    return out;
  }();
  return all;
}

int report_case(const CaseFile& c, const Outcome& r, std::ostream& out) {
  out << "property " << c.property << " (profile " << c.profile << ", seed " << c.seed << "), the saved case alone:\n";
  if (!r.not_applicable.empty()) {
    out << "not applicable: " << r.not_applicable << "\n";
    return 0;
  }
  if (r.passed) {
    out << "no violation: the property holds on this case\n";
    return 0;
  }
  std::string m = r.message;
  const std::size_t again = m.find("search again:");
  if (again != std::string::npos) m = m.substr(0, again);
  out << "VIOLATION " << m << (m.empty() || m.back() != '\n' ? "\n" : "");
  return 1;
}

int run_case(const std::vector<Property>& properties, const CaseFile& c, RunOptions base, std::ostream& out,
             std::ostream& err) {
  const auto p = std::find_if(properties.begin(), properties.end(), [&](const Property& x) { return x.name == c.property; });
  if (p == properties.end()) {
    err << "error: no property named " << c.property << " here\n";
    return 2;
  }
  base.profile = profile_named(c.profile);
  base.seed = c.seed;
  base.reproduce = c.reproduce;
  base.failures_dir = (std::filesystem::temp_directory_path() / "gossipcheck-replay").string();
  return report_case(c, p->run(base), out);
}

}  // namespace gossip::properties
