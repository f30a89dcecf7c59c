// A concurrent consolidation history: the steps a property generates, shrinks, saves and
// replays. One step is one event: a local write at a replica, a tick of virtual time, the
// fate of one pending message, a partition or its healing, a crash-restart, a pause.
//
// A history is plain data with a line-per-step text form (docs/PROPERTIES.md, "History
// files"), and running it is a pure function of (config, steps): the Executor drives a
// faultnet::Cluster of nodes under test (the reference's unless told otherwise) and checks them after every step against the oracle
// in model/, so the same file fails the same way, bit for bit, every time (I12).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "faultnet/cluster.h"
#include "model/model.h"
#include "reference/assert.h"
#include "reference/resolve.h"

namespace gossip::properties {

enum class Op : std::uint8_t {
  kCreate, kRefine, kAbsorb,             // writes at `node`
  kTick,                                 // one gossip interval
  kDeliver, kDrop, kDuplicate, kDelay,   // pending message `value` (modulo how many wait)
  kPartition,                            // nodes whose bit is set in `value` on one side
  kHeal,
  kCrash, kAmnesia,                      // crash-restart of `node`: durable / amnesia
  kPause, kResume,
};

struct Step {
  Op op = Op::kTick;
  std::uint32_t node = 0;
  std::uint32_t pattern = 0;  // writes: p<pattern>; absorb: the absorbed pattern
  std::uint32_t into = 0;     // absorb: the target
  std::uint32_t value = 0;    // writes: the content's seed; messages: index; partition: mask
  bool operator==(const Step&) const = default;
};

struct HistoryConfig {
  std::uint32_t nodes = 3;
  std::uint64_t seed = 1;
  // Small limits, so that histories reach them: a tight message budget truncates walks, a
  // small exchange table fills when messages are lost.
  std::size_t message_bytes_max = 512;
  std::size_t exchanges_max = 4;
  std::uint8_t walk_width = 2;
  // Nodes whose bit is set in initial_nodes start with genesis_state(initial_patterns): tens
  // to hundreds of long-written patterns, so that the trees have inner nodes, and nodes that
  // start empty (or lose everything to amnesia) must catch up through a walk. 0: none.
  std::uint32_t initial_patterns = 0;
  std::uint32_t initial_nodes = 0;
  // The virtual time the history starts at, in microseconds (faultnet::ClusterConfig::epoch):
  // 0, or late (past an hour, past 2^32 microseconds, past 2^53) for a node whose clock is
  // kept in too narrow a type.
  std::uint64_t epoch = 0;
  bool operator==(const HistoryConfig&) const = default;
};

struct History {
  std::string property;  // the property that generated it
  HistoryConfig config;
  std::vector<Step> steps;
  // What a certification recorded of the run that failed (both optional, in the file as
  // "trace" and "implementation" lines): the run's trace digest (trace_digest) and the
  // implementation's identity digest. A replay on the same implementation must run the same
  // way; `gossipcheck replay` checks it.
  std::string trace;
  std::string implementation;
};

// The content a write with seed v gives: summary "s<v>", episodes {v mod 4, 4 + v mod 3},
// strength v. A small domain, so that patterns share episodes (edges) and contents collide.
Content content_of(std::uint32_t value);
PatternId pattern_of(std::uint32_t index);  // p<i> is PatternId::from_u64(i + 1)
// The replica that wrote a genesis state (no node of a cluster has its id).
inline constexpr ReplicaId kGenesisWriter = ReplicaId::of(0xFFFFFFFFu, 0);
// n patterns p0 .. p<n-1>, each created once by kGenesisWriter: "pattern <i>", episodes
// {i, i + 10^6}. Long written: nothing in it is a fresh write of any node.
State genesis_state(std::uint64_t n, std::uint64_t cluster_seed = 7);
// `writes` random local writes at `writer` over s (p0 .. p<patterns + 7>): creates of new
// patterns, refines, absorbs; those the data model refuses change nothing.
void diverge(State& s, ReplicaId writer, Rng& r, std::size_t writes, std::uint32_t patterns);
// A reference state in the model's terms, and back (the way back fails on content or registers
// the reference refuses).
model::StateMap to_model(const State& state);
model::Register register_of(const Register& reg);
model::Content to_model_content(const Content& content);
Result<State> from_model(const model::StateMap& state, std::uint64_t cluster_seed);
// "" when an implementation's resolved view is the model's (content, survivor, liveness of
// every pattern), else the first difference.
std::string view_difference(const ResolvedView& view, const model::View& want);
// "" when a view and its edges are the model's view of `state` and its edges, else the first
// difference: a pattern (its content, survivor, liveness) or an edge (missing, extra, weight).
std::string view_frame_difference(const ViewFrame& got, const model::StateMap& state);

// How a local write's outcome differs from the model's (model::expected_write), given what
// the writer held of the patterns it names before and after the write: refused when the model
// says it must succeed, or with another error, or the other way round ("write"); refused but
// something changed ("I2"); a pattern left with other than the one version the model writes
// ("I3" when several versions remain, "write" when the clock or content differs). An empty
// invariant when there is no difference.
struct WriteJudgement {
  std::string invariant, detail;
  bool ok() const { return invariant.empty(); }
};
WriteJudgement judge_write(const model::ExpectedWrite& want, const Status& status,
                           const model::StateMap& before, const model::StateMap& after);
// A content in the model's terms and back.
Content from_model_content(const model::Content& content);

// Whether every version of a is in b or dominated there (nothing of a is lost in b).
bool below(const State& a, const State& b);
// The first version of a that b lost (neither holds nor dominates), said as "pattern <id>
// version <clock> ...", or "" when there is none.
std::string first_lost(const State& a, const State& b);

// I8, judged on opaque bytes: on a cluster in sync that has just ticked, "" when every node
// has at most one message pending, of at most 32 bytes, and delivering them all makes nobody
// send anything more; else what broke it. Delivers what is pending.
std::string in_sync_excess(faultnet::Cluster& cluster);

// The trace of a run, for I12: the fate of every message (from>to:bytes) after each step, then
// what each replica held and the violation; two runs are the same run when their traces are.
void append_trace(std::string* trace, const std::vector<faultnet::Delivery>& log);
// 16 lowercase hex digits: XXH3-64 of a trace.
std::string trace_digest(std::string_view trace);

std::string to_text(const Step& step);
std::string to_text(const History& history);
// Total: any text gives a history or an error naming the line.
Result<History> parse_history(std::string_view text);

// What an assertion inside the implementation throws while an Executor or a property
// runs (reference/assert.h, set_assert_handler): a failed case, not a dead process.
struct AssertionFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Installs the throwing handler for as long as it lives.
class ThrowingAsserts {
 public:
  ThrowingAsserts();
  ~ThrowingAsserts();
  ThrowingAsserts(const ThrowingAsserts&) = delete;
  ThrowingAsserts& operator=(const ThrowingAsserts&) = delete;

