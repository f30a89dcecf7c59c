// roundtrip (structure-aware): a custom mutator (LLVMFuzzerCustomMutator) that decodes the
// input, edits one field of what it decoded (a clock counter, an episode, a sibling, a donor's
// version under the same clock, a probe's digest, a want's tag, an exchange id...) and encodes
// it again, so lengths and the checksum are right and the fuzzer's inputs reach the merge and
// the node instead of dying at the checksum. Bytes that do not decode are mutated inside their
// frame and sealed again (new checksum).
//
// Each input, when it decodes: canonical (re-encodes to itself), then it is merged into a
// fixed local state (a state, a register, a version: check_join; register and version merges
// also equal the state-level join of the same data) or delivered to a node holding that state
// from a peer it has an exchange with (a sync message: nothing the node had is lost and its
// tree stays valid).
#include "fuzz/harness.h"

namespace {

using namespace gossip;
using namespace gossip::fuzz;

const std::shared_ptr<const std::vector<NodeId>>& members() {
  static const auto m = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{1, 2, 3});
  return m;
}

// Node 1 of base_messages(), after its first tick: it has just sent a Hello, so a Reply or a
// Walk of that exchange (the seed corpus has them) is answered, not dropped.
const Node& ticked_node() {
  static const Node node = [] {
    NodeConfig config;
    config.cluster_seed = kClusterSeed;
    Node n(1, ReplicaId::of(1, 1), members(), config, 101, base_states()[0]);
    n.tick(config.gossip_interval);
    return n;
  }();
  return node;
}

NodeId first_peer() {
  static const NodeId peer = [] {
    Node n = ticked_node();
    const auto out = n.take_outbox();
    return out.empty() ? NodeId{2} : out.front().to;
  }();
  return peer;
}

void check_single(const State& local, const PatternId& id, const Register& reg, const Status& status,
                  bool changed, const State& after) {
  // The same data as a one-pattern state, joined at the state level.
  const State remote = State::from_registers(kClusterSeed, {{id, reg}});
  State via_state = local;
  const MergeReport report = via_state.join(remote);
  FUZZ_CHECK(status.is_ok() == report.rejected.empty(), "register join and state join disagree on rejection");
  FUZZ_CHECK(via_state == after, "register join and state join give different states");
  FUZZ_CHECK(changed == (report.patterns_changed == 1), "register join and state join disagree on change");
  check_join(local, remote, after, report);
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  return mutate_frame(data, size, max_size, seed, base_states());
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  const Decoded d = decode_any(input);
  if (!d.kind) return 0;
  check_canonical(d, input);
  const State& local = base_states()[0];
  if (d.state) {
    State after = local;
    const MergeReport report = after.join(*d.state);
    check_join(local, *d.state, after, report);
  } else if (d.reg) {
    State after = local;
    bool changed = false;
    const Status s = after.join_register(d.reg->id, d.reg->reg, &changed);
    check_single(local, d.reg->id, d.reg->reg, s, changed, after);
  } else if (d.version) {
    State after = local;
    bool changed = false;
    const Status s = after.merge_version(d.version->id, d.version->version, &changed);
    check_single(local, d.version->id, Register(d.version->version), s, changed, after);
  } else if (d.sync) {
    Node node = ticked_node();
    node.take_outbox();
    node.receive(first_peer(), input);
    check_inflation(local, node.state(), "a node receiving a sync message");
    FUZZ_CHECK(node.state().tree().verify(), "the node's tree breaks its invariants");
    for (const Outgoing& out : node.take_outbox()) {
      FUZZ_CHECK(decode_sync_message(out.bytes).is_ok(), "the node sent a message that does not decode");
    }
  }
  return 0;
}
