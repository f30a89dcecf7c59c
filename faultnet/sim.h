// faultnet's simulator: a cluster of nodes under test (the reference's by default) on a discrete-event network with
// virtual time and one root seed.
//
// Determinism (I12): every random choice comes from streams forked from the trial's seed by
// label (network, workload, each node); events are ordered by (time, sequence number); the
// containers whose order reaches any output are ordered or indexed. The trace hash folds
// every delivered message (time, from, to, bytes) and every write, so two runs agree on it
// exactly when they agree on everything the nodes saw.
//
// A trial has a safety phase (faults on, writes issued) and a liveness phase (the network
// healed: no loss, duplication, reordering, corruption or partition; paused and restarting
// nodes back; crash-stopped nodes stay down) that must converge within a bounded number of
// rounds. A round is one gossip interval.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "faultnet/faults.h"
#include "faultnet/node_under_test.h"

namespace faultnet {

struct SimConfig {
  std::uint32_t nodes = 16;
  std::uint64_t patterns = 100;  // created before the trial and held by every node
  std::uint64_t writes = 1;      // issued at random nodes and times in the first half of the
                                 // safety phase (a single write: at round 1)
  std::uint32_t rounds = 0;      // safety phase; 0: 4 * ceil(log2 nodes) + 8
  std::uint32_t liveness_rounds_max = 0;  // 0: 4 * ceil(log2 nodes) + 16
  bool stop_when_delivered = true;        // end the safety phase once every write is
                                          // everywhere and every timed fault is over
  std::uint64_t seed = 1;
  gossip::NodeConfig node;
  FaultProfile faults;
  // Who implements the nodes (null: the reference). The in-sync and diverged byte figures
  // need an implementation with the accounting capability; the others are measured on any.
  std::shared_ptr<const gossip::Implementation> impl;
  // The nodes' clocks run this many microseconds ahead of the trial's (which starts at 0):
  // a cluster of long-running nodes, or clocks past 2^32 microseconds or 2^53.
  std::uint64_t epoch = 0;
};

struct ExchangeBytes {
  std::uint64_t count = 0, bytes = 0, max = 0;
  void add(std::uint64_t b) {
    ++count;
    bytes += b;
    max = std::max(max, b);
  }
  void merge(const ExchangeBytes& other) {
    count += other.count;
    bytes += other.bytes;
    max = std::max(max, other.max);
  }
  double mean() const { return count ? double(bytes) / double(count) : 0.0; }
};

struct TrialResult {
  bool converged = false;
  std::uint32_t safety_rounds = 0;
  std::uint32_t liveness_rounds = 0;  // rounds after healing until every live node agreed
  std::vector<std::uint32_t> rounds_to_full;  // per write that reached every live node
  std::uint64_t writes_issued = 0;
  std::uint64_t versions_tracked = 0;    // versions written (an absorb writes two)
  std::uint64_t writes_failed = 0;       // a local operation refused (for example a limit)
  std::uint64_t writes_lost_with_origin = 0;  // never left a node that then lost its state
  std::uint64_t writes_missing = 0;      // held by a live node at healing, absent after (I2)
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_delivered = 0;
  std::uint64_t bytes_total = 0;
  ExchangeBytes in_sync;            // replicas in the same state when the Hello left
  ExchangeBytes in_sync_quiescent;  // ... and the Hello carried no fresh write
  ExchangeBytes diverged;
  std::map<std::string, std::uint64_t> faults_fired;  // every class, zero when it did not
  std::map<std::string, std::uint64_t> node_counters;  // summed over nodes
  std::uint64_t trace_hash = 0;
  std::uint64_t live_nodes = 0;
  std::uint64_t patterns_at_end = 0;
  std::string root_at_end;  // hex, when converged
  std::string failure;      // empty when the trial passed
};

// The safety phase's default length for `nodes` nodes: 4 * ceil(log2 nodes) + 8 rounds.
std::uint32_t default_rounds(std::uint32_t nodes);

// Runs one trial. `progress`, when set, is called once per round with (round, total).
TrialResult run_trial(const SimConfig& config,
                      const std::function<void(std::uint32_t, std::uint32_t)>& progress = {});

// The same seed for trial i of a run seeded `seed`.
std::uint64_t trial_seed(std::uint64_t seed, std::uint64_t trial);

// Ideal push-pull rumour spreading (docs/PERFORMANCE.md, "Ideal push-pull"): synchronous rounds, each node contacts one
// uniformly random peer, an exchange lost with probability loss_ppm; returns the rounds until
// all n nodes know, one value per trial. The rumour starts at `initially` nodes (1 to n) drawn
// at random: one for a write, half of them for one side's writes after a partition heals.
std::vector<std::uint32_t> ideal_push_pull(std::uint32_t n, std::uint32_t loss_ppm,
                                           std::uint32_t trials, std::uint64_t seed,
                                           std::uint32_t initially = 1);

}  // namespace faultnet
