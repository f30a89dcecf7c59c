// Small builders for hand-written test cases.
#pragma once

#include <initializer_list>
#include <utility>

#include "reference/register.h"
#include "reference/state.h"

namespace gossip::testing {

inline constexpr std::uint64_t kSeed = 0x5eed;

inline ReplicaId rid(std::uint32_t node) { return ReplicaId::of(node, 0); }
inline PatternId pid(std::uint64_t n) { return PatternId::from_u64(n); }

// clock({{1, 3}, {2, 1}}): replica 1 at 3, replica 2 at 1.
inline VectorClock clock(std::initializer_list<std::pair<std::uint32_t, std::uint64_t>> entries) {
  VectorClock c;
  for (const auto& [node, counter] : entries) c.set(rid(node), counter);
  return c;
}

inline Content content(std::string summary, std::vector<EpisodeId> episodes = {},
                       std::uint32_t strength = 0) {
  Content c;
  c.summary = std::move(summary);
  c.episodes = std::move(episodes);
  c.strength = strength;
  return c;
}

inline Version version(VectorClock c, Content content) {
  return Version{std::move(c), std::move(content)};
}

}  // namespace gossip::testing
