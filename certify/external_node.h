// What every node outside this process (a plug-in's, a child process's) has in common behind
// the seam: its state is read through its export (a canonical state frame, or the text form),
// decoded by the suite's own codec once per change, and the ids that changed are found by
// comparing exports. An export that is not a state throws gossip::ImplementationError.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "faultnet/node_under_test.h"

namespace gossip::certify {

class ExternalNode : public NodeUnderTest {
 public:
  ExternalNode(NodeId self, ReplicaId replica, std::uint64_t cluster_seed)
      : self_(self), replica_(replica), cluster_seed_(cluster_seed), last_(cluster_seed) {}

  const State& state() const final;
  std::vector<PatternId> take_changed() final;
  NodeId self() const final { return self_; }
  ReplicaId replica() const final { return replica_; }

 protected:
  // The node's export: a canonical state frame (docs/WIRE_FORMAT.md) or, when text is set,
  // the text form. Throws ImplementationError when the node cannot give one.
  struct Export {
    Bytes frame;
    std::optional<std::string> text;
  };
  virtual Export export_state() const = 0;
  // Every call that may change the node calls this first.
  void touched() { fresh_ = false; }
  std::uint64_t cluster_seed() const { return cluster_seed_; }

 private:
  NodeId self_;
  ReplicaId replica_;
  std::uint64_t cluster_seed_;
  mutable std::optional<State> state_;
  mutable bool fresh_ = false;
  State last_;  // the state at the last take_changed()
};

}  // namespace gossip::certify
