#include "reference/operations.h"

#include <gtest/gtest.h>

#include "reference/limits.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::content;
using testing::pid;
using testing::rid;

TEST(Operations, CreateWritesOneVersionWithTheWritersEntry) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(1), pid(1), content("hello", {1})).is_ok());
  const Register* reg = s.find(pid(1));
  ASSERT_NE(reg, nullptr);
  ASSERT_EQ(reg->siblings().size(), 1u);
  EXPECT_EQ(reg->siblings()[0].clock, testing::clock({{1, 1}}));
  EXPECT_EQ(create(s, rid(1), pid(1), content("again")).code(), Status::Code::kAlreadyExists);
}

TEST(Operations, RefineDominatesWhatItSaw) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(1), pid(1), content("v1")).is_ok());
  ASSERT_TRUE(refine(s, rid(2), pid(1), content("v2")).is_ok());
  const Register* reg = s.find(pid(1));
  ASSERT_EQ(reg->siblings().size(), 1u);
  EXPECT_EQ(reg->siblings()[0].clock, testing::clock({{1, 1}, {2, 1}}));
  EXPECT_EQ(reg->siblings()[0].content.summary, "v2");
}

TEST(Operations, ConcurrentRefinesBecomeSiblingsAndALaterRefineResolvesThem) {
  State r1(testing::kSeed);
  ASSERT_TRUE(create(r1, rid(1), pid(1), content("base")).is_ok());
  State r2 = r1;  // r2 has seen the create
  ASSERT_TRUE(refine(r1, rid(1), pid(1), content("left")).is_ok());
  ASSERT_TRUE(refine(r2, rid(2), pid(1), content("right")).is_ok());
  r1.join(r2);
  ASSERT_EQ(r1.find(pid(1))->siblings().size(), 2u);
  ASSERT_TRUE(refine(r1, rid(1), pid(1), content("merged")).is_ok());
  ASSERT_EQ(r1.find(pid(1))->siblings().size(), 1u);
  EXPECT_EQ(r1.find(pid(1))->siblings()[0].clock, testing::clock({{1, 3}, {2, 1}}));
}

TEST(Operations, RefineOfAnUnknownPatternIsNotFound) {
  State s(testing::kSeed);
  EXPECT_EQ(refine(s, rid(1), pid(9), content("x")).code(), Status::Code::kNotFound);
  EXPECT_EQ(s.size(), 0u);
}

TEST(Operations, InvalidContentIsRefusedAndChangesNothing) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(1), pid(1), content("ok")).is_ok());
  const Digest before = s.root();
  EXPECT_EQ(refine(s, rid(1), pid(1), content("\xC0\xAF")).code(), Status::Code::kInvalid);
  EXPECT_EQ(
      refine(s, rid(1), pid(1), content(std::string(limits::kSummaryBytesMax + 1, 'x'))).code(),
      Status::Code::kOverLimit);
  EXPECT_EQ(s.root(), before);
}

TEST(Operations, AbsorbMovesEpisodesAndMarksTheAbsorbed) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(1), pid(1), content("a", {1, 2})).is_ok());
  ASSERT_TRUE(create(s, rid(1), pid(2), content("b", {3})).is_ok());
  ASSERT_TRUE(absorb(s, rid(1), pid(1), pid(2)).is_ok());
  const Version& b = s.find(pid(2))->siblings().at(0);
  const Version& a = s.find(pid(1))->siblings().at(0);
  EXPECT_EQ(b.content.episodes, (std::vector<EpisodeId>{1, 2, 3}));
  EXPECT_EQ(a.content.absorbed_into, pid(2));
  EXPECT_EQ(a.content.episodes, (std::vector<EpisodeId>{1, 2}));  // nothing is deleted
}

TEST(Operations, AbsorbRefusesSelfAndUnknownAndOverLimitWithoutWriting) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(1), pid(1), content("a")).is_ok());
  EXPECT_EQ(absorb(s, rid(1), pid(1), pid(1)).code(), Status::Code::kInvalid);
  EXPECT_EQ(absorb(s, rid(1), pid(1), pid(2)).code(), Status::Code::kNotFound);
  EXPECT_EQ(absorb(s, rid(1), pid(2), pid(1)).code(), Status::Code::kNotFound);
  Content big_a;
  Content big_b;
  for (EpisodeId e = 0; e < limits::kEpisodesMax; ++e) {
    (e % 2 ? big_a : big_b).episodes.push_back(e + limits::kEpisodesMax);
    (e % 2 ? big_b : big_a).episodes.push_back(e);
  }
  std::sort(big_a.episodes.begin(), big_a.episodes.end());
  std::sort(big_b.episodes.begin(), big_b.episodes.end());
  ASSERT_TRUE(create(s, rid(1), pid(3), big_a).is_ok());
  ASSERT_TRUE(create(s, rid(1), pid(4), big_b).is_ok());
  const Digest before = s.root();
  EXPECT_EQ(absorb(s, rid(1), pid(3), pid(4)).code(), Status::Code::kOverLimit);
  EXPECT_EQ(s.root(), before);
}

TEST(Operations, ClockEntryLimitIsEnforced) {
  State s(testing::kSeed);
  ASSERT_TRUE(create(s, rid(0), pid(1), content("x")).is_ok());
  for (std::uint32_t r = 1; r < limits::kClockEntriesMax; ++r) {
    ASSERT_TRUE(refine(s, rid(r), pid(1), content("x")).is_ok());
  }
  EXPECT_EQ(refine(s, rid(100000), pid(1), content("x")).code(), Status::Code::kOverLimit);
  EXPECT_TRUE(refine(s, rid(1), pid(1), content("x")).is_ok());  // a known writer still may
}

}  // namespace
}  // namespace gossip
