// Exhaustive exploration: the state fingerprint it prunes by, and the search itself.
#include "properties/explore.h"

#include <gtest/gtest.h>

namespace gossip::properties {
namespace {

Step write(Op op, std::uint32_t node, std::uint32_t value) { return Step{op, node, 0, 0, value}; }
Step message(Op op, std::uint32_t k) { return Step{op, 0, 0, 0, k}; }

TEST(Fingerprint, ACopyHasItAndRunsAlike) {
  Executor a(HistoryConfig{});
  ASSERT_FALSE(a.apply(write(Op::kCreate, 0, 1)));
  ASSERT_FALSE(a.apply(Step{Op::kTick}));
  Executor b(a);
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  ASSERT_FALSE(a.apply(message(Op::kDeliver, 0)));
  EXPECT_NE(a.fingerprint(), b.fingerprint());  // b has not had the step
  ASSERT_FALSE(b.apply(message(Op::kDeliver, 0)));
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.describe(), b.describe());
}

TEST(Fingerprint, SeesEveryKindOfDifference) {
  Executor base(HistoryConfig{});
  ASSERT_FALSE(base.apply(write(Op::kCreate, 0, 1)));
  ASSERT_FALSE(base.apply(Step{Op::kTick}));
  ASSERT_FALSE(base.cluster().pending().empty());
  const auto fp = base.fingerprint();
  for (const Step& s : {write(Op::kRefine, 0, 2), write(Op::kCreate, 1, 2), Step{Op::kTick},
                        message(Op::kDrop, 0), message(Op::kDuplicate, 0), Step{Op::kCrash, 1},
                        Step{Op::kAmnesia, 0}}) {
    Executor e(base);
    ASSERT_FALSE(e.apply(s)) << to_text(s);
    EXPECT_NE(e.fingerprint(), fp) << to_text(s);
  }
}

TEST(Fingerprint, PendingMessagesAreAMultiset) {
  // Two messages pending; delaying one (moving it to the end) changes the order only.
  Executor a(HistoryConfig{});
  ASSERT_FALSE(a.apply(write(Op::kCreate, 0, 1)));
  ASSERT_FALSE(a.apply(Step{Op::kTick}));
  ASSERT_GE(a.cluster().pending().size(), 2u);
  Executor b(a);
  ASSERT_FALSE(b.apply(message(Op::kDelay, 0)));
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
}

// The ids a node changed (kept for the simulator's bookkeeping, never used by the protocol)
// are not part of what decides its behaviour: taking them must not change the fingerprint,
// or exploration keeps apart states that behave alike (issue 13, defect 9).
TEST(Fingerprint, IgnoresTheChangedIdsNoProtocolStepReads) {
  Executor a(HistoryConfig{});
  ASSERT_FALSE(a.apply(write(Op::kCreate, 0, 1)));
  ASSERT_FALSE(a.apply(write(Op::kRefine, 0, 2)));
  ASSERT_FALSE(a.apply(Step{Op::kTick}));
  const auto fp = a.fingerprint();
  EXPECT_EQ(a.cluster().node(0).take_changed().size(), 1u);  // p0, once
  EXPECT_EQ(a.fingerprint(), fp);
}

TEST(Explore, SmallConfigurationIsCompleteCleanAndDeterministic) {
  ExploreConfig c;
  c.writes = 1;
  c.ticks = 1;
  c.duplicates = 0;
  c.crashes = 0;
  const ExploreResult r = explore(c);
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(r.violations.empty());
  EXPECT_GT(r.distinct_states, 100u);
  EXPECT_EQ(r.convergence_checks + 1, r.distinct_states);  // every state but the empty one
  const ExploreResult again = explore(c);
  EXPECT_EQ(again.states, r.states);
  EXPECT_EQ(again.distinct_states, r.distinct_states);
  EXPECT_EQ(again.depth, r.depth);
}

TEST(Explore, PruningOnlyMergesEqualStates) {
  // Without duplicates the same configuration reaches fewer states; the pruned search reaches
  // each distinct state once, so its count cannot exceed the steps taken.
  ExploreConfig c;
  c.writes = 1;
  c.ticks = 1;
  c.crashes = 0;
  c.duplicates = 0;
  const ExploreResult fewer = explore(c);
  c.duplicates = 1;
  const ExploreResult more = explore(c);
  EXPECT_LT(fewer.distinct_states, more.distinct_states);
  EXPECT_LE(more.distinct_states, more.states + 1);
}

}  // namespace
}  // namespace gossip::properties
