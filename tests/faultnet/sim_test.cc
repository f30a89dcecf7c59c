#include "faultnet/sim.h"

#include <gtest/gtest.h>

namespace faultnet {
namespace {

SimConfig small(std::uint64_t seed) {
  SimConfig c;
  c.nodes = 12;
  c.patterns = 200;
  c.writes = 40;
  c.rounds = 24;
  c.seed = seed;
  c.node.cluster_seed = 0x5eed;
  return c;
}

TEST(Sim, TheSameSeedReplaysToTheSameTraceHash) {
  SimConfig c = small(7);
  c.faults.loss_ppm = 100'000;
  c.faults.dup_ppm = 50'000;
  const TrialResult a = run_trial(c), b = run_trial(c);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.messages_delivered, b.messages_delivered);
  EXPECT_EQ(a.rounds_to_full, b.rounds_to_full);
  c.seed = 8;
  EXPECT_NE(run_trial(c).trace_hash, a.trace_hash);
}

TEST(Sim, AFaultFreeClusterSpreadsEveryWrite) {
  const TrialResult r = run_trial(small(1));
  EXPECT_TRUE(r.converged) << r.failure;
  EXPECT_EQ(r.writes_missing, 0u);
  EXPECT_EQ(r.rounds_to_full.size(), r.versions_tracked);
  EXPECT_EQ(r.writes_failed, 0u);
  EXPECT_GT(r.in_sync_quiescent.count, 0u);
  EXPECT_LE(r.in_sync_quiescent.max, 32u);  // I8
  for (const auto& [name, n] : r.faults_fired) EXPECT_EQ(n, 0u) << name;
}

// Each fault class alone, strong enough to fire: it fires, and the cluster survives it
// (converges once healed, loses no write).
TEST(Sim, EachFaultClassFiresAndIsSurvived) {
  for (const std::string& name : fault_class_names()) {
    SimConfig c = small(3);
    const Time iv = c.node.gossip_interval;
    gossip::Rng rng(11);
    const Window w{2 * iv, 10 * iv};
    FaultProfile& f = c.faults;
    if (name == "loss") f.loss_ppm = 300'000;
    if (name == "duplicate") f.dup_ppm = 300'000;
    if (name == "reorder") f.reorder_ppm = 300'000;
    if (name == "corrupt") f.corrupt_ppm = 100'000;
    if (name == "partition") f.partitions.push_back(make_partition(Partition::Kind::kSymmetric, c.nodes, w, rng));
    if (name == "partition_one_way") f.partitions.push_back(make_partition(Partition::Kind::kOneWay, c.nodes, w, rng));
    if (name == "isolate") f.partitions.push_back(make_partition(Partition::Kind::kIsolate, c.nodes, w, rng));
    if (name == "split_majority_minority") f.partitions.push_back(make_partition(Partition::Kind::kMajorityMinority, c.nodes, w, rng));
    if (name == "clog") f.clogs.push_back(Clog{0, 1, Window{0, 20 * iv}});
    if (name == "crash_stop") f.crashes.push_back(Crash{Crash::Kind::kStop, 2, w});
    if (name == "restart_durable") f.crashes.push_back(Crash{Crash::Kind::kRestartDurable, 2, w});
    if (name == "restart_amnesia") f.crashes.push_back(Crash{Crash::Kind::kRestartAmnesia, 2, w});
    if (name == "pause") f.crashes.push_back(Crash{Crash::Kind::kPause, 2, w});
    ASSERT_TRUE(f.any()) << name;
    const TrialResult r = run_trial(c);
    EXPECT_GT(r.faults_fired.at(name), 0u) << name;
    EXPECT_TRUE(r.converged) << name << ": " << r.failure;
    EXPECT_EQ(r.writes_missing, 0u) << name;
    if (name == "corrupt") {
      EXPECT_GT(r.node_counters.at("decode_errors"), 0u);  // the checksum caught them
    }
  }
}

TEST(Sim, SwarmProfilesHealAndConverge) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    SimConfig c = small(seed);
    gossip::Rng rng(seed);
    c.faults = swarm_profile(c.nodes, Time{c.rounds} * c.node.gossip_interval,
                             c.node.gossip_interval, rng);
    const TrialResult r = run_trial(c);
    EXPECT_TRUE(r.converged) << "seed " << seed << " " << c.faults.describe() << ": " << r.failure;
    EXPECT_EQ(r.writes_missing, 0u) << "seed " << seed << " " << c.faults.describe();
  }
}

TEST(Sim, IdealPushPullMatchesThePerformanceTable) {
  // docs/PERFORMANCE.md, "Ideal push-pull": p99.9 of 8 rounds at N = 100 and p = 0; 11 at p = 0.2.
  for (auto [loss, expected] : {std::pair{0u, 8u}, std::pair{200'000u, 11u}}) {
    std::vector<std::uint32_t> r = ideal_push_pull(100, loss, 2000, 1);
    std::sort(r.begin(), r.end());
    const std::uint32_t p999 = r[r.size() * 999 / 1000];
    EXPECT_NEAR(p999, expected, 1) << "loss " << loss;
  }
}

}  // namespace
}  // namespace faultnet
