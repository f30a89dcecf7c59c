#include "reference/register.h"

#include <gtest/gtest.h>

#include "reference/limits.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::clock;
using testing::content;
using testing::version;

TEST(Register, ConcurrentVersionsBecomeSiblings) {
  Register reg(version(clock({{1, 1}}), content("from 1")));
  bool changed = false;
  ASSERT_TRUE(reg.merge(version(clock({{2, 1}}), content("from 2")), &changed).is_ok());
  EXPECT_TRUE(changed);
  ASSERT_EQ(reg.siblings().size(), 2u);
  EXPECT_TRUE(reg.check_invariants());
}

TEST(Register, ADominatingVersionReplacesWhatItSaw) {
  Register reg = Register::from_versions({version(clock({{1, 1}}), content("a")),
                                          version(clock({{2, 1}}), content("b"))})
                     .value();
  bool changed = false;
  ASSERT_TRUE(
      reg.merge(version(clock({{1, 1}, {2, 1}, {3, 1}}), content("resolved")), &changed).is_ok());
  ASSERT_EQ(reg.siblings().size(), 1u);
  EXPECT_EQ(reg.siblings()[0].content.summary, "resolved");
}

TEST(Register, ADominatedVersionNeverComesBack) {
  Register reg(version(clock({{1, 2}}), content("new")));
  bool changed = true;
  ASSERT_TRUE(reg.merge(version(clock({{1, 1}}), content("old")), &changed).is_ok());
  EXPECT_FALSE(changed);
  ASSERT_EQ(reg.siblings().size(), 1u);
  EXPECT_EQ(reg.siblings()[0].content.summary, "new");
}

TEST(Register, TheSameWriteTwiceChangesNothing) {
  Register reg(version(clock({{1, 1}}), content("x", {1})));
  const Register before = reg;
  bool changed = true;
  ASSERT_TRUE(reg.merge(version(clock({{1, 1}}), content("x", {1})), &changed).is_ok());
  EXPECT_FALSE(changed);
  EXPECT_EQ(reg, before);
}

TEST(Register, EqualClocksWithDifferentContentAreRejectedAndChangeNothing) {
  Register reg = Register::from_versions({version(clock({{1, 1}}), content("x")),
                                          version(clock({{2, 1}}), content("y"))})
                     .value();
  const Register before = reg;
  bool changed = true;
  Status s = reg.merge(version(clock({{1, 1}}), content("forged")), &changed);
  EXPECT_EQ(s.code(), Status::Code::kConflictingWrite);
  EXPECT_FALSE(changed);
  EXPECT_EQ(reg, before);

  Register other(version(clock({{2, 1}}), content("also forged")));
  s = reg.join(other, &changed);
  EXPECT_EQ(s.code(), Status::Code::kConflictingWrite);
  EXPECT_EQ(reg, before);
}

TEST(Register, JoinIsAllOrNothing) {
  Register reg(version(clock({{1, 1}}), content("x")));
  const Register before = reg;
  // The first sibling of `other` would merge, the second conflicts: nothing may change.
  Register other = Register::from_versions({version(clock({{1, 1}}), content("conflict")),
                                            version(clock({{3, 1}}), content("fine"))})
                       .value();
  bool changed = false;
  EXPECT_FALSE(reg.join(other, &changed).is_ok());
  EXPECT_EQ(reg, before);
}

TEST(Register, SiblingOrderIsCanonicalWhateverTheMergeOrder) {
  const Version a = version(clock({{1, 1}}), content("a"));
  const Version b = version(clock({{2, 1}}), content("b"));
  const Version c = version(clock({{3, 1}}), content("c"));
  const Register x = Register::from_versions({a, b, c}).value();
  const Register y = Register::from_versions({c, a, b}).value();
  EXPECT_EQ(x, y);
}

TEST(Register, JoinLawsOnSmallRegisters) {
  const Register a = Register::from_versions({version(clock({{1, 1}}), content("a")),
                                              version(clock({{2, 1}}), content("b"))})
                         .value();
  const Register b = Register::from_versions({version(clock({{1, 2}}), content("c")),
                                              version(clock({{3, 1}}), content("d"))})
                         .value();
  bool changed = false;
  Register ab = a;
  ASSERT_TRUE(ab.join(b, &changed).is_ok());
  Register ba = b;
  ASSERT_TRUE(ba.join(a, &changed).is_ok());
  EXPECT_EQ(ab, ba);                    // commutative
  EXPECT_EQ(ab.siblings().size(), 3u);  // {2:1} b, {1:2} c, {3:1} d; {1:1} a is dominated
  Register aa = a;
  ASSERT_TRUE(aa.join(a, &changed).is_ok());
  EXPECT_FALSE(changed);  // idempotent
  EXPECT_EQ(aa, a);
}

TEST(Register, InvalidVersionsAreRefusedAndChangeNothing) {
  Register reg(version(clock({{1, 1}}), content("x")));
  const Register before = reg;
  bool changed = true;
  EXPECT_EQ(reg.merge(version(VectorClock(), content("no clock")), &changed).code(),
            Status::Code::kInvalid);
  EXPECT_EQ(reg.merge(version(clock({{2, 1}}), content("\xFF")), &changed).code(),
            Status::Code::kInvalid);
  EXPECT_FALSE(changed);
  EXPECT_EQ(reg, before);
}

TEST(Register, SiblingLimitIsEnforced) {
  std::vector<Version> versions;
  for (std::uint32_t i = 1; i <= limits::kSiblingsMax + 1; ++i) {
    versions.push_back(version(clock({{i, 1}}), content("v")));
  }
  EXPECT_EQ(Register::from_versions(versions).status().code(), Status::Code::kOverLimit);
  versions.pop_back();
  EXPECT_TRUE(Register::from_versions(versions).is_ok());
}

TEST(Register, JoinedClockCoversEverySibling) {
  const Register reg = Register::from_versions({version(clock({{1, 2}}), content("a")),
                                                version(clock({{2, 3}}), content("b"))})
                           .value();
  EXPECT_EQ(reg.joined_clock(), clock({{1, 2}, {2, 3}}));
}

}  // namespace
}  // namespace gossip
