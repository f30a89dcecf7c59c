#include "reference/merkle_tree.h"

#include <algorithm>

#include "reference/assert.h"
#include "reference/encoding.h"

namespace gossip {

struct MerkleTree::Node {
  Digest digest;
  std::uint64_t count = 0;
  bool leaf = false;
  std::vector<Entry> entries;                                // leaf only
  std::array<std::shared_ptr<const Node>, kFanout> children;  // inner only
};

namespace {

using NodePtr = std::shared_ptr<const MerkleTree::Node>;
using Entry = MerkleTree::Entry;

std::size_t nibble(const Digest& key, std::size_t depth) {
  const std::uint8_t byte = key.bytes[depth / 2];
  return (depth % 2 == 0) ? (byte >> 4) : (byte & 0xF);
}

bool entry_less(const Entry& a, const Entry& b) {
  if (a.key != b.key) return a.key < b.key;
  return a.id < b.id;
}

Digest leaf_digest(std::uint64_t seed, const std::vector<Entry>& entries) {
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

Digest inner_digest(std::uint64_t seed, const std::array<NodePtr, MerkleTree::kFanout>& children) {
  std::array<std::uint8_t, 1 + 16 * MerkleTree::kFanout> buf{};
  buf[0] = 'I';
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (children[i]) {
      std::copy(children[i]->digest.bytes.begin(), children[i]->digest.bytes.end(),
                buf.begin() + 1 + static_cast<std::ptrdiff_t>(16 * i));
    }
  }
  return hash128(seed, buf);
}

NodePtr make_leaf(std::uint64_t seed, std::vector<Entry> entries) {
  auto node = std::make_shared<MerkleTree::Node>();
  node->leaf = true;
  node->count = entries.size();
  node->digest = leaf_digest(seed, entries);
  node->entries = std::move(entries);
  return node;
}

NodePtr make_inner(std::uint64_t seed, std::array<NodePtr, MerkleTree::kFanout> children) {
  auto node = std::make_shared<MerkleTree::Node>();
  for (const NodePtr& child : children) {
    if (child) node->count += child->count;
  }
  GOSSIP_ASSERT(node->count > MerkleTree::kLeafCapacity);
  node->digest = inner_digest(seed, children);
  node->children = std::move(children);
  return node;
}

// The canonical subtree of `entries` at `depth`. REQUIRES: sorted by entry_less, non-empty.
NodePtr build_subtree(std::uint64_t seed, std::vector<Entry> entries, std::size_t depth) {
  GOSSIP_ASSERT(!entries.empty());
  if (entries.size() <= MerkleTree::kLeafCapacity || depth == MerkleTree::kDepthMax) {
    return make_leaf(seed, std::move(entries));
  }
  std::array<std::vector<Entry>, MerkleTree::kFanout> parts;
  for (Entry& e : entries) parts[nibble(e.key, depth)].push_back(std::move(e));
  std::array<NodePtr, MerkleTree::kFanout> children;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].empty()) children[i] = build_subtree(seed, std::move(parts[i]), depth + 1);
  }
  return make_inner(seed, std::move(children));
}

NodePtr put_rec(std::uint64_t seed, const NodePtr& node, Entry&& entry, std::size_t depth) {
  if (!node) return make_leaf(seed, {std::move(entry)});
  if (node->leaf) {
    std::vector<Entry> entries;
    entries.reserve(node->entries.size() + 1);
    entries = node->entries;
    auto it = std::lower_bound(entries.begin(), entries.end(), entry, entry_less);
    if (it != entries.end() && it->id == entry.id) {
      *it = std::move(entry);
    } else {
      entries.insert(it, std::move(entry));
    }
    return build_subtree(seed, std::move(entries), depth);
  }
  std::array<NodePtr, MerkleTree::kFanout> children = node->children;
  const std::size_t i = nibble(entry.key, depth);
  children[i] = put_rec(seed, children[i], std::move(entry), depth + 1);
  return make_inner(seed, std::move(children));
}

