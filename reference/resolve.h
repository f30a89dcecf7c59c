// The resolved view: what readers see, a deterministic function of the state alone.
//
// Per pattern (docs/MODEL.md, "The resolved view"), over its siblings:
//   episodes = union; strength = max;
//   summary  = the summary of the sibling with the greatest (sum of clock counters, then
//              content digest);
//   absorbed_into = the smallest target named by any sibling (absorbing is one-way: a
//              sibling that absorbed the pattern is not outvoted by a concurrent refine).
// Survivors: absorbed_into chains are followed to a live pattern; a target not yet known
// leaves the pattern live; a cycle (a into b and b into a, written concurrently) resolves
// to the smallest PatternId in the cycle, which is live.
// Edges: two live patterns are linked when they share an episode; weight = shared episodes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reference/content.h"
#include "reference/digest.h"
#include "reference/register.h"
#include "reference/state.h"

namespace gossip {

struct ResolvedPattern {
  Content content;     // the siblings merged as above
  PatternId survivor;  // itself when live
  bool live = true;
  bool operator==(const ResolvedPattern&) const = default;
};

using ResolvedView = std::map<PatternId, ResolvedPattern>;

struct Edge {
  PatternId a;  // a < b
  PatternId b;
  std::uint32_t weight = 0;
  bool operator==(const Edge&) const = default;
};

// The siblings of one register merged as above.
Content merged_content(const Register& reg);
// XXH3-128 (seed 0, not the cluster seed: the view must not depend on it) of the encoding.
Digest content_digest(const Content& content);

ResolvedView resolve(const State& state);
// Ascending (a, b).
std::vector<Edge> edges(const ResolvedView& view);

}  // namespace gossip
