#include "reference/digest.h"

#include <gtest/gtest.h>

#include "reference/codec.h"
#include "reference/operations.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

// The hash is specified, not whatever the build gives: these values are XXH3-128 as
// published by xxHash, so two builds (or two implementations) place and hash alike.
TEST(Digest, Xxh3KnownAnswers) {
  EXPECT_EQ(hash128(0, {}).hex(), "99aa06d3014798d86001c324468d497f");
}

TEST(Digest, SeedChangesTheDigest) {
  const std::uint8_t data[] = {1, 2, 3};
  EXPECT_NE(hash128(1, data), hash128(2, data));
}

// Golden values: a change to the encoding or to the tree's hashing changes them, and must
// then be a deliberate format change (bump kFormatVersion, update docs/WIRE_FORMAT.md).
TEST(Digest, GoldenRootAndFrame) {
  State s(testing::kSeed);
  ASSERT_TRUE(
      create(s, testing::rid(1), testing::pid(1), testing::content("a", {1, 2}, 3)).is_ok());
  ASSERT_TRUE(create(s, testing::rid(2), testing::pid(2), testing::content("b", {2})).is_ok());
  const Bytes frame = encode_digest_frame(s.root());
  EXPECT_EQ(s.root().hex(), "2bde6a99d4b9ef2e02632d7569b8109e");
  EXPECT_EQ(to_hex(frame), "6701042bde6a99d4b9ef2e02632d7569b8109e2aa4ea4a");
}

}  // namespace
}  // namespace gossip