void for_each_rec(const MerkleTree::Node* node, const std::function<void(const Entry&)>& visit) {
  if (!node) return;
  if (node->leaf) {
    for (const Entry& e : node->entries) visit(e);
    return;
  }
  for (const NodePtr& child : node->children) for_each_rec(child.get(), visit);
}

void diff_rec(const MerkleTree::Node* mine, const MerkleTree::Node* base,
              const std::function<void(const Entry&)>& visit) {
  if (!mine) return;
  if (base && base->digest == mine->digest) return;
  if (!mine->leaf && base && !base->leaf) {
    for (std::size_t i = 0; i < MerkleTree::kFanout; ++i) {
      diff_rec(mine->children[i].get(), base->children[i].get(), visit);
    }
    return;
  }
  for_each_rec(mine, visit);
}

std::size_t depth_rec(const MerkleTree::Node* node) {
  if (!node || node->leaf) return 0;
  std::size_t d = 0;
  for (const NodePtr& child : node->children) {
    if (child) d = std::max(d, 1 + depth_rec(child.get()));
  }
  return d;
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
  tree.root_ = build_subtree(cluster_seed, std::move(entries), 0);
  return tree;
}

void MerkleTree::put(const PatternId& id, std::shared_ptr<const Register> reg) {
  GOSSIP_ASSERT(reg != nullptr);
  Entry e{id, placement_key(id), entry_digest(id, *reg), std::move(reg)};
  if (const Entry* existing = find(id); existing && existing->digest == e.digest) return;
  root_ = put_rec(seed_, root_, std::move(e), 0);
}

const MerkleTree::Entry* MerkleTree::find(const PatternId& id) const {
  const Digest key = placement_key(id);
  const Node* node = root_.get();
  for (std::size_t depth = 0; node && !node->leaf; ++depth) {
    node = node->children[nibble(key, depth)].get();
  }
  if (!node) return nullptr;
  for (const Entry& e : node->entries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

Digest MerkleTree::root() const { return root_ ? root_->digest : Digest{}; }

std::uint64_t MerkleTree::size() const { return root_ ? root_->count : 0; }

MerkleTree::NodeView MerkleTree::node_at(std::span<const std::uint8_t> path) const {
  const Node* node = root_.get();
  for (std::uint8_t step : path) {
    GOSSIP_ASSERT(step < kFanout);
    if (!node || node->leaf) return NodeView{};
    node = node->children[step].get();
  }
  NodeView view;
  if (!node) return view;
  view.exists = true;
  view.leaf = node->leaf;
  view.digest = node->digest;
  view.count = node->count;
  if (node->leaf) {
    view.entries = node->entries;
  } else {
    for (std::size_t i = 0; i < kFanout; ++i) {
      if (node->children[i]) view.children[i] = node->children[i]->digest;
    }
  }
  return view;
}

void MerkleTree::for_each(const std::function<void(const Entry&)>& visit) const {
  for_each_rec(root_.get(), visit);
}

void MerkleTree::diff(const MerkleTree& base, const std::function<void(const Entry&)>& visit) const {
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
  // The from-scratch tree must match node for node; comparing every digest top-down finds a
  // stale digest anywhere, and the shape check below a non-canonical shape.
  const MerkleTree fresh = build(seed_, std::move(items));  // asserts ids are unique
  std::function<bool(const Node*, const Node*)> same = [&](const Node* a, const Node* b) {
    if (!a || !b) return a == b;
    if (a->digest != b->digest || a->leaf != b->leaf || a->count != b->count) return false;
    if (a->leaf) {
      if (a->entries.size() != b->entries.size()) return false;
      for (std::size_t i = 0; i < a->entries.size(); ++i) {
        if (a->entries[i].id != b->entries[i].id) return false;
      }
      return true;
    }
    for (std::size_t i = 0; i < kFanout; ++i) {
      if (!same(a->children[i].get(), b->children[i].get())) return false;
    }
    return true;
  };
  return same(root_.get(), fresh.root_.get());
}

}  // namespace gossip
