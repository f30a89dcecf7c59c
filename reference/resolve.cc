#include "reference/resolve.h"

#include <algorithm>
#include <tuple>

#include "reference/encoding.h"

namespace gossip {

Digest content_digest(const Content& content) {
  Writer w;
  w.u8('C');
  encode_content(w, content);
  return hash128(0, w.bytes());
}

Content merged_content(const Register& reg) {
  const std::vector<Version>& siblings = reg.siblings();
  GOSSIP_ASSERT(!siblings.empty());
  const Version* winner = nullptr;
  Uint128 winner_sum = 0;
  Digest winner_digest;
  Content out;
  for (const Version& v : siblings) {
    const Uint128 sum = v.clock.counter_sum();
    const Digest digest = content_digest(v.content);
    if (!winner || std::tie(sum, digest) > std::tie(winner_sum, winner_digest)) {
      winner = &v;
      winner_sum = sum;
      winner_digest = digest;
    }
    out.episodes = episode_union(out.episodes, v.content.episodes);
    out.strength = std::max(out.strength, v.content.strength);
    if (v.content.absorbed_into &&
        (!out.absorbed_into || *v.content.absorbed_into < *out.absorbed_into)) {
      out.absorbed_into = v.content.absorbed_into;
    }
  }
  out.summary = winner->content.summary;
  return out;
}

namespace {

// Survivor of every pattern in a functional graph (each pattern points to at most one
// known target). Iterative, O(N log N): each pattern is walked once.
void assign_survivors(ResolvedView& view) {
  enum class Mark { kNew, kOnPath, kDone };
  std::map<PatternId, Mark> marks;
  for (const auto& [id, p] : view) marks[id] = Mark::kNew;
  std::vector<PatternId> path;
  for (auto& [start, unused] : view) {
    if (marks[start] != Mark::kNew) continue;
    path.clear();
    PatternId at = start;
    PatternId survivor;
    for (;;) {
      const Mark mark = marks[at];
      if (mark == Mark::kDone) {
        survivor = view.at(at).survivor;
        break;
      }
      if (mark == Mark::kOnPath) {  // a cycle: from `at` to the end of path
        auto first = std::find(path.begin(), path.end(), at);
        survivor = *std::min_element(first, path.end());
        break;
      }
      marks[at] = Mark::kOnPath;
      path.push_back(at);
      const std::optional<PatternId>& target = view.at(at).content.absorbed_into;
      if (!target || !view.contains(*target)) {  // live, or target not yet known
        survivor = at;
        break;
      }
      at = *target;
    }
    for (const PatternId& id : path) {
      ResolvedPattern& p = view.at(id);
      p.survivor = survivor;
      p.live = (survivor == id);
      marks[id] = Mark::kDone;
    }
  }
}

}  // namespace

ResolvedView resolve(const State& state) {
  ResolvedView view;
  state.for_each([&](const PatternId& id, const Register& reg) {
    view.emplace(id, ResolvedPattern{merged_content(reg), id, true});
  });
  assign_survivors(view);
  return view;
}

std::vector<Edge> edges(const ResolvedView& view) {
  std::map<EpisodeId, std::vector<PatternId>> by_episode;  // live patterns, ascending
  for (const auto& [id, p] : view) {
    if (!p.live) continue;
    for (EpisodeId e : p.content.episodes) by_episode[e].push_back(id);
  }
  std::map<std::pair<PatternId, PatternId>, std::uint32_t> weights;
  for (const auto& [episode, ids] : by_episode) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      for (std::size_t j = i + 1; j < ids.size(); ++j) ++weights[{ids[i], ids[j]}];
    }
  }
  std::vector<Edge> out;
  out.reserve(weights.size());
  for (const auto& [pair, weight] : weights) out.push_back(Edge{pair.first, pair.second, weight});
  return out;
}

}  // namespace gossip
