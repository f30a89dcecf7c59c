#include "reference/workload.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "reference/operations.h"

namespace gossip {

PatternId random_pattern_id(Rng& rng) {
  PatternId id;
  const std::uint64_t hi = rng.next();
  const std::uint64_t lo = rng.next();
  for (std::size_t i = 0; i < 8; ++i) {
    id.bytes[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
    id.bytes[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
  }
  return id;
}

Content random_content(Rng& rng, std::uint64_t episode_space) {
  static constexpr std::array<std::string_view, 12> kWords = {
      "kitchen", "morning", "coffee", "meeting", "Zoë", "garden",
      "rain",    "train",   "late",   "café",    "dog", "walk"};
  Content c;
  const std::uint64_t words = rng.between(1, 4);
  for (std::uint64_t i = 0; i < words; ++i) {
    if (i > 0) c.summary += ' ';
    c.summary += kWords[rng.below(kWords.size())];
  }
  const std::uint64_t episodes = rng.below(6);
  for (std::uint64_t i = 0; i < episodes; ++i) c.episodes.push_back(rng.below(episode_space));
  std::sort(c.episodes.begin(), c.episodes.end());
  c.episodes.erase(std::unique(c.episodes.begin(), c.episodes.end()), c.episodes.end());
  c.strength = static_cast<std::uint32_t>(rng.below(100));
  return c;
}

namespace {

// The version a local write just made: it dominates everything, so it is the only sibling.
void record(Workload& w, const State& state, const PatternId& id) {
  const Register* reg = state.find(id);
  GOSSIP_ASSERT(reg && reg->siblings().size() == 1);
  w.written.push_back({id, reg->siblings().front()});
}

const PatternId* pick_local(const State& state, const std::vector<PatternId>& all, Rng& rng) {
  // Prefer the most recently created ids: several replicas then touch the same patterns.
  for (int attempt = 0; attempt < 8 && !all.empty(); ++attempt) {
    const std::uint64_t window = std::min<std::uint64_t>(all.size(), 16);
    const PatternId& id = all[all.size() - 1 - rng.below(window)];
    if (state.find(id)) return &id;
  }
  return nullptr;
}

}  // namespace

Workload run_workload(std::uint64_t cluster_seed, const WorkloadOptions& options, Rng& rng) {
  GOSSIP_ASSERT(options.replicas > 0);
  Workload w;
  for (std::uint32_t i = 0; i < options.replicas; ++i) w.replicas.emplace_back(cluster_seed);
  std::vector<PatternId> created;
  // About two patterns per episode whatever the length of the history.
  const std::uint64_t episode_space = std::max<std::uint64_t>(256, options.writes / 2);
  std::uint64_t writes = 0;
  while (writes < options.writes) {
    const std::uint32_t r = static_cast<std::uint32_t>(rng.below(options.replicas));
    State& state = w.replicas[r];
    const ReplicaId writer = ReplicaId::of(r + 1, 0);
    const std::uint64_t roll = rng.below(100);
    if (roll < options.sync_percent) {
      const auto from = static_cast<std::uint32_t>(rng.below(options.replicas));
      const MergeReport report = state.join(w.replicas[from]);
      GOSSIP_ASSERT(report.rejected.empty());
      ++w.syncs;
      continue;
    }
    const PatternId* local = pick_local(state, created, rng);
    const PatternId* other = pick_local(state, created, rng);
    if (roll < 45 || !local) {
      const PatternId id = random_pattern_id(rng);
      GOSSIP_ASSERT(create(state, writer, id, random_content(rng, episode_space)).is_ok());
      created.push_back(id);
      record(w, state, id);
      ++w.creates;
    } else if (roll < 88 || !other || *other == *local) {
      GOSSIP_ASSERT(refine(state, writer, *local, random_content(rng, episode_space)).is_ok());
      record(w, state, *local);
      ++w.refines;
    } else {
      const PatternId a = *local;
      const PatternId b = *other;
      Status s = absorb(state, writer, a, b);
      if (!s.is_ok()) continue;  // an episode union over the limit: nothing was written
      record(w, state, b);
      record(w, state, a);
      ++w.absorbs;
    }
    ++writes;
  }
  return w;
}

bool holds_every_write(const State& state, const std::vector<WrittenVersion>& written) {
  for (const WrittenVersion& wv : written) {
    const Register* reg = state.find(wv.id);
    if (!reg) return false;
    const bool covered = reg->covers(wv.version);
    if (!covered) return false;
  }
  return true;
}

}  // namespace gossip
