#include "reference/merkle_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "reference/rng.h"
#include "reference/workload.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using Items = std::vector<std::pair<PatternId, std::shared_ptr<const Register>>>;

std::shared_ptr<const Register> reg_of(Rng& rng, std::uint32_t writer = 1) {
  VectorClock c;
  c.set(testing::rid(writer), rng.between(1, 1000));
  return std::make_shared<const Register>(Version{c, random_content(rng)});
}

// A random history of puts: new ids and overwrites, sized to cross many leaf splits.
Items random_puts(Rng& rng, std::size_t n) {
  Items puts;
  std::vector<PatternId> ids;
  for (std::size_t i = 0; i < n; ++i) {
    if (ids.empty() || rng.chance(2, 3)) {
      ids.push_back(random_pattern_id(rng));
      puts.emplace_back(ids.back(), reg_of(rng));
    } else {
      puts.emplace_back(ids[rng.below(ids.size())], reg_of(rng));
    }
  }
  return puts;
}

Items final_items(const Items& puts) {
  std::map<PatternId, std::shared_ptr<const Register>> last;
  for (const auto& [id, reg] : puts) last[id] = reg;
  return Items(last.begin(), last.end());
}

TEST(MerkleTree, EmptyTreeHasZeroRoot) {
  MerkleTree t(testing::kSeed);
  EXPECT_TRUE(t.root().is_zero());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(t.verify());
  EXPECT_FALSE(t.node_at({}).exists);
}

TEST(MerkleTree, IncrementalRootEqualsFromScratchOverRandomHistories) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Rng rng(seed);
    const Items puts = random_puts(rng, rng.between(1, 600));
    MerkleTree incremental(testing::kSeed);
    for (const auto& [id, reg] : puts) incremental.put(id, reg);
    const MerkleTree scratch = MerkleTree::build(testing::kSeed, final_items(puts));
    ASSERT_EQ(incremental.root(), scratch.root()) << "seed " << seed;
    ASSERT_EQ(incremental.size(), scratch.size()) << "seed " << seed;
    ASSERT_TRUE(incremental.verify()) << "seed " << seed;
  }
}

TEST(MerkleTree, InsertionOrderDoesNotChangeRootOrShape) {
  Rng rng(11);
  Items items = final_items(random_puts(rng, 3000));
  MerkleTree a(testing::kSeed);
  for (const auto& [id, reg] : items) a.put(id, reg);
  std::reverse(items.begin(), items.end());
  MerkleTree b(testing::kSeed);
  for (const auto& [id, reg] : items) b.put(id, reg);
  EXPECT_EQ(a.root(), b.root());
  EXPECT_EQ(a.depth(), b.depth());
  // Same shape: every node along some paths has the same view.
  for (std::uint8_t i = 0; i < MerkleTree::kFanout; ++i) {
    const std::uint8_t path[] = {i};
    EXPECT_EQ(a.node_at(path).digest, b.node_at(path).digest);
    EXPECT_EQ(a.node_at(path).leaf, b.node_at(path).leaf);
  }
}

TEST(MerkleTree, ASnapshotKeepsItsRootAfterLaterUpdates) {
  Rng rng(5);
  MerkleTree t(testing::kSeed);
  for (const auto& [id, reg] : random_puts(rng, 500)) t.put(id, reg);
  const MerkleTree snapshot = t;
  const Digest root_before = snapshot.root();
  const std::uint64_t size_before = snapshot.size();
  for (const auto& [id, reg] : random_puts(rng, 500)) t.put(id, reg);
  EXPECT_NE(t.root(), root_before);
  EXPECT_EQ(snapshot.root(), root_before);
  EXPECT_EQ(snapshot.size(), size_before);
  EXPECT_TRUE(snapshot.verify());
  EXPECT_TRUE(t.verify());
}

// Nodes held by one tree alone are updated in place: a snapshot taken at any point must
// still never change, whichever tree (original or snapshot) is updated afterwards.
TEST(MerkleTree, SnapshotsTakenThroughoutAHistoryNeverChange) {
  Rng rng(12);
  MerkleTree t(testing::kSeed);
  std::vector<std::pair<MerkleTree, Digest>> snapshots;
  const Items puts = random_puts(rng, 3000);
  for (std::size_t i = 0; i < puts.size(); ++i) {
    t.put(puts[i].first, puts[i].second);
    if (i % 97 == 0) snapshots.emplace_back(t, t.root());
    if (i % 389 == 0 && !snapshots.empty()) {
      // Update a snapshot too: it must not disturb the original or the other snapshots.
      MerkleTree fork = snapshots[rng.below(snapshots.size())].first;
      fork.put(random_pattern_id(rng), reg_of(rng));
      ASSERT_TRUE(fork.verify());
    }
  }
  for (const auto& [snapshot, root] : snapshots) {
    ASSERT_EQ(snapshot.root(), root);
    ASSERT_TRUE(snapshot.verify());
  }
  EXPECT_TRUE(t.verify());
}

