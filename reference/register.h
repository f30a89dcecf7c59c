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

  // Builds a register from any set of versions, in any order: keeps the maximal ones.
  // Errors: kConflictingWrite (equal clocks, different content), kOverLimit (more than
  // kSiblingsMax maximal versions, or a clock of more than kClockEntriesMax entries),
  // kInvalid (no versions, an empty clock or invalid content).
  static Result<Register> from_versions(std::vector<Version> versions);

  // Merges one version in: dropped if dominated by (or equal to) a sibling, otherwise it
  // replaces the siblings it dominates. *changed tells whether the register changed.
  // Errors as from_versions.
  Status merge(const Version& version, bool* changed);
  // The lattice join: the maximal versions of the union of both registers' siblings. The
  // limits bound the result (never an intermediate step), so a join is refused in both
  // orders or in neither. Equal clocks with different content are checked first
  // (kConflictingWrite), then the sibling limit (kOverLimit). All-or-nothing.
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
  Register() = default;
  // An empty clock (kInvalid), a clock over the entry limit (kOverLimit), invalid content.
  static Status validate_version(const Version& v);
  // The maximal versions of `versions` in canonical order, or the reason there are none
  // within the limits. REQUIRES: !versions.empty(), every version valid.
  static Result<std::vector<Version>> maximal(std::vector<Version> versions);
  // this := the maximal versions of siblings ∪ versions. REQUIRES: every version valid.
  Status join_valid(const std::vector<Version>& versions, bool* changed);
  std::vector<Version> siblings_;
};

}  // namespace gossip
