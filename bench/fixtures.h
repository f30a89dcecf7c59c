// Shared, lazily built benchmark inputs: a state of N random patterns per N.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "reference/state.h"

namespace gossip::bench {

inline constexpr std::uint64_t kClusterSeed = 0xbe7c4;

struct Population {
  std::vector<PatternId> ids;
  State state{kClusterSeed};
};

// N patterns, each with one version written by replica 1. Built once per N and cached.
const Population& population(std::size_t n);
// `count` ids drawn at random from pop.ids, copied into one small contiguous array, so that a
// benchmark's own bookkeeping does not add a cache miss to the operation it measures.
std::vector<PatternId> sample_ids(const Population& pop, std::size_t count, std::uint64_t seed);
// `count` distinct single-version registers, written by replica 2 (they dominate nothing).
std::vector<std::shared_ptr<const Register>> fresh_registers(std::size_t count, std::uint64_t seed);

}  // namespace gossip::bench
