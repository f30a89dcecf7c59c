// Version and Register: one pattern's concurrent versions.
//
// A Version is one write: a clock and a content. (Its PatternId is its register's.) Two
// versions with equal clocks are the same write; equal clocks with different content is
// corruption, rejected with kConflictingWrite and never silently resolved.
//
// A Register holds the versions that no other known version dominates: the siblings.
// Invariants (check_invariants(), asserted after every mutation):
//   (1) 1 <= siblings <= limits::kSiblingsMax (a register that exists holds a version);
//   (2) siblings are pairwise concurrent: an antichain under clock order (I3);
//   (3) siblings are sorted by VectorClock::canonical_less, so equal registers are equal
//       sequences and encode and hash identically (I5);
//   (4) every content is valid (content.h).
// Join is the set of maximal elements of the union: commutative, associative, idempotent
// and inflationary (I4). Mutations are all-or-nothing: on error the register is unchanged.
#pragma once

#include <vector>

#include "reference/content.h"
#include "reference/status.h"
#include "reference/vector_clock.h"

namespace gossip {

struct Version {
  VectorClock clock;
  Content content;
  bool operator==(const Version&) const = default;
};

class Register {
 public:
  // A register holding one version. REQUIRES: !version.clock.empty(), valid content.
  explicit Register(Version version);

  // Builds a register from any set of versions: keeps the maximal ones. Errors:
  // kConflictingWrite (equal clocks, different content), kOverLimit (too many siblings),
  // kInvalid (no versions, an empty clock or invalid content).
  static Result<Register> from_versions(std::vector<Version> versions);

  // Merges one version in: dropped if dominated by (or equal to) a sibling, otherwise it
  // replaces the siblings it dominates. *changed tells whether the register changed.
  // Errors: kConflictingWrite, kOverLimit (siblings), kInvalid (empty clock, bad content).
  Status merge(const Version& version, bool* changed);
  // Merges every sibling of other in (the lattice join). All-or-nothing.
  Status join(const Register& other, bool* changed);

  const std::vector<Version>& siblings() const { return siblings_; }
  // v is one of the siblings, or a sibling's clock dominates v's: merging v changes nothing,
  // and a state that covers every version it once held has lost none of them (I2).
  bool covers(const Version& v) const;
  // The join of every sibling's clock: what a refine at this register has seen.
  VectorClock joined_clock() const;
  bool check_invariants() const;

  bool operator==(const Register&) const = default;

 private:
  struct Validated {};  // the caller has validated the version's content
  Register() = default;
  Register(Version version, Validated);
  // merge() for a version whose content is known to be valid.
  Status merge_valid(const Version& version, bool* changed);
  std::vector<Version> siblings_;
};

}  // namespace gossip