 private:
  AssertHandler previous_;
};

struct Violation {
  std::size_t step = 0;  // index of the step after which it was seen; steps.size(): the end
  std::string invariant;  // "I1", "I2", ...
  std::string detail;
  bool operator==(const Violation&) const = default;
};
std::string to_text(const Violation& v);

// Whose nodes an Executor runs, and what its end checks.
struct ExecutorOptions {
  std::shared_ptr<const Implementation> impl;  // null: the reference
  // Interop: when set, the odd nodes are this implementation's (the reference, for an
  // implementation that speaks the wire format) and the even nodes impl's.
  std::shared_ptr<const Implementation> partner;
  // finish() also checks I8 on the converged cluster. Certification judges I8 by its own
  // property (in_sync_cost), so that a correct but costly implementation passes the histories.
  bool check_in_sync_cost = true;
};

class Executor {
 public:
  explicit Executor(const HistoryConfig& config, const ExecutorOptions& options = {});
  // A whole second executor (cluster, oracle, what each replica held): exhaustive exploration
  // (explore.h) branches by copying.
  Executor(const Executor& other);
  Executor& operator=(const Executor&) = delete;
  ~Executor();

  // Runs one step, then checks the safety invariants (I2 so far, I3, I5, I6, I13). An
  // assertion that fails inside the implementation is a violation ("assert") too, and so is
  // an exception it throws ("exception").
  std::optional<Violation> apply(const Step& step);
  // Heals, runs to quiescence, and checks I1, I2 and the resolved view against the model,
  // then (unless the options say not) I8 on the converged cluster: every node sends at most
  // one message of at most 32 bytes per interval, and nobody answers.
  std::optional<Violation> finish();
  // A whole history: the first violation, or none.
  static std::optional<Violation> run(const History& history, const ExecutorOptions& options = {});

  const faultnet::Cluster& cluster() const;
  faultnet::Cluster& cluster();
  const model::Oracle& oracle() const;
  std::size_t steps_run() const;
  // XXH3-128 of everything that decides how a continuation of this history can run and what it
  // is checked against: the nodes (Cluster::append_fingerprint), the pending messages as a
  // multiset with whether each receiver has had the message before, the oracle's writes, and
  // what each replica ever held. Two executors with equal fingerprints have the same
  // continuations, up to the order of the pending list (and a 2^-128 collision). Throws
  // ImplementationError when the implementation lacks the fingerprint capability.
  std::array<std::uint8_t, 16> fingerprint() const;
  // What each replica holds, one line per replica (for replay).
  std::string describe() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The options a saved history runs with: those given, and for a history of "interop" whose
// partner is not set, reference nodes at the odd places (and I8 checked, as interop does).
ExecutorOptions options_for(const History& history, ExecutorOptions given);

// A history run on fresh nodes, with the trace of the run: after each step, the fate of every
// message (append_trace); after the last, when `finish`, the end (heal, quiescence, the model's
// checks) and its messages; then what each replica held and the violation, if any. The same
// implementation must give the same trace every time (I12).
struct TracedRun {
  std::string trace;
  std::optional<Violation> violation;
};
TracedRun run_traced(const History& history, const ExecutorOptions& options, bool finish);

}  // namespace gossip::properties
