#include "reference/merkle_tree.h"

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cstring>

#include "reference/assert.h"
#include "reference/encoding.h"

namespace gossip {

// A node is immutable while more than one tree (or snapshot) holds it. A node held by one
// tree alone (use_count() == 1) can be seen by nobody else, so put() updates it in place
// instead of copying it: snapshots still never change, and an update without snapshots in
// between allocates nothing on its path (the copy-on-write rule of Arc::make_mut).
//
// Leaves and inner nodes have their own layouts. An inner node keeps its children's digests
// inline, so hashing it reads one contiguous array instead of 16 scattered children.
struct MerkleTree::Node {
  Digest digest;
  std::uint64_t count = 0;
  bool leaf = false;
};

namespace {

using NodePtr = std::shared_ptr<MerkleTree::Node>;
using Entry = MerkleTree::Entry;
using Node = MerkleTree::Node;

// Up to kLeafInline entries live inline in the node (one allocation, one cache miss fewer on
// a lookup); fuller leaves spill to the heap. Leaves are often small (at 10^6 patterns most
// hold 1 or 2 entries), so inlining all kLeafCapacity would waste memory: measured peak RSS of
// `update_instructions 1000000` was 1.47 GB with 8 inline, 1.16 GB with 4, at equal speed.
constexpr std::size_t kLeafInline = 4;
using LeafEntries = boost::container::small_vector<Entry, kLeafInline>;

struct Leaf : Node {
  LeafEntries entries;  // sorted by entry_less
};

struct Inner : Node {
  std::array<NodePtr, MerkleTree::kFanout> children;
  std::array<Digest, MerkleTree::kFanout> child_digests{};  // zero for an empty child
};

const Leaf& as_leaf(const Node& n) {
  GOSSIP_ASSERT(n.leaf);
  return static_cast<const Leaf&>(n);
}
const Inner& as_inner(const Node& n) {
  GOSSIP_ASSERT(!n.leaf);
  return static_cast<const Inner&>(n);
}

std::size_t nibble(const Digest& key, std::size_t depth) {
  const std::uint8_t byte = key.bytes[depth / 2];
  return (depth % 2 == 0) ? (byte >> 4) : (byte & 0xF);
}

bool entry_less(const Entry& a, const Entry& b) {
  if (a.key != b.key) return a.key < b.key;
  return a.id < b.id;
}

Digest leaf_digest(std::uint64_t seed, const LeafEntries& entries) {
  std::array<std::uint8_t, 1 + 16 * MerkleTree::kLeafCapacity> small{};
  std::vector<std::uint8_t> large;  // only at kDepthMax, where a leaf may overflow
  std::uint8_t* out = small.data();
  const std::size_t n = 1 + 16 * entries.size();
  if (n > small.size()) {
    large.resize(n);
    out = large.data();
  }
  out[0] = 'L';
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::copy(entries[i].digest.bytes.begin(), entries[i].digest.bytes.end(), out + 1 + 16 * i);
  }
  return hash128(seed, ByteView(out, n));
}

Digest inner_digest(std::uint64_t seed, const std::array<Digest, MerkleTree::kFanout>& children) {
  static_assert(sizeof(children) == 16 * MerkleTree::kFanout, "digests are packed");
  std::array<std::uint8_t, 1 + 16 * MerkleTree::kFanout> buf;
  buf[0] = 'I';
  std::memcpy(buf.data() + 1, children.data(), sizeof(children));
  return hash128(seed, buf);
}

void rehash_leaf(std::uint64_t seed, Leaf& leaf) {
  leaf.count = leaf.entries.size();
  leaf.digest = leaf_digest(seed, leaf.entries);
}

void rehash_inner(std::uint64_t seed, Inner& inner) {
  inner.count = 0;
  for (std::size_t i = 0; i < MerkleTree::kFanout; ++i) {
    const NodePtr& child = inner.children[i];
    inner.child_digests[i] = child ? child->digest : Digest{};
    if (child) inner.count += child->count;
  }
  GOSSIP_ASSERT(inner.count > MerkleTree::kLeafCapacity);
  inner.digest = inner_digest(seed, inner.child_digests);
}

template <typename Range>
NodePtr make_leaf(std::uint64_t seed, Range&& entries) {
  auto leaf = std::make_shared<Leaf>();
  leaf->leaf = true;
  leaf->entries.assign(std::make_move_iterator(entries.begin()),
                       std::make_move_iterator(entries.end()));
  rehash_leaf(seed, *leaf);
  return leaf;
}

// The canonical subtree of `entries` at `depth`. REQUIRES: sorted by entry_less, non-empty.
template <typename Range>
NodePtr build_subtree(std::uint64_t seed, Range&& entries, std::size_t depth) {
  GOSSIP_ASSERT(!entries.empty());
  if (entries.size() <= MerkleTree::kLeafCapacity || depth == MerkleTree::kDepthMax) {
    return make_leaf(seed, entries);
  }
  std::array<std::vector<Entry>, MerkleTree::kFanout> parts;
  for (Entry& e : entries) parts[nibble(e.key, depth)].push_back(std::move(e));
  auto inner = std::make_shared<Inner>();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].empty()) inner->children[i] = build_subtree(seed, parts[i], depth + 1);
  }
  rehash_inner(seed, *inner);
  return inner;
}

