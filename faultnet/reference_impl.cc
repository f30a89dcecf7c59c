// The reference node (reference/node.h) behind the seam of node_under_test.h.
#include <memory>

#include "faultnet/node_under_test.h"
#include "reference/codec.h"
#include "reference/resolve.h"

namespace gossip {
namespace {

class ReferenceNode final : public NodeUnderTest {
 public:
  explicit ReferenceNode(const NodeInit& init)
      : node_(init.self, init.replica, init.members, init.config, init.seed, init.state) {}
  explicit ReferenceNode(const Node& node) : node_(node) {}

  Status create(const PatternId& id, const Content& c) override { return node_.create(id, c); }
  Status refine(const PatternId& id, const Content& c) override { return node_.refine(id, c); }
  Status absorb(const PatternId& a, const PatternId& into) override { return node_.absorb(a, into); }
  void tick(Time now) override { node_.tick(now); }
  void receive(NodeId from, ByteView bytes) override { node_.receive(from, bytes); }
  void take_outbox(std::vector<Outgoing>* out) override { node_.take_outbox(out); }
  Time next_wakeup() const override { return node_.next_wakeup(); }
  const State& state() const override { return node_.state(); }
  std::vector<PatternId> take_changed() override { return node_.take_changed(); }
  NodeId self() const override { return node_.self(); }
  ReplicaId replica() const override { return node_.replica(); }
  std::unique_ptr<NodeUnderTest> clone() const override { return std::make_unique<ReferenceNode>(node_); }
  bool append_fingerprint(std::string* out) const override {
    node_.append_fingerprint(out);
    return true;
  }
  const NodeCounters* counters() const override { return &node_.counters(); }
  bool export_view(ViewFrame* out) const override {
    out->view = resolve(node_.state());
    out->edges = edges(out->view);
    return true;
  }

 private:
  Node node_;
};

class ReferenceImplementation final : public Implementation {
 public:
  std::string name() const override { return "reference"; }
  std::string version() const override { return "gossipcheck reference node"; }
  Capabilities capabilities() const override { return {true, true, true, true, true, true}; }
  std::unique_ptr<NodeUnderTest> make(const NodeInit& init) const override {
    return std::make_unique<ReferenceNode>(init);
  }
};

}  // namespace

std::shared_ptr<const Implementation> reference_implementation() {
  static const std::shared_ptr<const Implementation> impl = std::make_shared<ReferenceImplementation>();
  return impl;
}

}  // namespace gossip
