// State: PatternId -> Register, the join-semilattice replicas gossip.
//
// A State is a MerkleTree (persistent map with digests) under one cluster seed. Every
// change goes through the lattice: a version or register is *joined* into the pattern's
// register, so nothing a replica holds is ever lost or replaced by something it does not
// dominate (I2, I3). Join of states is pointwise.
//
// Corruption (equal clocks, different content) and registers that would exceed a limit are
// rejected per pattern: that pattern keeps its local register, the rejection is reported in
// the MergeReport and counted in rejected_total(); the other patterns still merge.
//
// Copying a State is an O(1) snapshot (structural sharing): later changes to either copy
// never show in the other (I6).
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "reference/merkle_tree.h"
#include "reference/register.h"
#include "reference/status.h"

namespace gossip {

struct MergeReport {
  std::uint64_t patterns_changed = 0;
  std::vector<std::pair<PatternId, Status>> rejected;  // ascending PatternId
};

class State {
 public:
  explicit State(std::uint64_t cluster_seed) : tree_(cluster_seed) {}
  // From registers, built from scratch. REQUIRES: ids unique.
  static State from_registers(std::uint64_t cluster_seed,
                              std::vector<std::pair<PatternId, Register>> registers);

  const Register* find(const PatternId& id) const;
  std::uint64_t size() const { return tree_.size(); }
  Digest root() const { return tree_.root(); }
  std::uint64_t cluster_seed() const { return tree_.cluster_seed(); }
  const MerkleTree& tree() const { return tree_; }

  // Joins one version / register into id's register, creating it if absent. All-or-nothing.
  Status merge_version(const PatternId& id, const Version& version, bool* changed);
  Status join_register(const PatternId& id, const Register& reg, bool* changed);
  // this := this join other, pattern by pattern. Visits only subtrees whose digests differ.
  // REQUIRES: other.cluster_seed() == cluster_seed().
  MergeReport join(const State& other);

  // Every (id, register) in ascending PatternId order.
  void for_each(const std::function<void(const PatternId&, const Register&)>& visit) const;
  std::vector<PatternId> ids() const;

  // Registers rejected by any join on this State (join, join_register, merge_version), and
  // by the States it was copied from.
  std::uint64_t rejected_total() const { return rejected_total_; }

  // Same seed and the same register for every id (exact, not by digest).
  bool operator==(const State& other) const;

 private:
  // Applies `apply` to a copy of `local` and stores it when it changed; counts a rejection.
  Status update(const PatternId& id, const Register& local,
                const std::function<Status(Register&, bool*)>& apply, bool* changed);
  MerkleTree tree_;
  std::uint64_t rejected_total_ = 0;
};

}  // namespace gossip
