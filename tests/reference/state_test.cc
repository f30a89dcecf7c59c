#include "reference/state.h"

#include <gtest/gtest.h>

#include "reference/operations.h"
#include "reference/workload.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::clock;
using testing::content;
using testing::pid;
using testing::rid;
using testing::version;

// a <= b in the lattice: every version of a is in b or dominated by a version of b.
bool below(const State& a, const State& b) {
  std::vector<WrittenVersion> versions;
  a.for_each([&](const PatternId& id, const Register& reg) {
    for (const Version& v : reg.siblings()) versions.push_back({id, v});
  });
  return holds_every_write(b, versions);
}

State joined(State a, const State& b) {
  EXPECT_TRUE(a.join(b).rejected.empty());
  return a;
}

Workload workload(std::uint64_t seed, std::uint32_t writes = 400) {
  Rng rng(seed);
  return run_workload(testing::kSeed, {3, writes, 15}, rng);
}

TEST(State, JoinLawsHoldOnRandomStates) {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    const Workload w = workload(seed);
    const State& a = w.replicas[0];
    const State& b = w.replicas[1];
    const State& c = w.replicas[2];
    EXPECT_EQ(joined(a, b), joined(b, a)) << "commutative, seed " << seed;
    EXPECT_EQ(joined(joined(a, b), c), joined(a, joined(b, c))) << "associative, seed " << seed;
    EXPECT_EQ(joined(a, a), a) << "idempotent, seed " << seed;
    EXPECT_TRUE(below(a, joined(a, b))) << "inflationary, seed " << seed;
    EXPECT_TRUE(below(b, joined(a, b))) << "inflationary, seed " << seed;
  }
}

TEST(State, TwoMergeOrdersGiveTheSameRoot) {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    const Workload w = workload(seed, 800);
    State forward = w.replicas[0];
    for (std::size_t i = 1; i < w.replicas.size(); ++i) forward.join(w.replicas[i]);
    State backward = w.replicas.back();
    for (std::size_t i = w.replicas.size(); i-- > 0;) backward.join(w.replicas[i]);
    ASSERT_EQ(forward.root(), backward.root()) << "seed " << seed;
    ASSERT_EQ(forward, backward) << "seed " << seed;
    EXPECT_TRUE(holds_every_write(forward, w.written)) << "seed " << seed;
    EXPECT_TRUE(forward.tree().verify()) << "seed " << seed;
  }
}

TEST(State, SameStateByDifferentWritesGivesTheSameRoot) {
  // One state reached two ways: versions merged one by one in opposite orders.
  Rng rng(21);
  const Workload w = workload(21, 600);
  State a(testing::kSeed);
  State b(testing::kSeed);
  bool changed = false;
  for (const WrittenVersion& v : w.written)
    ASSERT_TRUE(a.merge_version(v.id, v.version, &changed).is_ok());
  for (auto it = w.written.rbegin(); it != w.written.rend(); ++it) {
    ASSERT_TRUE(b.merge_version(it->id, it->version, &changed).is_ok());
  }
  EXPECT_EQ(a.root(), b.root());
  EXPECT_EQ(a, b);
}

TEST(State, ASnapshotIsUntouchedByLaterJoinsAndWrites) {
  const Workload w = workload(3);
  State s = w.replicas[0];
  const State snapshot = s;
  const Digest root = snapshot.root();
  s.join(w.replicas[1]);
  ASSERT_TRUE(create(s, rid(9), pid(123456), content("new")).is_ok());
  EXPECT_NE(s.root(), root);
  EXPECT_EQ(snapshot.root(), root);
  EXPECT_EQ(snapshot, w.replicas[0]);
  EXPECT_TRUE(snapshot.tree().verify());
}

TEST(State, AResurrectionAttemptChangesNothing) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(1), pid(1), content("v1")).is_ok());
  const State old = s;
  ASSERT_TRUE(refine(s, rid(1), pid(1), content("v2")).is_ok());
  const Digest root = s.root();
  const MergeReport report = s.join(old);  // a peer replays the dominated version
  EXPECT_EQ(report.patterns_changed, 0u);
  EXPECT_EQ(s.root(), root);
  EXPECT_EQ(s.find(pid(1))->siblings().size(), 1u);
}

