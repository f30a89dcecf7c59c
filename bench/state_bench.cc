// Join of two states of N = 10^5 patterns that differ in d patterns.
#include <benchmark/benchmark.h>

#include "bench/fixtures.h"
#include "reference/rng.h"

namespace gossip::bench {
namespace {

void BM_JoinDiffering(benchmark::State& st) {
  constexpr std::size_t kPatterns = 100000;
  const std::size_t d = static_cast<std::size_t>(st.range(0));
  const Population& pop = population(kPatterns);
  State remote = pop.state;
  const auto regs = fresh_registers(d, 9);
  for (std::size_t i = 0; i < d; ++i) {
    bool changed = false;
    // Replica 2's writes are concurrent with replica 1's: the join gains a sibling each.
    const Status s = remote.join_register(pop.ids[i * (kPatterns / d)], *regs[i], &changed);
    if (!s.is_ok() || !changed) st.SkipWithError("fixture did not diverge");
  }
  for (auto _ : st) {
    State local = pop.state;  // O(1) snapshot
    const MergeReport report = local.join(remote);
    if (report.patterns_changed != d) st.SkipWithError("join missed a differing pattern");
    benchmark::DoNotOptimize(local);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(d));
}
BENCHMARK(BM_JoinDiffering)->Arg(1)->Arg(100)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gossip::bench
