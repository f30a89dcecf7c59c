// Merkle tree: cost of one update and of a snapshot as the number of patterns N grows.
#include <benchmark/benchmark.h>

#include "bench/fixtures.h"
#include "reference/operations.h"

namespace gossip::bench {
namespace {

// A tree this benchmark alone owns (no snapshot shares its nodes), rebuilt from scratch.
MerkleTree owned_tree(const Population& pop) {
  std::vector<std::pair<PatternId, std::shared_ptr<const Register>>> items;
  pop.state.tree().for_each([&](const MerkleTree::Entry& e) {
    items.emplace_back(e.id, std::make_shared<const Register>(*e.reg));
  });
  return MerkleTree::build(kClusterSeed, std::move(items));
}

// Steady state: put() of a new register for a random existing pattern, no snapshot
// outstanding, so the path is updated in place and rehashed.
void BM_MerkleUpdate(benchmark::State& st) {
  const Population& pop = population(static_cast<std::size_t>(st.range(0)));
  MerkleTree tree = owned_tree(pop);
  const auto regs = fresh_registers(4096, 7);
  const auto ids = sample_ids(pop, 1 << 20, 1);
  std::size_t i = 0;
  for (auto _ : st) {
    tree.put(ids[i & 0xFFFFF], regs[i & 4095]);
    ++i;
  }
  st.counters["depth"] = static_cast<double>(tree.depth());
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_MerkleUpdate)->RangeMultiplier(10)->Range(1000, 1000000);

// Worst case for persistence: a snapshot before every update, so every update copies its
// whole path (the nodes and the leaf's entries) instead of updating in place.
void BM_MerkleUpdateAfterSnapshot(benchmark::State& st) {
  const Population& pop = population(static_cast<std::size_t>(st.range(0)));
  MerkleTree tree = owned_tree(pop);
  const auto regs = fresh_registers(4096, 7);
  const auto ids = sample_ids(pop, 1 << 20, 1);
  std::size_t i = 0;
  for (auto _ : st) {
    MerkleTree snapshot = tree;
    tree.put(ids[i & 0xFFFFF], regs[i & 4095]);
    ++i;
    benchmark::DoNotOptimize(snapshot);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_MerkleUpdateAfterSnapshot)->RangeMultiplier(10)->Range(1000, 1000000);

// A full local write: refine() reads the register, builds the version (clock join,
// validation), merges it and updates the tree.
void BM_RefineUpdate(benchmark::State& st) {
  const Population& pop = population(static_cast<std::size_t>(st.range(0)));
  std::vector<std::pair<PatternId, Register>> regs;
  pop.state.for_each([&](const PatternId& id, const Register& r) { regs.emplace_back(id, r); });
  State state = State::from_registers(kClusterSeed, std::move(regs));  // owned, unshared
  Content content;
  content.summary = "refined summary";
  content.episodes = {1, 2, 3};
  const auto ids = sample_ids(pop, 1 << 20, 2);
  std::size_t i = 0;
  for (auto _ : st) {
    content.strength++;
    Status s = refine(state, ReplicaId::of(3, 0), ids[i++ & 0xFFFFF], content);
    benchmark::DoNotOptimize(s);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_RefineUpdate)->RangeMultiplier(10)->Range(1000, 1000000);

// Taking a snapshot: copying the handle.
void BM_Snapshot(benchmark::State& st) {
  const Population& pop = population(static_cast<std::size_t>(st.range(0)));
  for (auto _ : st) {
    State snapshot = pop.state;
    benchmark::DoNotOptimize(snapshot);
  }
}
BENCHMARK(BM_Snapshot)->RangeMultiplier(10)->Range(1000, 1000000);

// From-scratch build, for comparison with incremental maintenance.
void BM_BuildFromScratch(benchmark::State& st) {
  const Population& pop = population(static_cast<std::size_t>(st.range(0)));
  std::vector<std::pair<PatternId, std::shared_ptr<const Register>>> items;
  pop.state.tree().for_each([&](const MerkleTree::Entry& e) { items.emplace_back(e.id, e.reg); });
  for (auto _ : st) {
    MerkleTree t = MerkleTree::build(kClusterSeed, items);
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}
BENCHMARK(BM_BuildFromScratch)
    ->RangeMultiplier(10)
    ->Range(1000, 100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gossip::bench
