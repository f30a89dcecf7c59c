// MerkleTree: a persistent, hashed map PatternId -> Register.
//
// Shape. A 16-way trie over placement keys: key(id) = XXH3-128(seed, "P" || id). A subtree
// holding at most kLeafCapacity entries is a leaf (entries sorted by key, then id); a larger
// one is an inner node whose child i holds the entries whose key has nibble i at that depth;
// at depth kDepthMax (all 128 key bits used) a leaf holds whatever is left. So the shape is
// a function of the key set alone, and because the keys are keyed by the cluster seed an
// outsider cannot choose ids that make a path deep.
//
// Digests (all XXH3-128 under the cluster seed; see docs/WIRE_FORMAT.md):
//   entry  = H("E" || id || encode_register(reg))      every semantic field (I7)
//   leaf   = H("L" || entry digests in leaf order)
//   inner  = H("I" || 16 child digests, zeros for an empty child)
//   empty tree: 16 zero bytes.
// The root is therefore a function of the state alone, whatever the order of the writes
// and merges that produced it (I5).
//
// Persistence. Nodes are shared between trees and never change while shared. put() copies
// the path from the root to the changed leaf where it is shared (O(depth) nodes, O(depth)
// hashes) and updates in place the nodes this tree alone holds. So copying a MerkleTree is
// an O(1) snapshot that later updates never change (I6).
//
// Invariants (verify() checks all of them from scratch):
//   (1) every stored digest equals the digest recomputed from the registers below it;
//   (2) the shape is the canonical shape of the key set (above);
//   (3) each entry's key is key(id) and ids are unique.
// Thread safety: a const MerkleTree (or a snapshot) may be read from many threads; put()
// needs exclusive access to that one MerkleTree object.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "reference/digest.h"
#include "reference/ids.h"
#include "reference/register.h"

namespace gossip {

class MerkleTree {
 public:
  static constexpr std::size_t kFanout = 16;
  static constexpr std::size_t kLeafCapacity = 8;
  static constexpr std::size_t kDepthMax = 32;  // nibbles in a 128-bit key

  struct Entry {
    PatternId id;
    Digest key;     // placement key
    Digest digest;  // entry digest
    std::shared_ptr<const Register> reg;
  };

  // What the sync protocol sees of one node.
  struct NodeView {
    bool exists = false;  // false: no node at that path (an empty subtree)
    bool leaf = false;
    Digest digest;                           // zero when !exists
    std::array<Digest, kFanout> children{};  // inner nodes: child digests, zero when empty
    std::span<const Entry> entries;          // leaves: valid until the next put() on this tree
    std::uint64_t count = 0;                 // entries in the subtree
  };

  explicit MerkleTree(std::uint64_t cluster_seed);
  // The from-scratch build: the canonical tree of these entries, hashed bottom-up.
  // REQUIRES: ids unique, registers non-null.
  static MerkleTree build(std::uint64_t cluster_seed,
                          std::vector<std::pair<PatternId, std::shared_ptr<const Register>>> items);

  // Inserts or replaces id's register. O(depth) hashes, and node copies where shared.
  // Invalidates Entry pointers and NodeViews obtained from this tree (not from snapshots).
  void put(const PatternId& id, std::shared_ptr<const Register> reg);
  const Entry* find(const PatternId& id) const;

  Digest root() const;
  std::uint64_t size() const;
  std::uint64_t cluster_seed() const { return seed_; }
  Digest placement_key(const PatternId& id) const;
  // The entry digest of (id, reg) under this tree's seed.
  Digest entry_digest(const PatternId& id, const Register& reg) const;

  // The node reached by following `path` (child indexes, each < kFanout) from the root.
  NodeView node_at(std::span<const std::uint8_t> path) const;
  // Every entry, in tree order (by placement key).
  void for_each(const std::function<void(const Entry&)>& visit) const;
  // Every entry whose placement key starts with `path` (nibbles), in tree order: the entries
  // of the node at `path`, or those of a leaf above it that fall under it. Stops at the
  // first entry for which `visit` returns false (a caller bounds its work that way).
  void for_each_under(std::span<const std::uint8_t> path,
                      const std::function<bool(const Entry&)>& visit) const;
  // Every entry of this tree that lies in a subtree whose digest differs from the subtree at
  // the same path in `base`: a superset of the entries that differ, found in O(d * depth).
  // REQUIRES: base.cluster_seed() == cluster_seed().
  void diff(const MerkleTree& base, const std::function<void(const Entry&)>& visit) const;
  // Longest path from the root to a leaf (0 for an empty tree or a lone leaf).
  std::size_t depth() const;
  // Recomputes every digest from the registers and checks invariants (1) to (3).
  bool verify() const;

  struct Node;  // defined in merkle_tree.cc

 private:
  const Entry* find_by_key(const PatternId& id, const Digest& key) const;
  std::uint64_t seed_;
  std::shared_ptr<Node> root_;
};

}  // namespace gossip