TEST(MerkleTree, PutOfAnEqualRegisterChangesNothing) {
  Rng rng(2);
  MerkleTree t(testing::kSeed);
  const PatternId id = random_pattern_id(rng);
  auto reg = reg_of(rng);
  t.put(id, reg);
  const Digest root = t.root();
  t.put(id, std::make_shared<const Register>(*reg));
  EXPECT_EQ(t.root(), root);
}

TEST(MerkleTree, FindReturnsWhatWasPut) {
  Rng rng(3);
  const Items items = final_items(random_puts(rng, 2000));
  MerkleTree t(testing::kSeed);
  for (const auto& [id, reg] : items) t.put(id, reg);
  for (const auto& [id, reg] : items) {
    const MerkleTree::Entry* e = t.find(id);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(*e->reg, *reg);
  }
  EXPECT_EQ(t.find(random_pattern_id(rng)), nullptr);
}

TEST(MerkleTree, DepthIsLogarithmic) {
  Rng rng(4);
  MerkleTree t(testing::kSeed);
  for (std::size_t i = 0; i < 100000; ++i) t.put(random_pattern_id(rng), reg_of(rng));
  // 100000 / 8 per leaf over a 16-way trie: about 3.4 levels; allow generous slack.
  EXPECT_LE(t.depth(), 7u);
  EXPECT_GE(t.depth(), 3u);
}

TEST(MerkleTree, NodeViewsExposeChildDigestsAndLeafEntries) {
  Rng rng(6);
  MerkleTree t(testing::kSeed);
  for (const auto& [id, reg] : final_items(random_puts(rng, 1000))) t.put(id, reg);
  const MerkleTree::NodeView root = t.node_at({});
  ASSERT_TRUE(root.exists);
  ASSERT_FALSE(root.leaf);
  EXPECT_EQ(root.digest, t.root());
  EXPECT_EQ(root.count, t.size());
  std::uint64_t total = 0;
  for (std::uint8_t i = 0; i < MerkleTree::kFanout; ++i) {
    const std::uint8_t path[] = {i};
    const MerkleTree::NodeView child = t.node_at(path);
    EXPECT_EQ(child.digest, root.children[i]);
    total += child.count;
  }
  EXPECT_EQ(total, t.size());
  // Walk down to some leaf and check its entries are where their keys say.
  std::vector<std::uint8_t> path;
  MerkleTree::NodeView view = root;
  while (!view.leaf) {
    std::uint8_t next = 0;
    while (view.children[next].is_zero()) ++next;
    path.push_back(next);
    view = t.node_at(path);
  }
  ASSERT_FALSE(view.entries.empty());
  EXPECT_LE(view.entries.size(), MerkleTree::kLeafCapacity);
  for (const MerkleTree::Entry& e : view.entries) EXPECT_EQ(t.find(e.id), &e);
}

TEST(MerkleTree, DiffVisitsEveryDifferingEntryAndFewOthers) {
  Rng rng(8);
  const Items items = final_items(random_puts(rng, 20000));
  MerkleTree base(testing::kSeed);
  for (const auto& [id, reg] : items) base.put(id, reg);
  MerkleTree changed = base;
  std::set<PatternId> differing;
  for (int i = 0; i < 10; ++i) {
    const PatternId& id = items[rng.below(items.size())].first;
    changed.put(id, reg_of(rng, 2));
    differing.insert(id);
  }
  const PatternId added = random_pattern_id(rng);
  changed.put(added, reg_of(rng));
  differing.insert(added);
  std::set<PatternId> visited;
  changed.diff(base, [&](const MerkleTree::Entry& e) { visited.insert(e.id); });
  for (const PatternId& id : differing) EXPECT_TRUE(visited.count(id)) << id.hex();
  // Only the leaves on differing paths are visited: at most a leaf's worth per change.
  EXPECT_LE(visited.size(), differing.size() * MerkleTree::kLeafCapacity);
}

TEST(MerkleTree, DifferentClusterSeedsGiveDifferentRootsAndPlacements) {
  Rng rng(9);
  const Items items = final_items(random_puts(rng, 100));
  const MerkleTree a = MerkleTree::build(1, items);
  const MerkleTree b = MerkleTree::build(2, items);
  EXPECT_NE(a.root(), b.root());
  EXPECT_NE(a.placement_key(items[0].first), b.placement_key(items[0].first));
}

}  // namespace
}  // namespace gossip
