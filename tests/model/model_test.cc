// The oracle itself: small enough to read, but its verdicts are what every history is
// judged by, so each rule is pinned here.
#include "model/model.h"

#include <gtest/gtest.h>

namespace gossip::model {
namespace {

PatternKey key(std::uint8_t n) {
  PatternKey k{};
  k[15] = n;
  return k;
}

Content content(std::uint32_t strength, std::set<std::uint64_t> episodes = {},
                std::optional<PatternKey> into = std::nullopt) {
  Content c;
  c.summary = "s";
  c.summary += std::to_string(strength);
  c.episodes = std::move(episodes);
  c.strength = strength;
  c.absorbed_into = into;
  return c;
}

TEST(ModelClock, ComparesPointwise) {
  EXPECT_EQ(compare({{1, 1}}, {{1, 1}}), Order::kEqual);
  EXPECT_EQ(compare({{1, 1}}, {{1, 2}}), Order::kBefore);
  EXPECT_EQ(compare({{1, 2}, {2, 1}}, {{1, 2}}), Order::kAfter);
  EXPECT_EQ(compare({{1, 1}}, {{2, 1}}), Order::kConcurrent);
}

TEST(Oracle, KeepsConcurrentWritesAndDropsWhatALaterWriteSaw) {
  Oracle o;
  EXPECT_EQ(o.write(key(1), {{1, 1}}, content(1), {}), "");
  EXPECT_EQ(o.write(key(1), {{2, 1}}, content(2), {}), "");                      // concurrent
  EXPECT_EQ(o.write(key(1), {{1, 2}, {2, 1}}, content(3), {{{1, 1}}, {{2, 1}}}), "");  // saw both
  EXPECT_EQ(o.write(key(1), {{3, 1}}, content(4), {}), "");
  const StateMap m = o.maximal({{key(1), {{{1, 1}}, {{2, 1}}, {{1, 2}, {2, 1}}, {{3, 1}}}}});
  ASSERT_EQ(m.at(key(1)).size(), 2u);
  EXPECT_TRUE(m.at(key(1)).count({{1, 2}, {2, 1}}));
  EXPECT_TRUE(m.at(key(1)).count({{3, 1}}));
}

TEST(Oracle, RefusesAReusedClock) {
  Oracle o;
  EXPECT_EQ(o.write(key(1), {{1, 1}}, content(1), {}), "");
  EXPECT_NE(o.write(key(1), {{1, 1}}, content(2), {}).find("issued twice"), std::string::npos);
}

TEST(Oracle, RefusesAClockThatDisagreesWithCausality) {
  Oracle o;
  EXPECT_EQ(o.write(key(1), {{1, 1}, {2, 1}}, content(1), {}), "");
  // Never saw it, yet its clock is below: a pruned or reused clock.
  EXPECT_NE(o.write(key(1), {{1, 2}, {2, 1}}, content(2), {}).find("never saw"), std::string::npos);
  // Saw it, yet its clock does not dominate.
  Oracle p;
  EXPECT_EQ(p.write(key(1), {{1, 1}}, content(1), {}), "");
  EXPECT_NE(p.write(key(1), {{2, 1}}, content(2), {{{1, 1}}}).find("does not dominate"), std::string::npos);
}

TEST(Oracle, RefusesAWriterThatHeldSomethingNeverWritten) {
  Oracle o;
  EXPECT_NE(o.write(key(1), {{1, 2}}, content(1), {{{1, 1}}}).find("never written"), std::string::npos);
}

TEST(ModelResolve, MergesSiblingsAndFollowsAbsorbs) {
  StateMap s;
  s[key(1)][{{1, 1}}] = content(3, {1, 2});
  s[key(1)][{{2, 2}}] = content(1, {3});  // larger clock sum: its summary wins
  s[key(2)][{{1, 1}}] = content(5, {2}, key(3));
  s[key(3)][{{1, 1}}] = content(1, {2, 9});
  const View v = resolve(s);
  EXPECT_EQ(v.at(key(1)).content.episodes, (std::set<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(v.at(key(1)).content.strength, 3u);
  EXPECT_EQ(v.at(key(1)).content.summary, "s1");
  EXPECT_FALSE(v.at(key(2)).live);
  EXPECT_EQ(v.at(key(2)).survivor, key(3));
  const std::vector<Edge> e = edges(v);
  ASSERT_EQ(e.size(), 1u);  // p1 and p3 share episode 2; p2 is absorbed
  EXPECT_EQ(e[0].a, key(1));
  EXPECT_EQ(e[0].b, key(3));
  EXPECT_EQ(e[0].weight, 1u);
}

TEST(ModelResolve, ACycleResolvesToItsSmallestId) {
  StateMap s;
  s[key(4)][{{1, 1}}] = content(1, {}, key(5));
  s[key(5)][{{2, 1}}] = content(1, {}, key(4));
  s[key(6)][{{2, 1}}] = content(1, {}, key(5));
  s[key(7)][{{2, 1}}] = content(1, {}, key(99));  // unknown target: stays live
  const View v = resolve(s);
  EXPECT_TRUE(v.at(key(4)).live);
  EXPECT_EQ(v.at(key(5)).survivor, key(4));
  EXPECT_EQ(v.at(key(6)).survivor, key(4));
  EXPECT_TRUE(v.at(key(7)).live);
}

}  // namespace
}  // namespace gossip::model
