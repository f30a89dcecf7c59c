// What a hostile peer can make a node do (issue 13): the figures of docs/PERFORMANCE.md,
// "A hostile peer".
//
// BM_LyingWalk: a node of N patterns answers Walk messages of a peer that lies in an exchange
//   it started: an empty leaf set at every depth-1 path (16 probes, "I hold nothing under
//   you") and a want at the root of 8 made-up tags. Counters per message: bytes_in, visits
//   (entries of the tree visited), bytes_out (the node's answer), budget.
// BM_HelloFlood: a peer sends F Hellos with made-up roots every half interval; an honest peer
//   one Hello per interval. Counters: honest_answered (share of its Hellos that got a Reply),
//   own_started (share of the node's due exchanges it started), per 64 intervals.
#include <benchmark/benchmark.h>

#include "bench/fixtures.h"
#include "reference/node.h"
#include "reference/sync_message.h"

namespace gossip::bench {
namespace {

constexpr NodeId kVictim = 0, kHonest = 1, kLiar = 2;

std::shared_ptr<const std::vector<NodeId>> members() {
  static const auto m = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{0, 1, 2});
  return m;
}

Bytes hello(std::uint64_t xid, const Digest& root) {
  SyncMessage m;
  m.kind = FrameKind::kHello;
  m.xid = xid;
  m.root = root;
  return encode_sync_message(m);
}

Bytes lying_walk(std::uint64_t xid, std::uint32_t salt) {
  SyncMessage m;
  m.kind = FrameKind::kWalk;
  m.xid = xid;
  m.from_initiator = true;
  m.width = 2;
  for (std::uint8_t i = 0; i < 16; ++i) {
    SyncProbe p;
    p.path.nibbles = {i};
    m.probes.push_back(p);
  }
  SyncWant want;
  for (std::uint32_t t = 0; t < 8; ++t) want.tags.push_back(salt * 8 + t);
  m.wants.push_back(want);
  return encode_sync_message(m);
}

void BM_LyingWalk(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  NodeConfig config;
  config.cluster_seed = kClusterSeed;
  config.message_bytes_max = static_cast<std::size_t>(state.range(1));
  config.messages_per_exchange_max = 1u << 30;  // the bench sends many walks in one exchange
  Node victim(kVictim, ReplicaId::of(kVictim, 0), members(), config, 1, population(n).state);
  victim.receive(kLiar, hello(7, Digest{}));
  (void)victim.take_outbox();
  std::uint32_t k = 0;
  std::size_t bytes_in = 0, bytes_out = 0;
  const std::uint64_t visits_before = victim.counters().entries_visited;
  for (auto _ : state) {
    const Bytes walk = lying_walk(7, k++);  // each different: no duplicate is ignored
    bytes_in += walk.size();
    victim.receive(kLiar, walk);
    for (const Outgoing& o : victim.take_outbox()) bytes_out += o.bytes.size();
  }
  const double r = static_cast<double>(state.iterations());
  state.counters["bytes_in"] = static_cast<double>(bytes_in) / r;
  state.counters["visits"] = static_cast<double>(victim.counters().entries_visited - visits_before) / r;
  state.counters["bytes_out"] = static_cast<double>(bytes_out) / r;
  state.counters["budget"] = static_cast<double>(config.message_bytes_max);
}
BENCHMARK(BM_LyingWalk)
    ->ArgNames({"N", "budget"})
    ->ArgsProduct({{10'000, 1'000'000}, {4096, 1u << 20}})
    ->Unit(benchmark::kMicrosecond);

void BM_HelloFlood(benchmark::State& state) {
  const std::uint32_t flood = static_cast<std::uint32_t>(state.range(0));
  NodeConfig config;
  config.cluster_seed = kClusterSeed;
  const State& base = population(1000).state;
  double answered = 0, asked = 0, started = 0, due = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    Node victim(kVictim, ReplicaId::of(kVictim, 0), members(), config, seed++, base);
    std::uint64_t xid = 1;
    Digest other;
    other.bytes[0] = 1;
    for (std::uint32_t k = 0; k < 128; ++k) {  // 64 intervals, in halves
      for (std::uint32_t f = 0; f < flood; ++f) {
        Digest root;
        root.bytes[15] = static_cast<std::uint8_t>(f);
        root.bytes[14] = static_cast<std::uint8_t>(k);
        victim.receive(kLiar, hello(xid++, root));
      }
      victim.tick(k * (config.gossip_interval / 2));
      (void)victim.take_outbox();
      if (k % 2 == 1) continue;
      ++asked;
      victim.receive(kHonest, hello(1'000'000 + k, other));
      for (const Outgoing& o : victim.take_outbox()) {
        if (o.to == kHonest && o.kind == FrameKind::kReply) ++answered;
      }
    }
    started += static_cast<double>(victim.counters().exchanges_started);
    due += static_cast<double>(victim.counters().exchanges_started + victim.counters().exchanges_skipped);
  }
  state.counters["honest_answered"] = answered / asked;
  state.counters["own_started"] = started / due;
}
BENCHMARK(BM_HelloFlood)->ArgName("F")->Arg(1)->Arg(64)->Arg(1000)->Iterations(20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gossip::bench