// The node in `slot`, copied first if anyone else holds it.
template <typename T>
T& own(NodePtr& slot) {
  if (slot.use_count() != 1) slot = std::make_shared<T>(static_cast<const T&>(*slot));
  return static_cast<T&>(*slot);
}

// Inserts or replaces `entry` in the subtree at `slot`; returns true when it was added.
bool put_rec(std::uint64_t seed, NodePtr& slot, Entry&& entry, std::size_t depth) {
  if (!slot) {
    std::array<Entry, 1> one{std::move(entry)};
    slot = make_leaf(seed, one);
    return true;
  }
  if (slot->leaf) {
    Leaf& leaf = own<Leaf>(slot);
    auto it = std::lower_bound(leaf.entries.begin(), leaf.entries.end(), entry, entry_less);
    const bool added = (it == leaf.entries.end() || it->id != entry.id);
    if (added) {
      leaf.entries.insert(it, std::move(entry));
    } else {
      *it = std::move(entry);
    }
    if (leaf.entries.size() > MerkleTree::kLeafCapacity && depth < MerkleTree::kDepthMax) {
      slot = build_subtree(seed, leaf.entries, depth);  // split: moves the entries out
    } else {
      rehash_leaf(seed, leaf);
    }
    return added;
  }
  Inner& inner = own<Inner>(slot);
  const std::size_t i = nibble(entry.key, depth);
  const bool added = put_rec(seed, inner.children[i], std::move(entry), depth + 1);
  if (added) ++inner.count;
  inner.child_digests[i] = inner.children[i]->digest;
  inner.digest = inner_digest(seed, inner.child_digests);
  return added;
}

void for_each_rec(const Node* node, const std::function<void(const Entry&)>& visit) {
  if (!node) return;
  if (node->leaf) {
    for (const Entry& e : as_leaf(*node).entries) visit(e);
    return;
  }
  for (const NodePtr& child : as_inner(*node).children) for_each_rec(child.get(), visit);
}

// for_each_rec until `visit` answers false; false when it did.
bool for_each_while_rec(const Node* node, const std::function<bool(const Entry&)>& visit) {
  if (!node) return true;
  if (node->leaf) {
    for (const Entry& e : as_leaf(*node).entries) {
      if (!visit(e)) return false;
    }
    return true;
  }
  for (const NodePtr& child : as_inner(*node).children) {
    if (!for_each_while_rec(child.get(), visit)) return false;
  }
  return true;
}

void diff_rec(const Node* mine, const Node* base, const std::function<void(const Entry&)>& visit) {
  if (!mine) return;
  if (base && base->digest == mine->digest) return;
  if (!mine->leaf && base && !base->leaf) {
    const Inner& m = as_inner(*mine);
    const Inner& b = as_inner(*base);
    for (std::size_t i = 0; i < MerkleTree::kFanout; ++i) {
      diff_rec(m.children[i].get(), b.children[i].get(), visit);
    }
    return;
  }
  for_each_rec(mine, visit);
}

std::size_t depth_rec(const Node* node) {
  if (!node || node->leaf) return 0;
  std::size_t d = 0;
  for (const NodePtr& child : as_inner(*node).children) {
    if (child) d = std::max(d, 1 + depth_rec(child.get()));
  }
  return d;
}

// Node-for-node equality of shape and digests (the ids of leaf entries included).
bool same_tree(const Node* a, const Node* b) {
  if (!a || !b) return a == b;
  if (a->digest != b->digest || a->leaf != b->leaf || a->count != b->count) return false;
  if (a->leaf) {
    const auto& ea = as_leaf(*a).entries;
    const auto& eb = as_leaf(*b).entries;
    if (ea.size() != eb.size()) return false;
    for (std::size_t i = 0; i < ea.size(); ++i) {
      if (ea[i].id != eb[i].id || ea[i].digest != eb[i].digest) return false;
    }
    return true;
  }
  const Inner& ia = as_inner(*a);
  const Inner& ib = as_inner(*b);
  for (std::size_t i = 0; i < MerkleTree::kFanout; ++i) {
    if (ia.child_digests[i] != ib.child_digests[i]) return false;
    if (!same_tree(ia.children[i].get(), ib.children[i].get())) return false;
  }
  return true;
}

}  // namespace

MerkleTree::MerkleTree(std::uint64_t cluster_seed) : seed_(cluster_seed) {}

Digest MerkleTree::placement_key(const PatternId& id) const {
  std::array<std::uint8_t, 17> buf{};
  buf[0] = 'P';
  std::copy(id.bytes.begin(), id.bytes.end(), buf.begin() + 1);
  return hash128(seed_, buf);
}

