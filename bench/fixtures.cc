#include "bench/fixtures.h"

#include <map>

#include "reference/rng.h"
#include "reference/workload.h"

namespace gossip::bench {

const Population& population(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<Population>> cache;
  auto& slot = cache[n];
  if (!slot) {
    slot = std::make_unique<Population>();
    Rng rng(n);
    std::vector<std::pair<PatternId, Register>> regs;
    regs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      VectorClock c;
      c.set(ReplicaId::of(1, 0), 1);
      const PatternId id = random_pattern_id(rng);
      slot->ids.push_back(id);
      regs.emplace_back(id, Register(Version{c, random_content(rng)}));
    }
    slot->state = State::from_registers(kClusterSeed, std::move(regs));
  }
  return *slot;
}

std::vector<PatternId> sample_ids(const Population& pop, std::size_t count, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<PatternId> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(pop.ids[rng.below(pop.ids.size())]);
  return out;
}

std::vector<std::shared_ptr<const Register>> fresh_registers(std::size_t count,
                                                             std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::shared_ptr<const Register>> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    VectorClock c;
    c.set(ReplicaId::of(2, 0), i + 1);
    out.push_back(std::make_shared<const Register>(Version{c, random_content(rng)}));
  }
  return out;
}

}  // namespace gossip::bench