TEST(State, ConflictingRegistersAreRejectedCountedAndTheRestMerges) {
  State local(testing::kSeed);
  ASSERT_TRUE(create(local, rid(1), pid(1), content("honest")).is_ok());
  std::vector<std::pair<PatternId, Register>> forged;
  forged.emplace_back(pid(1), Register(version(clock({{1, 1}}), content("forged"))));
  forged.emplace_back(pid(2), Register(version(clock({{2, 1}}), content("fine"))));
  const State remote = State::from_registers(testing::kSeed, std::move(forged));
  const MergeReport report = local.join(remote);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].first, pid(1));
  EXPECT_EQ(report.rejected[0].second.code(), Status::Code::kConflictingWrite);
  EXPECT_EQ(local.rejected_total(), 1u);
  EXPECT_EQ(local.find(pid(1))->siblings()[0].content.summary, "honest");
  EXPECT_NE(local.find(pid(2)), nullptr);
  // One register at a time (as the sync protocol delivers them) is counted the same way.
  bool changed = true;
  EXPECT_EQ(local.join_register(pid(1), *remote.find(pid(1)), &changed).code(),
            Status::Code::kConflictingWrite);
  EXPECT_FALSE(changed);
  EXPECT_EQ(local.rejected_total(), 2u);
}

// I7: every semantic field takes part in the root.
TEST(State, ChangingAnySingleSemanticFieldChangesTheRoot) {
  Content base_content = content("summary", {10, 20}, 5);
  const Version base = version(clock({{1, 2}, {2, 1}}), base_content);
  auto root_of = [](const PatternId& id, const std::vector<Version>& versions) {
    std::vector<std::pair<PatternId, Register>> regs;
    regs.emplace_back(pid(500), Register(version(clock({{3, 1}}), content("bystander"))));
    regs.emplace_back(id, Register::from_versions(versions).value());
    return State::from_registers(testing::kSeed, std::move(regs)).root();
  };
  const Digest original = root_of(pid(1), {base});

  std::vector<std::pair<std::string, std::pair<PatternId, std::vector<Version>>>> variants;
  auto with = [&](const std::string& name, auto mutate) {
    Version v = base;
    mutate(v);
    variants.push_back({name, {pid(1), {v}}});
  };
  with("summary byte", [](Version& v) { v.content.summary[0] = 'S'; });
  with("summary length", [](Version& v) { v.content.summary += " "; });
  with("episode added", [](Version& v) { v.content.episodes.push_back(30); });
  with("episode removed", [](Version& v) { v.content.episodes.pop_back(); });
  with("episode changed", [](Version& v) { v.content.episodes[1] = 21; });
  with("strength", [](Version& v) { v.content.strength = 6; });
  with("absorbed_into set", [](Version& v) { v.content.absorbed_into = pid(7); });
  with("clock counter", [](Version& v) { v.clock = clock({{1, 3}, {2, 1}}); });
  with("clock replica", [](Version& v) { v.clock = clock({{1, 2}, {3, 1}}); });
  with("clock entry added", [](Version& v) { v.clock = clock({{1, 2}, {2, 1}, {4, 1}}); });
  variants.push_back({"pattern id", {pid(2), {base}}});
  variants.push_back(
      {"sibling added", {pid(1), {base, version(clock({{5, 1}}), content("other"))}}});

  Version absorbed = base;
  absorbed.content.absorbed_into = pid(7);
  const Digest with_target = root_of(pid(1), {absorbed});
  absorbed.content.absorbed_into = pid(8);
  EXPECT_NE(root_of(pid(1), {absorbed}), with_target) << "absorbed_into target";

  for (const auto& [name, variant] : variants) {
    EXPECT_NE(root_of(variant.first, variant.second), original) << name;
  }
}

}  // namespace
}  // namespace gossip
