// Encode and decode throughput of whole states and of single registers.
#include <benchmark/benchmark.h>

#include "bench/fixtures.h"
#include "reference/codec.h"

namespace gossip::bench {
namespace {

void BM_EncodeState(benchmark::State& st) {
  const Population& pop = population(static_cast<std::size_t>(st.range(0)));
  std::size_t bytes = 0;
  for (auto _ : st) {
    const Bytes frame = encode_state_frame(pop.state);
    bytes = frame.size();
    benchmark::DoNotOptimize(frame.data());
  }
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(bytes));
  st.counters["frame_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeState)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Decode includes rebuilding the Merkle tree from scratch (every register is hashed).
void BM_DecodeState(benchmark::State& st) {
  const Population& pop = population(static_cast<std::size_t>(st.range(0)));
  const Bytes frame = encode_state_frame(pop.state);
  for (auto _ : st) {
    Result<State> s = decode_state_frame(frame, kClusterSeed);
    if (!s.is_ok()) st.SkipWithError("decode failed");
    benchmark::DoNotOptimize(s);
  }
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(frame.size()));
}
BENCHMARK(BM_DecodeState)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_EncodeRegister(benchmark::State& st) {
  const Population& pop = population(1000);
  const Register& reg = *pop.state.find(pop.ids[0]);
  std::size_t bytes = 0;
  for (auto _ : st) {
    const Bytes frame = encode_register_frame(pop.ids[0], reg);
    bytes = frame.size();
    benchmark::DoNotOptimize(frame.data());
  }
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_EncodeRegister);

void BM_DecodeRegister(benchmark::State& st) {
  const Population& pop = population(1000);
  const Bytes frame = encode_register_frame(pop.ids[0], *pop.state.find(pop.ids[0]));
  for (auto _ : st) {
    auto r = decode_register_frame(frame);
    benchmark::DoNotOptimize(r);
  }
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(frame.size()));
}
BENCHMARK(BM_DecodeRegister);

}  // namespace
}  // namespace gossip::bench
