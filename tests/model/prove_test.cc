// The Z3 encoding is the model's merge: evaluated on concrete registers it gives what
// model::join and model::write_clock give, so a proof about the encoding is a proof about
// the model. And a law the model breaks is refuted, not proved (the prover can fail).
#include "model/prove.h"

#include <gtest/gtest.h>

#include <random>

namespace gossip::model {
namespace {

// A register of up to 3 pairwise concurrent versions over replicas 1..3, in the encoding's
// alphabet; equal clocks always carry the same content (derived from the clock), so that
// joins of such registers never conflict unless a test wants them to.
Content content_for(const Clock& clock) {
  std::uint64_t h = 7;
  for (const auto& [r, n] : clock) h = h * 31 + r * 5 + n;
  Content c;
  c.summary = std::string(1, 's').append(std::to_string(h % 8));  // not "s" + ...: gcc 12 -Wrestrict
  for (std::uint64_t e = 0; e < 4; ++e) {
    if ((h >> (e + 3)) & 1u) c.episodes.insert(e);
  }
  c.strength = static_cast<std::uint32_t>(h % 5);
  if (h % 3 == 0) c.absorbed_into = prove::pattern_key(2 + h % 2);
  return c;
}

Register random_register(std::mt19937& rng) {
  Register reg;
  const unsigned n = rng() % 4;
  for (unsigned i = 0; i < n * 3 && reg.size() < n; ++i) {
    Clock c;
    for (Replica r = 1; r <= 3; ++r) {
      const std::uint64_t v = rng() % 3;
      if (v > 0) c[r] = v;
    }
    if (c.empty()) continue;
    bool concurrent = true;
    for (const auto& [other, unused] : reg) concurrent = concurrent && compare(c, other) == Order::kConcurrent;
    if (concurrent) reg.emplace(c, content_for(c));
  }
  return reg;
}

TEST(ProveEncoding, JoinIsTheModelsJoin) {
  std::mt19937 rng(1);
  for (int i = 0; i < 300; ++i) {
    const Register a = random_register(rng), b = random_register(rng);
    EXPECT_EQ(prove::encoded_join(a, b), join(a, b)) << "case " << i;
  }
}

TEST(ProveEncoding, ConflictIsTheModelsConflict) {
  const Clock c{{1, 1}};
  Content other = content_for(c);
  other.strength += 1;
  const Register a{{c, content_for(c)}}, b{{c, other}};
  EXPECT_EQ(join(a, b), std::nullopt);
  EXPECT_EQ(prove::encoded_join(a, b), std::nullopt);
  // The mutant that keeps the first content has no conflict: the encoding follows it.
  EXPECT_EQ(prove::encoded_join(a, b, "equal-clock-first-wins"), a);
}

TEST(ProveEncoding, WriteClockIsTheModelsWriteClock) {
  std::mt19937 rng(2);
  for (int i = 0; i < 200; ++i) {
    const Register a = random_register(rng);
    const Replica writer = 1 + rng() % 4;
    EXPECT_EQ(prove::encoded_write_clock(a, writer), write_clock(a, writer)) << "case " << i;
  }
}

TEST(ProveEncoding, MutantsChangeTheEncoding) {
  // lww-drops-concurrent: of two concurrent versions the smaller counter sum goes.
  const Clock x{{1, 1}}, y{{2, 2}};
  const Register a{{x, content_for(x)}}, b{{y, content_for(y)}};
  EXPECT_EQ(prove::encoded_join(a, b)->size(), 2u);
  EXPECT_EQ(prove::encoded_join(a, b, "lww-drops-concurrent")->size(), 1u);
  // prune-clock: a join with three entries loses its first.
  const Clock three{{1, 1}, {2, 1}, {3, 1}};
  const Register r{{three, content_for(three)}};
  EXPECT_EQ(prove::encoded_write_clock(r, 1), (Clock{{1, 2}, {2, 1}, {3, 1}}));
  EXPECT_EQ(prove::encoded_write_clock(r, 1, "prune-clock"), (Clock{{1, 1}, {2, 1}, {3, 1}}));
}

TEST(Prove, EveryLawProvedAtSmallBounds) {
  prove::Options o;
  o.replicas_max = 2;
  o.siblings_max = 2;
  o.patterns_max = 3;
  const auto results = prove::prove(o);
  ASSERT_EQ(results.size(), prove::laws().size());
  for (const auto& r : results) {
    EXPECT_EQ(r.verdict, prove::Verdict::kProved) << r.law.name << ": " << r.detail;
  }
}

TEST(Prove, EveryMergeMutantIsRefutedWithAConcreteCounterexample) {
  for (const prove::Mutant& m : prove::mutants()) {
    prove::Options o;
    o.replicas_max = 3;
    o.siblings_max = 3;
    o.patterns_max = 2;
    o.mutant = m.name;
    bool refuted = false;
    for (const auto& r : prove::prove(o)) {
      if (r.verdict != prove::Verdict::kCounterexample) continue;
      refuted = true;
      ASSERT_TRUE(r.counterexample.has_value());
      EXPECT_FALSE(r.counterexample->states.empty()) << m.name << " " << r.law.name;
    }
    EXPECT_TRUE(refuted) << m.name;
  }
}

TEST(Prove, AnUnknownAnswerIsRetriedAndNeverCountedAsProved) {
  // One millisecond is far too little for associativity at 4 replicas and 3 siblings: Z3 gives
  // up, every attempt is retried under another seed, and the law comes back unknown.
  prove::Options o;
  o.only = {"join_associative"};
  o.timeout_ms = 1;
  o.attempts = 2;
  const auto results = prove::prove(o);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict, prove::Verdict::kUnknown);
  EXPECT_GE(results[0].retries, 2u);
  EXPECT_FALSE(results[0].detail.empty());
  EXPECT_FALSE(results[0].counterexample.has_value());
}

TEST(Prove, UnknownNamesAreRefused) {
  prove::Options o;
  o.only = {"no_such_law"};
  EXPECT_THROW(prove::prove(o), std::invalid_argument);
  o.only.clear();
  o.mutant = "no-such-mutant";
  EXPECT_THROW(prove::prove(o), std::invalid_argument);
}

}  // namespace
}  // namespace gossip::model
