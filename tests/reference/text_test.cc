#include "reference/text.h"

#include <gtest/gtest.h>

#include "reference/workload.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::clock;
using testing::content;
using testing::pid;
using testing::version;

TEST(Text, FormatsAVersionReadably) {
  Content c = content("say \"hi\"\n", {1, 2}, 5);
  c.absorbed_into = pid(3);
  EXPECT_EQ(format_version(version(clock({{1, 3}, {2, 1}}), c)),
            "version clock={1.0:3,2.0:1} strength=5 episodes=[1,2] "
            "absorbed_into=00000000000000000000000000000003 summary=\"say \\\"hi\\\"\\x0a\"");
}

TEST(Text, ParseOfFormatIsIdentityOnRandomStates) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Rng rng(seed);
    const Workload w = run_workload(testing::kSeed, {3, 300, 20}, rng);
    State merged = w.replicas[0];
    merged.join(w.replicas[1]);
    merged.join(w.replicas[2]);
    const std::string text = format_state(merged);
    const Result<State> back = parse_state(text, testing::kSeed);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back.value(), merged);
    EXPECT_EQ(format_state(back.value()), text);
  }
}

TEST(Text, ControlBytesAndUnicodeRoundTrip) {
  std::vector<std::pair<PatternId, Register>> regs;
  regs.emplace_back(pid(1),
                    Register(version(clock({{1, 1}}), content("tab\there \\ caf\xC3\xA9 \x7f"))));
  const State s = State::from_registers(testing::kSeed, std::move(regs));
  const Result<State> back = parse_state(format_state(s), testing::kSeed);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back.value(), s);
}

TEST(Text, ParseErrorsNameTheLine) {
  const std::string good_pattern = "pattern 00000000000000000000000000000001\n";
  const std::string good_version =
      "  version clock={1.0:1} strength=0 episodes=[] absorbed_into=- summary=\"x\"\n";
  auto error_of = [](const std::string& text) {
    const Result<State> r = parse_state(text, testing::kSeed);
    return r.is_ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(error_of(good_pattern + good_version), "ok");
  EXPECT_NE(error_of(good_version).find("line 1"), std::string::npos);
  EXPECT_NE(error_of(good_pattern +
                     "  version clock={} strength=0 episodes=[] absorbed_into=- summary=\"\"\n")
                .find("line 2"),
            std::string::npos);
  EXPECT_NE(error_of("# c\n" + good_pattern + "  version clock={1.0:1} strength=x").find("line 3"),
            std::string::npos);
  EXPECT_NE(error_of(good_pattern + good_version + good_pattern).find("ascending"),
            std::string::npos);
  // Two versions where one dominates the other: refused, not silently dropped.
  EXPECT_NE(
      error_of(good_pattern + good_version +
               "  version clock={1.0:2} strength=0 episodes=[] absorbed_into=- summary=\"y\"\n")
          .find("dominated"),
      std::string::npos);
  // Equal clocks, different content.
  EXPECT_NE(
      error_of(good_pattern + good_version +
               "  version clock={1.0:1} strength=0 episodes=[] absorbed_into=- summary=\"y\"\n")
          .find("conflicting"),
      std::string::npos);
  EXPECT_NE(error_of(good_pattern + "  version clock={1.0:1} strength=0 episodes=[2,1] "
                                    "absorbed_into=- summary=\"\"\n")
                .find("sorted"),
            std::string::npos);
  EXPECT_NE(error_of(good_pattern + "  version clock={1.0:01} strength=0 episodes=[] "
                                    "absorbed_into=- summary=\"\"\n")
                .find("leading zero"),
            std::string::npos);
}

}  // namespace
}  // namespace gossip
