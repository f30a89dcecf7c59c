// Bounded exhaustive exploration: every interleaving of a small configuration, run on the real
// reference nodes in a faultnet::Cluster and checked by the same Executor as the property
// histories (history.h).
//
// From the empty cluster, every enabled step is taken in turn: a write at any node (create, or
// refine once the node holds the pattern; absorb when there are two patterns), a tick, the
// delivery, loss or duplication of any pending message, a crash-restart of any node (durable or
// with amnesia). Budgets bound the writes, ticks, duplicates and crashes; deliveries and drops
// are unbounded (each consumes a message, and an exchange sends a bounded number). A state is
// identified by Executor::fingerprint() and its remaining budgets, and a state seen before is
// not explored again. In every state the safety invariants are checked after the step that
// reached it (I2 so far, I3, I5, I6, I13); from every distinct state a copy is healed and run to
// quiescence, and must converge (I1) to the model's state and view (I2), cheaply (I8).
// A violation comes back as a history in the replay format (`gossipcheck replay FILE`), shrunk:
// steps are deleted one at a time while replaying it still breaks the same invariant.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "properties/history.h"

namespace gossip::properties {

struct ExploreConfig {
  HistoryConfig history;  // nodes, seed, limits
  ExecutorOptions executor;  // whose nodes: they must have the clone and fingerprint capabilities
  std::uint32_t writes = 2;
  std::uint32_t patterns = 1;
  std::uint32_t ticks = 1;
  std::uint32_t duplicates = 1;
  std::uint32_t crashes = 1;  // crash-restarts, each durable or with amnesia
  bool converge = true;       // from every distinct state, heal and check convergence
  std::uint64_t states_max = 50'000'000;  // distinct states before giving up (incomplete)
  std::size_t violations_max = 1;         // stop after this many
  // First a pass cut at this many steps (0: none), which finds short violations fast and
  // keeps their histories short; then, when it found none, the exhaustive pass.
  std::uint32_t shallow_depth = 6;
};

struct ExploreFound {
  Violation violation;  // as the shrunk history breaks it
  History history;      // the steps that reach it, shrunk; replaying them reproduces it
};

struct ExploreResult {
  std::uint64_t states = 0;           // states reached, repeats included (steps taken)
  std::uint64_t distinct_states = 0;  // after pruning repeats (the initial state included)
  std::uint32_t depth = 0;            // the longest path of steps explored
  std::uint64_t convergence_checks = 0;
  double seconds = 0;
  bool complete = true;  // false when states_max or violations_max stopped it
  bool shallow_pass = false;  // the figures are the shallow pass's (it found a violation)
  std::vector<ExploreFound> violations;
};

// `progress` is called about every 10,000 distinct states and once at the end.
ExploreResult explore(const ExploreConfig& config,
                      const std::function<void(const ExploreResult&)>& progress = {});

}  // namespace gossip::properties
