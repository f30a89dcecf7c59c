// The node under test: the one seam through which the suite drives an implementation of the
// protocol (faultnet's Cluster and simulator, the history executor, exploration, certify).
// The reference node (reference/node.h) is one implementation of it (reference_impl.h); a
// plug-in loaded through include/gossipcheck/plugin.h and a child process speaking
// docs/CERTIFY.md's protocol are others (certify/). Nothing of the suite reaches past it.
//
// Messages are opaque bytes here: an implementation need not speak docs/WIRE_FORMAT.md
// between its nodes. Its state is read through state(), which an external implementation
// provides as a canonical state frame (or the text form) that the suite decodes with its own
// codec; every judgement is made on that decoded state, against the model.
//
// What only some implementations can do is an optional capability (Capabilities): a check
// that needs one the implementation lacks is "not applicable", never passed in silence.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference/node.h"

namespace gossip {

struct Capabilities {
  bool clone = false;        // a node can be copied (exploration branches by copying)
  bool fingerprint = false;  // bytes that decide what a node does next (exploration prunes on them)
  bool counters = false;     // the reference's NodeCounters
  bool wire = false;         // speaks docs/WIRE_FORMAT.md: can share a cluster with reference nodes
  bool accounting = false;   // fills Outgoing's initiator, xid, kind and registers
  bool view = false;         // exports its own resolved view and edges (export_view)
};

// Everything a node starts from. A crash-restart that keeps durable state is a new node with
// the same replica and the state the old one held; amnesia is a new node with the next
// incarnation and an empty state.
struct NodeInit {
  NodeId self = 0;
  ReplicaId replica;
  std::shared_ptr<const std::vector<NodeId>> members;
  NodeConfig config;
  std::uint64_t seed = 0;  // all of the node's randomness comes from it
  State state{0};
};

class NodeUnderTest {
 public:
  virtual ~NodeUnderTest() = default;

  virtual Status create(const PatternId& id, const Content& content) = 0;
  virtual Status refine(const PatternId& id, const Content& content) = 0;
  virtual Status absorb(const PatternId& a, const PatternId& into) = 0;
  // Time moves to `now` (never backwards). next_wakeup() may be asked before the first tick.
  virtual void tick(Time now) = 0;
  virtual void receive(NodeId from, ByteView bytes) = 0;
  // What the node sends, into *out (cleared first).
  virtual void take_outbox(std::vector<Outgoing>* out) = 0;
  virtual Time next_wakeup() const = 0;
  // The node's state as the suite reads it (for an external implementation: its export,
  // decoded by the suite's codec).
  virtual const State& state() const = 0;
  // The ids whose registers changed since the last call, ascending, each once.
  virtual std::vector<PatternId> take_changed() = 0;

  virtual NodeId self() const = 0;
  virtual ReplicaId replica() const = 0;

  // Optional capabilities: each returns nothing when the implementation lacks it.
  virtual std::unique_ptr<NodeUnderTest> clone() const { return nullptr; }
  virtual bool append_fingerprint(std::string*) const { return false; }
  virtual const NodeCounters* counters() const { return nullptr; }
  // The node's own resolved view and edges of its current state (docs/MODEL.md, "The
  // resolved view"): what its readers see, judged against the model's.
  virtual bool export_view(ViewFrame*) const { return false; }
};

// Makes the nodes of one implementation.
class Implementation {
 public:
  virtual ~Implementation() = default;
  virtual std::string name() const = 0;
  virtual std::string version() const = 0;
  virtual Capabilities capabilities() const = 0;
  virtual std::unique_ptr<NodeUnderTest> make(const NodeInit& init) const = 0;
};

// An implementation that broke the seam's contract in a way that makes going on meaningless
// (a plug-in's export that is not a state, a process that wrote garbage or went away). The
// executor reports it as a violation; certify reports the protocol errors as "could not run".
struct ImplementationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A node of `impl` from the parts of a NodeInit (what every driver does to start one).
inline std::unique_ptr<NodeUnderTest> make_node(const Implementation& impl, NodeId self, ReplicaId replica,
                                                std::shared_ptr<const std::vector<NodeId>> members,
                                                const NodeConfig& config, std::uint64_t seed, State state) {
  NodeInit init;
  init.self = self;
  init.replica = replica;
  init.members = std::move(members);
  init.config = config;
  init.seed = seed;
  init.state = std::move(state);
  return impl.make(init);
}

// The reference node behind the seam: every capability.
std::shared_ptr<const Implementation> reference_implementation();

}  // namespace gossip
