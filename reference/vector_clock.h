// VectorClock: ReplicaId -> u64 counter, one per pattern version.
//
// Invariants (checked by check_invariants(), asserted after every mutation):
//   (1) entries are sorted by ReplicaId, strictly ascending;
//   (2) every stored counter is > 0 (an absent replica has counter 0), so a clock has one
//       representation and compares, hashes and encodes canonically;
//   (3) entries are never removed: clocks are never pruned (pruning loses concurrent writes).
// Not thread-safe for mutation; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reference/ids.h"

namespace gossip {

// Exact 128-bit sums of counters (__extension__ keeps -Wpedantic quiet about __int128).
__extension__ typedef unsigned __int128 Uint128;

enum class ClockOrder { kBefore, kAfter, kEqual, kConcurrent };

class VectorClock {
 public:
  struct Entry {
    ReplicaId replica;
    std::uint64_t counter = 0;
    auto operator<=>(const Entry&) const = default;
  };

  VectorClock() = default;
  // REQUIRES: entries satisfy invariants (1) and (2).
  explicit VectorClock(std::vector<Entry> entries);

  std::uint64_t get(ReplicaId replica) const;
  // REQUIRES: counter >= get(replica) (clocks only grow) and counter > 0.
  void set(ReplicaId replica, std::uint64_t counter);
  // Increments replica's entry. REQUIRES: get(replica) < UINT64_MAX.
  void increment(ReplicaId replica);
  // Pointwise max.
  void join(const VectorClock& other);

  // kBefore: this < other (every entry <=, one <); kAfter: the converse.
  ClockOrder compare(const VectorClock& other) const;
  bool dominates(const VectorClock& other) const { return compare(other) == ClockOrder::kAfter; }

  // The sum of all counters, exact (128 bits cannot overflow for <= 2^64 entries).
  Uint128 counter_sum() const;

  std::span<const Entry> entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool check_invariants() const;

  // Equality is equality of the mapping; the canonical order (lexicographic over the
  // sorted entries) is a total order used only to sort siblings deterministically.
  bool operator==(const VectorClock& other) const = default;
  static bool canonical_less(const VectorClock& a, const VectorClock& b);

 private:
  std::vector<Entry> entries_;
};

}  // namespace gossip
