#include "reference/resolve.h"

#include <gtest/gtest.h>

#include "reference/operations.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::clock;
using testing::content;
using testing::pid;
using testing::rid;
using testing::version;

TEST(Resolve, SiblingsMergeByUnionMaxAndGreatestClockSum) {
  const Register reg =
      Register::from_versions({version(clock({{1, 5}}), content("heavier", {1, 2}, 3)),
                               version(clock({{2, 1}, {3, 1}}), content("lighter", {2, 9}, 7))})
          .value();
  const Content merged = merged_content(reg);
  EXPECT_EQ(merged.summary, "heavier");  // clock sum 5 > 2
  EXPECT_EQ(merged.episodes, (std::vector<EpisodeId>{1, 2, 9}));
  EXPECT_EQ(merged.strength, 7u);
}

TEST(Resolve, EqualClockSumsBreakTiesByContentDigest) {
  const Version a = version(clock({{1, 1}}), content("alpha"));
  const Version b = version(clock({{2, 1}}), content("beta"));
  const std::string expected =
      content_digest(a.content) > content_digest(b.content) ? "alpha" : "beta";
  EXPECT_EQ(merged_content(Register::from_versions({a, b}).value()).summary, expected);
  EXPECT_EQ(merged_content(Register::from_versions({b, a}).value()).summary, expected);
}

TEST(Resolve, AbsorbChainsFollowToTheLiveSurvivor) {
  State s(testing::kSeed);
  for (std::uint64_t i = 1; i <= 3; ++i)
    ASSERT_TRUE(create(s, rid(1), pid(i), content("p")).is_ok());
  ASSERT_TRUE(absorb(s, rid(1), pid(1), pid(2)).is_ok());
  ASSERT_TRUE(absorb(s, rid(1), pid(2), pid(3)).is_ok());
  const ResolvedView view = resolve(s);
  EXPECT_EQ(view.at(pid(1)).survivor, pid(3));
  EXPECT_EQ(view.at(pid(2)).survivor, pid(3));
  EXPECT_TRUE(view.at(pid(3)).live);
  EXPECT_FALSE(view.at(pid(1)).live);
}

TEST(Resolve, ConcurrentAbsorbCycleResolvesToTheSmallestId) {
  State base(testing::kSeed);
  ASSERT_TRUE(create(base, rid(1), pid(7), content("a", {1})).is_ok());
  ASSERT_TRUE(create(base, rid(1), pid(4), content("b", {2})).is_ok());
  State r1 = base;
  State r2 = base;
  ASSERT_TRUE(absorb(r1, rid(1), pid(7), pid(4)).is_ok());  // 7 into 4
  ASSERT_TRUE(absorb(r2, rid(2), pid(4), pid(7)).is_ok());  // 4 into 7, concurrently
  State x = r1;
  x.join(r2);
  State y = r2;
  y.join(r1);
  const ResolvedView vx = resolve(x);
  EXPECT_EQ(vx, resolve(y));
  EXPECT_EQ(vx.at(pid(7)).survivor, pid(4));
  EXPECT_EQ(vx.at(pid(4)).survivor, pid(4));
  EXPECT_TRUE(vx.at(pid(4)).live);
  EXPECT_FALSE(vx.at(pid(7)).live);
}

TEST(Resolve, ThreeCycleWithATailResolvesToTheCyclesSmallestId) {
  std::vector<std::pair<PatternId, Register>> regs;
  auto absorbed = [](std::uint64_t into) {
    Content c = content("x");
    c.absorbed_into = pid(into);
    return Register(version(clock({{1, 1}}), c));
  };
  regs.emplace_back(pid(1), absorbed(5));  // tail: 1 -> 5
  regs.emplace_back(pid(3), absorbed(9));  // cycle 3 -> 9 -> 5 -> 3
  regs.emplace_back(pid(5), absorbed(3));
  regs.emplace_back(pid(9), absorbed(5));
  const ResolvedView view = resolve(State::from_registers(testing::kSeed, std::move(regs)));
  for (std::uint64_t id : {1u, 3u, 5u, 9u}) EXPECT_EQ(view.at(pid(id)).survivor, pid(3)) << id;
  EXPECT_TRUE(view.at(pid(3)).live);
}

TEST(Resolve, AnUnknownTargetLeavesThePatternLive) {
  Content c = content("waiting");
  c.absorbed_into = pid(42);
  std::vector<std::pair<PatternId, Register>> regs;
  regs.emplace_back(pid(1), Register(version(clock({{1, 1}}), c)));
  const ResolvedView view = resolve(State::from_registers(testing::kSeed, std::move(regs)));
  EXPECT_TRUE(view.at(pid(1)).live);
  EXPECT_EQ(view.at(pid(1)).survivor, pid(1));
}

TEST(Resolve, EdgesLinkLivePatternsBySharedEpisodes) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(1), pid(1), content("a", {1, 2, 3})).is_ok());
  ASSERT_TRUE(create(s, rid(1), pid(2), content("b", {2, 3, 4})).is_ok());
  ASSERT_TRUE(create(s, rid(1), pid(3), content("c", {4})).is_ok());
  ASSERT_TRUE(create(s, rid(1), pid(4), content("d", {9})).is_ok());
  std::vector<Edge> e = edges(resolve(s));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], (Edge{pid(1), pid(2), 2}));
  EXPECT_EQ(e[1], (Edge{pid(2), pid(3), 1}));
  // Absorbed patterns drop out of the graph: 3 into 2 leaves only 1 - 2 (weight 2 again).
  ASSERT_TRUE(absorb(s, rid(1), pid(3), pid(2)).is_ok());
  e = edges(resolve(s));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], (Edge{pid(1), pid(2), 2}));
}

}  // namespace
}  // namespace gossip