Digest MerkleTree::entry_digest(const PatternId& id, const Register& reg) const {
  thread_local Writer w;
  w.clear();
  w.u8('E');
  encode_pattern_id(w, id);
  encode_register(w, reg);
  return hash128(seed_, w.bytes());
}

MerkleTree MerkleTree::build(
    std::uint64_t cluster_seed,
    std::vector<std::pair<PatternId, std::shared_ptr<const Register>>> items) {
  MerkleTree tree(cluster_seed);
  if (items.empty()) return tree;
  std::vector<Entry> entries;
  entries.reserve(items.size());
  for (auto& [id, reg] : items) {
    GOSSIP_ASSERT(reg != nullptr);
    Entry e{id, tree.placement_key(id), tree.entry_digest(id, *reg), std::move(reg)};
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), entry_less);
  for (std::size_t i = 1; i < entries.size(); ++i) {
    GOSSIP_ASSERT_MSG(entries[i - 1].id != entries[i].id, "duplicate pattern id");
  }
  tree.root_ = build_subtree(cluster_seed, entries, 0);
  return tree;
}

const MerkleTree::Entry* MerkleTree::find_by_key(const PatternId& id, const Digest& key) const {
  const Node* node = root_.get();
  for (std::size_t depth = 0; node && !node->leaf; ++depth) {
    node = as_inner(*node).children[nibble(key, depth)].get();
  }
  if (!node) return nullptr;
  for (const Entry& e : as_leaf(*node).entries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

void MerkleTree::put(const PatternId& id, std::shared_ptr<const Register> reg) {
  GOSSIP_ASSERT(reg != nullptr);
  Entry e{id, placement_key(id), entry_digest(id, *reg), std::move(reg)};
  const Entry* existing = find_by_key(id, e.key);
  if (existing && existing->digest == e.digest) return;  // nothing changes: no copy, no hash
  put_rec(seed_, root_, std::move(e), 0);
}

const MerkleTree::Entry* MerkleTree::find(const PatternId& id) const {
  return find_by_key(id, placement_key(id));
}

Digest MerkleTree::root() const { return root_ ? root_->digest : Digest{}; }

std::uint64_t MerkleTree::size() const { return root_ ? root_->count : 0; }

MerkleTree::NodeView MerkleTree::node_at(std::span<const std::uint8_t> path) const {
  const Node* node = root_.get();
  for (std::uint8_t step : path) {
    GOSSIP_ASSERT(step < kFanout);
    if (!node || node->leaf) return NodeView{};
    node = as_inner(*node).children[step].get();
  }
  NodeView view;
  if (!node) return view;
  view.exists = true;
  view.leaf = node->leaf;
  view.digest = node->digest;
  view.count = node->count;
  if (node->leaf) {
    const LeafEntries& entries = as_leaf(*node).entries;
    view.entries = std::span<const Entry>(entries.data(), entries.size());
  } else {
    view.children = as_inner(*node).child_digests;
  }
  return view;
}

void MerkleTree::for_each(const std::function<void(const Entry&)>& visit) const {
  for_each_rec(root_.get(), visit);
}

void MerkleTree::for_each_under(std::span<const std::uint8_t> path,
                                const std::function<bool(const Entry&)>& visit) const {
  const Node* node = root_.get();
  for (std::size_t depth = 0; depth < path.size(); ++depth) {
    GOSSIP_ASSERT(path[depth] < kFanout);
    if (!node) return;
    if (node->leaf) {  // a leaf above the path: keep the entries whose key follows the path
      for (const Entry& e : as_leaf(*node).entries) {
        bool under = true;
        for (std::size_t d = depth; d < path.size() && under; ++d) under = nibble(e.key, d) == path[d];
        if (under && !visit(e)) return;
      }
      return;
    }
    node = as_inner(*node).children[path[depth]].get();
  }
  for_each_while_rec(node, visit);
}

void MerkleTree::diff(const MerkleTree& base,
                      const std::function<void(const Entry&)>& visit) const {
  GOSSIP_ASSERT(base.seed_ == seed_);
  diff_rec(root_.get(), base.root_.get(), visit);
}

std::size_t MerkleTree::depth() const { return depth_rec(root_.get()); }

bool MerkleTree::verify() const {
  std::vector<std::pair<PatternId, std::shared_ptr<const Register>>> items;
  bool entries_ok = true;
  for_each([&](const Entry& e) {
    if (e.key != placement_key(e.id) || e.digest != entry_digest(e.id, *e.reg)) entries_ok = false;
    items.emplace_back(e.id, e.reg);
  });
  if (!entries_ok) return false;
  // The from-scratch tree must match node for node: a stale digest anywhere, or a shape
  // that is not the canonical one, shows up as a difference.
  const MerkleTree fresh = build(seed_, std::move(items));  // asserts ids are unique
  return same_tree(root_.get(), fresh.root_.get());
}

}  // namespace gossip
