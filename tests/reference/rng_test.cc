#include "reference/rng.h"

#include <gtest/gtest.h>

#include <set>

namespace gossip {
namespace {

TEST(Rng, SameSeedSameStream) {
  Rng a(42);
  Rng b(42);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next(), b.next());
}

TEST(Rng, KnownFirstValuesPinTheAlgorithm) {
  // xoshiro256** seeded by splitmix64: if this changes, every recorded seed replays
  // differently, so it must never change silently.
  Rng r(1);
  EXPECT_EQ(r.next(), 12966619160104079557ull);  // cross-checked by an independent Python port
}

TEST(Rng, ForksAreIndependentOfParentDraws) {
  Rng a(7);
  Rng b(7);
  b.next();  // drawing from the parent must not shift the fork
  Rng fa = a.fork("net");
  Rng fb = b.fork("net");
  EXPECT_EQ(fa.next(), fb.next());
  EXPECT_NE(a.fork("net").next(), a.fork("disk").next());
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
  Rng r(3);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t x = r.below(10);
    ASSERT_LT(x, 10u);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(r.between(5, 5), 5u);
}

}  // namespace
}  // namespace gossip
