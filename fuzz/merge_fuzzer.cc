// merge (decode then merge): two state frames out of one input (split_pair: a u16 length,
// the local state, the remote state); when both decode, the remote is joined into the local
// state and check_join (harness.h) holds: inflation, nothing local lost, nothing invented,
// every remote version kept unless its pattern was rejected, the MergeReport's count right,
// the incremental tree valid with the from-scratch root, and a second join changes nothing.
// The root is also checked against the model's own Merkle computation (model::merkle_root,
// which shares no digest code with the reference).
#include "fuzz/harness.h"
#include "model/model.h"
#include "properties/history.h"

// Structure-aware: its custom mutator is pair_mutator.cc.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gossip;
  using namespace gossip::fuzz;
  using gossip::properties::to_model;
  const std::optional<StatePair> in = decode_state_pair(ByteView(data, size));
  if (!in) return 0;
  const State& local = in->first;
  const State& remote = in->second;
  State after = local;
  const MergeReport report = after.join(remote);
  check_join(local, remote, after, report);
  FUZZ_CHECK(after.root().bytes == model::merkle_root(to_model(after), kClusterSeed),
             "the merged root differs from the model's Merkle root");
  return 0;
}
