// Histories: the text form round-trips, the parser is total, and the executor finds a
// planted violation at the step it happens.
#include "properties/history.h"

#include <gtest/gtest.h>

#include <random>

#include "reference/operations.h"

namespace gossip::properties {
namespace {

History sample() {
  History h;
  h.property = "histories";
  h.config.nodes = 3;
  h.config.seed = 42;
  h.steps = {{Op::kCreate, 0, 1, 0, 3}, {Op::kRefine, 1, 1, 0, 4}, {Op::kAbsorb, 2, 1, 2, 0},
             {Op::kTick}, {Op::kDeliver, 0, 0, 0, 2}, {Op::kDrop, 0, 0, 0, 1},
             {Op::kDuplicate, 0, 0, 0, 0}, {Op::kDelay, 0, 0, 0, 5}, {Op::kPartition, 0, 0, 0, 5},
             {Op::kHeal}, {Op::kCrash, 1}, {Op::kAmnesia, 2}, {Op::kPause, 0}, {Op::kResume, 0}};
  return h;
}

TEST(History, TextRoundTrips) {
  const History h = sample();
  const Result<History> back = parse_history(to_text(h));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back.value().steps, h.steps);
  EXPECT_EQ(back.value().config, h.config);
  EXPECT_EQ(back.value().property, h.property);
}

TEST(History, ParserNamesTheBadLine) {
  const std::string good = to_text(sample());
  EXPECT_FALSE(parse_history("").is_ok());
  EXPECT_FALSE(parse_history("hello\n").is_ok());
  std::string bad_node = good;
  bad_node.replace(bad_node.find("create n0"), 9, "create n7");
  const auto r = parse_history(bad_node);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("line "), std::string::npos);
  // Truncated: fewer steps than declared.
  EXPECT_FALSE(parse_history(good.substr(0, good.size() - 10)).is_ok());
}

TEST(History, ParserIsTotalOnMangledInput) {
  const std::string good = to_text(sample());
  std::mt19937 rng(1);
  for (int i = 0; i < 2000; ++i) {
    std::string t = good;
    for (int k = 0; k < 3; ++k) t[rng() % t.size()] = static_cast<char>(rng() % 256);
    (void)parse_history(t);  // any outcome but a crash
  }
}

TEST(Executor, ACleanHistoryHoldsEveryInvariant) {
  const auto v = Executor::run(sample());
  EXPECT_FALSE(v.has_value()) << to_text(*v);
}

TEST(Executor, TheSameHistoryGivesTheSameRun) {
  auto run = [] {
    Executor ex(sample().config);
    std::string trace;
    for (const Step& s : sample().steps) {
      (void)ex.apply(s);
      trace += ex.describe();
    }
    return trace;
  };
  EXPECT_EQ(run(), run());
}

// The model's root, computed from the wire format's definition alone, is the reference's:
// for the empty state, one leaf, and a tree three levels deep.
TEST(ModelRoot, EqualsTheReferenceRoot) {
  for (std::uint32_t n : {0u, 1u, 8u, 9u, 300u}) {
    State s(0x676f73736970ull);
    for (std::uint32_t i = 0; i < n; ++i) {
      ASSERT_TRUE(create(s, ReplicaId::of(i % 3, 0), pattern_of(i), content_of(i)).is_ok());
    }
    if (n > 1) {
      ASSERT_TRUE(refine(s, ReplicaId::of(7, 1), pattern_of(0), content_of(99)).is_ok());
    }
    EXPECT_EQ(model::merkle_root(to_model(s), s.cluster_seed()), s.root().bytes) << n << " patterns";
  }
}

}  // namespace
}  // namespace gossip::properties
