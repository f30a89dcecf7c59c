// faultnet's hand-driven cluster: nodes under test (node_under_test.h; the reference's by
// default) whose every message waits in a pending
// list until a step delivers, drops, duplicates or delays it. The property histories
// (properties/) drive it step by step, so that a failure is a short list of steps a person
// can read and replay; the random simulator (sim.h) drives the same nodes at scale.
//
// Time is virtual and moves only by tick(): one gossip interval, after which every node
// that is up and not paused ticks and its messages join the pending list. Messages across a
// partition are dropped when a step tries to deliver them; messages to a paused node wait.
// Crash-restart is immediate: durable keeps the node's state and ReplicaId, amnesia comes
// back empty under the next incarnation. Messages in flight survive either.
// Determinism (I12): each node's seed is forked from the cluster seed by (node, restart).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "faultnet/node_under_test.h"

namespace faultnet {

struct ClusterConfig {
  std::uint32_t nodes = 3;
  std::uint64_t seed = 1;
  gossip::NodeConfig node;
  // What the nodes hold at the start: none (empty states), one (every node), or one per node.
  // REQUIRES: their cluster seed is node.cluster_seed.
  std::vector<gossip::State> initial;
  // Who implements the nodes: none (the reference), one (every node), or several (node n is
  // impl[n % size]: a mixed cluster, for implementations that speak the wire format).
  std::vector<std::shared_ptr<const gossip::Implementation>> impl;
  // The virtual time of round 0, in microseconds: round r is epoch + r * gossip_interval. A
  // node's clock need not start near 0 (a long-running node, a time past 2^32 microseconds,
  // past 2^53): a history may start late.
  std::uint64_t epoch = 0;
};

struct Pending {
  std::uint64_t id = 0;       // unique per send; a duplicate keeps the original's id
  gossip::NodeId from = 0, to = 0;
  gossip::FrameKind kind = gossip::FrameKind::kHello;  // 0 when the implementation does not say
  gossip::Bytes bytes;
};

// What happened to a message, for the step-by-step trace and the sequence diagram.
struct Delivery {
  std::uint64_t time = 0;  // in gossip intervals
  Pending message;
  enum class Fate { kDelivered, kDropped, kCut, kHeld } fate = Fate::kDelivered;
};

class Cluster {
 public:
  explicit Cluster(const ClusterConfig& config);
  // A copy is a whole second cluster (nodes copied, not shared): exhaustive exploration
  // branches by copying. Throws gossip::ImplementationError when a node cannot be copied
  // (the implementation lacks the clone capability).
  Cluster(const Cluster& other);
  Cluster& operator=(const Cluster& other);
  Cluster(Cluster&&) = default;
  Cluster& operator=(Cluster&&) = default;
  ~Cluster() = default;

  std::uint32_t size() const { return config_.nodes; }
  gossip::NodeUnderTest& node(gossip::NodeId n) { return *slots_.at(n).node; }
  const gossip::NodeUnderTest& node(gossip::NodeId n) const { return *slots_.at(n).node; }
  // The capabilities every node of the cluster has.
  gossip::Capabilities capabilities() const;
  bool paused(gossip::NodeId n) const { return slots_.at(n).paused; }
  std::uint64_t round() const { return round_; }

  // Collects what a node just wrote (a local operation sends nothing by itself: the next tick
  // gossips it).
  void tick();
  // pending()[k % size]; nothing when none is pending. Delivery returns false when the
  // message stayed (its receiver is paused).
  bool deliver(std::size_t k);
  void drop(std::size_t k);
  void duplicate(std::size_t k);  // a second copy at the end
  void delay(std::size_t k);      // to the end
  // Delivers the oldest pending message until none is pending (what the receivers send in
  // answer included), or kDeliverAllMax messages were delivered: an implementation whose
  // answers never end must not hang the suite. False when it stopped at the cap.
  static constexpr std::size_t kDeliverAllMax = 100'000;
  bool deliver_all();
  // Whether a deliver_all() since the cluster was made stopped at the cap.
  bool flooded() const { return flooded_; }
  // The largest message any node has sent since the cluster was made, and its sender: every
  // message must fit the configuration's message_bytes_max.
  std::size_t largest_sent() const { return largest_sent_; }
  // The first message addressed to no member of the cluster (dropped when sent), if any:
  // "n<from> sent a message to <to>".
  const std::string& misaddressed() const { return misaddressed_; }
  gossip::NodeId largest_sender() const { return largest_sender_; }
  // Nodes whose bit is set on one side, the others on the other.
  void partition(std::uint64_t side_mask);
  void heal();
  void crash_restart(gossip::NodeId n, bool amnesia);
  void pause(gossip::NodeId n);
  void resume(gossip::NodeId n);
  bool cut(gossip::NodeId a, gossip::NodeId b) const;
  bool partitioned() const { return partitioned_; }
  const std::vector<Pending>& pending() const { return pending_; }
  // Every delivery, drop and cut since the last call, oldest first.
  std::vector<Delivery> take_log();
  // Heals, resumes everyone, then ticks and delivers everything pending (oldest first) round
  // by round until every node holds the same state or `rounds_max` rounds have passed.
  // Returns the rounds it took; rounds_max + 1 when it did not converge (or flooded).
  std::uint32_t run_to_quiescence(std::uint32_t rounds_max);
  bool converged() const;
  // Appends, as bytes, what decides what the nodes do from now on: time, the partition, each
  // node (NodeUnderTest::append_fingerprint), paused flags and restarts. Not the pending
  // messages, whose fingerprint is the caller's to take (in order, or as a multiset). False
  // when a node cannot give one (the implementation lacks the fingerprint capability).
  bool append_fingerprint(std::string* out) const;

 private:
  struct Slot {
    std::unique_ptr<gossip::NodeUnderTest> node;
    std::uint32_t restarts = 0;
    bool paused = false;
  };
  std::unique_ptr<gossip::NodeUnderTest> make_node(gossip::NodeId n, gossip::ReplicaId replica,
                                                   gossip::State state, std::uint32_t restart) const;
  const gossip::Implementation& impl_of(gossip::NodeId n) const;
  void collect(gossip::NodeId n);
  std::size_t index(std::size_t k) const { return k % pending_.size(); }

  ClusterConfig config_;
  std::shared_ptr<const std::vector<gossip::NodeId>> members_;
  std::vector<Slot> slots_;
  std::vector<Pending> pending_;
  std::vector<Delivery> log_;
  std::vector<gossip::Outgoing> outgoing_;
  bool flooded_ = false;
  std::size_t largest_sent_ = 0;
  gossip::NodeId largest_sender_ = 0;
  std::string misaddressed_;
  std::uint64_t side_mask_ = 0;
  bool partitioned_ = false;
  std::uint64_t round_ = 0;
  std::uint64_t next_id_ = 1;
};

}  // namespace faultnet
