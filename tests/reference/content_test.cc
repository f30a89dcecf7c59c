#include "reference/content.h"

#include <gtest/gtest.h>

#include "reference/limits.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
}

TEST(Utf8, RejectsMalformedText) {
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated sequence
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, three bytes
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Content, ValidateEnforcesEveryLimit) {
  EXPECT_TRUE(validate(testing::content("ok", {1, 2, 3})).is_ok());
  Content long_summary = testing::content(std::string(limits::kSummaryBytesMax + 1, 'a'));
  EXPECT_EQ(validate(long_summary).code(), Status::Code::kOverLimit);
  Content unsorted = testing::content("x", {2, 1});
  EXPECT_EQ(validate(unsorted).code(), Status::Code::kInvalid);
  Content repeated = testing::content("x", {1, 1});
  EXPECT_EQ(validate(repeated).code(), Status::Code::kInvalid);
  Content many;
  for (EpisodeId e = 0; e <= limits::kEpisodesMax; ++e) many.episodes.push_back(e);
  EXPECT_EQ(validate(many).code(), Status::Code::kOverLimit);
  EXPECT_EQ(validate(testing::content("\xFF")).code(), Status::Code::kInvalid);
}

TEST(Content, EpisodeUnionIsASortedSet) {
  EXPECT_EQ(episode_union({1, 3, 5}, {2, 3, 6}), (std::vector<EpisodeId>{1, 2, 3, 5, 6}));
  EXPECT_EQ(episode_union({}, {4}), (std::vector<EpisodeId>{4}));
}

}  // namespace
}  // namespace gossip
