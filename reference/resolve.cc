#include "reference/resolve.h"

#include <algorithm>
#include <utility>

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
  // The summary comes from the sibling with the greatest (clock sum, content digest).
  std::size_t winner = 0;
  auto rank = [&](std::size_t i) {
    return std::make_pair(siblings[i].clock.counter_sum(), content_digest(siblings[i].content));
  };
  auto winner_rank = rank(0);
  Content out;
  for (std::size_t i = 0; i < siblings.size(); ++i) {
    const Content& c = siblings[i].content;
    if (i > 0) {
      auto r = rank(i);
      if (r > winner_rank) {
        winner = i;
        winner_rank = std::move(r);
      }
    }
    out.episodes = episode_union(out.episodes, c.episodes);
    out.strength = std::max(out.strength, c.strength);
    if (c.absorbed_into && (!out.absorbed_into || *c.absorbed_into < *out.absorbed_into)) {
      out.absorbed_into = c.absorbed_into;
    }
  }
  out.summary = siblings[winner].content.summary;
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
