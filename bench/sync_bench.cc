// The bytes of one sync exchange between two nodes whose states differ in d patterns, none
// of them fresh (so the difference must be found by walking the tree), at N patterns.
// Counters per exchange: bytes (all messages), register_bytes (the differing registers as
// encoded), overhead_per_diff ((bytes - register_bytes) / d), messages, and synced (1 when
// the one exchange left both states equal).
#include <benchmark/benchmark.h>

#include <deque>

#include "bench/fixtures.h"
#include "reference/node.h"
#include "reference/operations.h"
#include "reference/sync_message.h"

namespace gossip::bench {
namespace {

constexpr Time kInterval = 1'000'000;

struct ExchangeBytes {
  std::size_t bytes = 0, register_bytes = 0, messages = 0;
  bool synced = false;
};

ExchangeBytes one_exchange(std::size_t n, std::size_t d, std::uint8_t width, std::uint64_t seed) {
  const Population& pop = population(n);
  NodeConfig config;
  config.cluster_seed = kClusterSeed;
  config.recent_rounds = 1;
  config.walk_width = width;
  auto members = std::make_shared<std::vector<NodeId>>(std::vector<NodeId>{0, 1});
  Node a(0, ReplicaId::of(10, 0), members, config, seed, pop.state);
  Node b(1, ReplicaId::of(11, 0), members, config, seed + 1, pop.state);
  // d differences, half written at each side, then aged out of the recent window.
  const std::vector<PatternId> ids = sample_ids(pop, d, seed);
  for (std::size_t i = 0; i < d; ++i) {
    Content c;
    c.summary = "refined " + std::to_string(i);
    c.episodes = {i};
    Node& writer = i % 2 ? b : a;
    if (!writer.refine(ids[i], c).is_ok()) std::abort();
  }
  Time now = 3 * kInterval;
  a.tick(now);
  b.tick(now);
  a.take_outbox();
  b.take_outbox();
  // Tick until a starts an exchange; b stays silent (its own exchanges are not delivered).
  std::deque<std::pair<NodeId, Outgoing>> wire;
  while (wire.empty()) {
    now = a.next_wakeup();
    a.tick(now);
    for (Outgoing& o : a.take_outbox()) wire.emplace_back(0, std::move(o));
  }
  ExchangeBytes out;
  while (!wire.empty()) {
    auto [from, msg] = std::move(wire.front());
    wire.pop_front();
    out.bytes += msg.bytes.size();
    ++out.messages;
    Result<SyncMessage> m = decode_sync_message(msg.bytes);
    for (const SyncItem& item : m.value().registers) {
      Writer w;
      encode_pattern_id(w, item.id);
      encode_register(w, item.reg);
      out.register_bytes += w.bytes().size();
    }
    Node& to = msg.to == 0 ? a : b;
    to.tick(now);
    to.receive(from, msg.bytes);
    for (Outgoing& o : to.take_outbox()) {
      if (o.initiator == 0) wire.emplace_back(msg.to, std::move(o));  // a's exchange only
    }
  }
  out.synced = a.state().root() == b.state().root();
  return out;
}

void BM_SyncDiverged(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const std::size_t d = static_cast<std::size_t>(state.range(1));
  const std::uint8_t width = static_cast<std::uint8_t>(state.range(2));
  ExchangeBytes total;
  std::size_t runs = 0, synced = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    const ExchangeBytes e = one_exchange(n, d, width, seed++);
    total.bytes += e.bytes;
    total.register_bytes += e.register_bytes;
    total.messages += e.messages;
    synced += e.synced;
    ++runs;
  }
  const double r = static_cast<double>(runs);
  state.counters["bytes"] = static_cast<double>(total.bytes) / r;
  state.counters["register_bytes"] = static_cast<double>(total.register_bytes) / r;
  state.counters["overhead_per_diff"] =
      static_cast<double>(total.bytes - total.register_bytes) / r / static_cast<double>(d);
  state.counters["messages"] = static_cast<double>(total.messages) / r;
  state.counters["synced"] = static_cast<double>(synced) / r;
}
BENCHMARK(BM_SyncDiverged)
    ->ArgNames({"N", "d", "width"})
    ->ArgsProduct({{100'000, 1'000'000}, {1, 10, 1000}, {1, 2}})
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gossip::bench
