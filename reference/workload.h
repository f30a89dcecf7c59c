// Random consolidation workloads: a seeded history of local writes and partial syncs over
// a few replicas, for the self-check and the tests.
//
// Each step picks a replica and does one of: create a pattern, refine one it holds (often
// one that other replicas refine too, so concurrent siblings arise), absorb one pattern into
// another (sometimes both ways at two replicas: absorb cycles), or join another replica's
// state (a partial sync). Every version written is recorded, so a test can check that none
// is lost (I2). Deterministic: the same seed gives the same history (I12).
#pragma once

#include <cstdint>
#include <vector>

#include "reference/rng.h"
#include "reference/state.h"

namespace gossip {

struct WorkloadOptions {
  std::uint32_t replicas = 3;
  std::uint32_t writes = 1000;
  std::uint32_t sync_percent = 10;  // chance, per step, of a partial sync instead of a write
};

struct WrittenVersion {
  PatternId id;
  Version version;
};

struct Workload {
  std::vector<State> replicas;
  std::vector<WrittenVersion> written;
  std::uint64_t creates = 0;
  std::uint64_t refines = 0;
  std::uint64_t absorbs = 0;
  std::uint64_t syncs = 0;
};

Workload run_workload(std::uint64_t cluster_seed, const WorkloadOptions& options, Rng& rng);

// A random valid content: a summary from a small vocabulary, up to 5 episodes below
// `episode_space` (small spaces make patterns share episodes, hence edges).
Content random_content(Rng& rng, std::uint64_t episode_space = 256);
PatternId random_pattern_id(Rng& rng);

// True when every written version is in `state` or dominated by a version in it (I2).
bool holds_every_write(const State& state, const std::vector<WrittenVersion>& written);

}  // namespace gossip
