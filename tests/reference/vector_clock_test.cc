#include "reference/vector_clock.h"

#include <gtest/gtest.h>

#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::clock;
using testing::rid;

TEST(VectorClock, AbsentReplicaReadsZero) {
  const VectorClock c = clock({{1, 3}});
  EXPECT_EQ(c.get(rid(1)), 3u);
  EXPECT_EQ(c.get(rid(2)), 0u);
}

TEST(VectorClock, CompareGivesAllFourOrders) {
  EXPECT_EQ(clock({{1, 1}}).compare(clock({{1, 2}})), ClockOrder::kBefore);
  EXPECT_EQ(clock({{1, 2}}).compare(clock({{1, 1}})), ClockOrder::kAfter);
  EXPECT_EQ(clock({{1, 2}, {2, 1}}).compare(clock({{2, 1}, {1, 2}})), ClockOrder::kEqual);
  EXPECT_EQ(clock({{1, 2}}).compare(clock({{2, 1}})), ClockOrder::kConcurrent);
  EXPECT_EQ(clock({{1, 2}, {2, 1}}).compare(clock({{1, 1}, {2, 2}})), ClockOrder::kConcurrent);
}

TEST(VectorClock, MissingEntryCountsAsZeroInCompare) {
  // {1:1} < {1:1, 2:1}: the right side has seen one more write.
  EXPECT_EQ(clock({{1, 1}}).compare(clock({{1, 1}, {2, 1}})), ClockOrder::kBefore);
  EXPECT_EQ(clock({{1, 1}, {2, 1}}).compare(clock({{1, 1}})), ClockOrder::kAfter);
  EXPECT_EQ(VectorClock().compare(clock({{3, 1}})), ClockOrder::kBefore);
}

TEST(VectorClock, JoinIsPointwiseMaxAndDominatesBoth) {
  VectorClock a = clock({{1, 3}, {2, 1}});
  const VectorClock b = clock({{2, 4}, {3, 1}});
  a.join(b);
  EXPECT_EQ(a, clock({{1, 3}, {2, 4}, {3, 1}}));
  EXPECT_TRUE(a.check_invariants());
}

TEST(VectorClock, IncrementAddsOrBumpsTheEntry) {
  VectorClock c;
  c.increment(rid(5));
  c.increment(rid(5));
  c.increment(rid(2));
  EXPECT_EQ(c, clock({{2, 1}, {5, 2}}));
}

TEST(VectorClock, CounterSumIsExactBeyond64Bits) {
  VectorClock c;
  c.set(rid(1), UINT64_MAX);
  c.set(rid(2), UINT64_MAX);
  const Uint128 expected = Uint128{UINT64_MAX} * 2;
  EXPECT_TRUE(c.counter_sum() == expected);
}

TEST(VectorClock, CanonicalOrderIsTotalOnDistinctClocks) {
  const VectorClock a = clock({{1, 1}});
  const VectorClock b = clock({{1, 2}});
  const VectorClock c = clock({{2, 1}});
  EXPECT_TRUE(VectorClock::canonical_less(a, b));
  EXPECT_TRUE(VectorClock::canonical_less(b, c));
  EXPECT_FALSE(VectorClock::canonical_less(a, a));
}

TEST(VectorClockDeathTest, ACounterNeverGoesBack) {
  VectorClock c = clock({{1, 5}});
  EXPECT_DEATH(c.set(rid(1), 4), "may only grow");
}

}  // namespace
}  // namespace gossip
