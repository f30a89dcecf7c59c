// A fixed number of Merkle updates inside one function, for instruction counting:
//
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_updates*'
//            build/release/bench/update_instructions N K
//
// Instructions per update are then callgrind's total divided by K: a count that does not
// depend on the machine's caches, so it shows how the *work* of an update grows with N
// (docs/PERFORMANCE.md). Wall-clock figures come from reference_bench.
#include <cstdio>
#include <cstdlib>

#include "bench/fixtures.h"

namespace gossip::bench {

__attribute__((noinline)) void run_updates(MerkleTree& tree, const std::vector<PatternId>& ids,
                                           const std::vector<std::shared_ptr<const Register>>& regs,
                                           std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) tree.put(ids[i % ids.size()], regs[i % regs.size()]);
}

}  // namespace gossip::bench

int main(int argc, char** argv) {
  using namespace gossip;
  using namespace gossip::bench;
  if (argc != 3) {
    std::fprintf(stderr, "usage: update_instructions PATTERNS UPDATES\n");
    return 2;
  }
  const std::size_t n = std::strtoull(argv[1], nullptr, 10);
  const std::size_t k = std::strtoull(argv[2], nullptr, 10);
  if (n == 0 || k == 0) {
    std::fprintf(stderr, "update_instructions: PATTERNS and UPDATES must be positive\n");
    return 2;
  }
  const Population& pop = population(n);
  // A tree this program alone owns: no snapshot shares its nodes (the steady state).
  std::vector<std::pair<PatternId, std::shared_ptr<const Register>>> items;
  pop.state.tree().for_each([&](const MerkleTree::Entry& e) {
    items.emplace_back(e.id, std::make_shared<const Register>(*e.reg));
  });
  MerkleTree tree = MerkleTree::build(kClusterSeed, std::move(items));
  run_updates(tree, sample_ids(pop, k, 1), fresh_registers(4096, 7), k);
  std::printf("%zu updates on %zu patterns, depth %zu\n", k, n, tree.depth());
  return 0;
}
