// Rng: the one deterministic random source of gossipcheck.
//
// xoshiro256** seeded through splitmix64. Every subsystem that needs randomness forks its
// own stream from a parent (fork(label)), so adding a draw in one subsystem does not shift
// the draws of another. Nothing here reads the wall clock or std::random_device: the same
// seed gives the same numbers on every platform and build (I12).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gossip {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, bound). REQUIRES: bound > 0. Unbiased (rejection sampling).
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi);
  // True with probability numerator / denominator. REQUIRES: denominator > 0.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  // An independent stream, a pure function of this stream's seed and the label.
  Rng fork(std::string_view label) const;
  // Appends the whole state (seed and stream position) as bytes: two generators with equal
  // bytes draw the same numbers from here on.
  void append_state(std::string* out) const;

 private:
  std::uint64_t seed_;
  std::uint64_t s_[4];
};

}  // namespace gossip
