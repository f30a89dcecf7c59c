// What every node outside this process (a plug-in's, a child process's) has in common behind
// the seam: its state is read through its export (a canonical state frame, or the text form),
// decoded by the suite's own codec once per change, and the ids that changed are found by
// comparing exports. An export that is not a state throws gossip::ImplementationError. Every
// message it sends is held to its configuration's budget here, whatever property runs: a
// message over message_bytes_max throws ImplementationError ("budget"), and so does a message of
// a node that claims the wire capability which the wire format refuses ("wire"), so that no
// property can miss one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "faultnet/node_under_test.h"

namespace gossip::certify {

class ExternalNode : public NodeUnderTest {
 public:
  ExternalNode(const NodeInit& init, bool wire)
      : wire_(wire),
        self_(init.self),
        replica_(init.replica),
        cluster_seed_(init.config.cluster_seed),
        message_bytes_max_(init.config.message_bytes_max),
        last_(init.config.cluster_seed) {}

  const State& state() const final;
  std::vector<PatternId> take_changed() final;
  NodeId self() const final { return self_; }
  ReplicaId replica() const final { return replica_; }
  // What the node sends, checked against its budget (throws ImplementationError over it).
  void take_outbox(std::vector<Outgoing>* out) final;

  // The node's export: a canonical state frame (docs/WIRE_FORMAT.md) or, when text is set,
  // the text form. Throws ImplementationError when the node cannot give one.
  struct Export {
    Bytes frame;
    std::optional<std::string> text;
  };
  // The export as the implementation gave it, undecoded (gossip-plugin-host passes it on).
  Export raw_export() const { return export_state(); }

 protected:
  virtual Export export_state() const = 0;
  // What the node has to send, into *out (cleared first): take_outbox checks it.
  virtual void take_messages(std::vector<Outgoing>* out) = 0;
  // Every call that may change the node calls this first.
  void touched() { fresh_ = false; }
  // A copy of this node's settings for a clone.
  NodeInit settings() const;
  bool wire() const { return wire_; }

 private:
  bool wire_;
  NodeId self_;
  ReplicaId replica_;
  std::uint64_t cluster_seed_;
  std::size_t message_bytes_max_;
  mutable std::optional<State> state_;
  mutable bool fresh_ = false;
  State last_;  // the state at the last take_changed()
};

}  // namespace gossip::certify
