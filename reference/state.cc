#include "reference/state.h"

#include <algorithm>
#include <memory>

namespace gossip {

State State::from_registers(std::uint64_t cluster_seed,
                            std::vector<std::pair<PatternId, Register>> registers) {
  std::vector<std::pair<PatternId, std::shared_ptr<const Register>>> items;
  items.reserve(registers.size());
  for (auto& [id, reg] : registers) {
    items.emplace_back(id, std::make_shared<const Register>(std::move(reg)));
  }
  State state(cluster_seed);
  state.tree_ = MerkleTree::build(cluster_seed, std::move(items));
  return state;
}

const Register* State::find(const PatternId& id) const {
  const MerkleTree::Entry* e = tree_.find(id);
  return e ? e->reg.get() : nullptr;
}

Status State::update(const PatternId& id, const Register& local,
                     const std::function<Status(Register&, bool*)>& apply, bool* changed) {
  Register next = local;
  Status s = apply(next, changed);
  if (!s.is_ok()) {
    ++rejected_total_;  // every rejected join or merge is counted here, whatever its path
    *changed = false;
    return s;
  }
  if (*changed) tree_.put(id, std::make_shared<const Register>(std::move(next)));
  return Status::ok();
}

Status State::merge_version(const PatternId& id, const Version& version, bool* changed) {
  *changed = false;
  const Register* local = find(id);
  if (local) {
    return update(
        id, *local, [&](Register& r, bool* c) { return r.merge(version, c); }, changed);
  }
  Result<Register> fresh = Register::from_versions({version});  // validates the version
  if (!fresh.is_ok()) return fresh.status();
  tree_.put(id, std::make_shared<const Register>(std::move(fresh).value()));
  *changed = true;
  return Status::ok();
}

Status State::join_register(const PatternId& id, const Register& reg, bool* changed) {
  *changed = false;
  const Register* local = find(id);
  if (local) {
    return update(
        id, *local, [&](Register& r, bool* c) { return r.join(reg, c); }, changed);
  }
  tree_.put(id, std::make_shared<const Register>(reg));
  *changed = true;
  return Status::ok();
}

MergeReport State::join(const State& other) {
  GOSSIP_ASSERT(other.cluster_seed() == cluster_seed());
  // Collect first: tree_ must not change while diff() walks it.
  std::vector<const MerkleTree::Entry*> candidates;
  other.tree_.diff(tree_, [&](const MerkleTree::Entry& e) { candidates.push_back(&e); });
  std::sort(candidates.begin(), candidates.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  MergeReport report;
  for (const MerkleTree::Entry* theirs : candidates) {
    const MerkleTree::Entry* mine = tree_.find(theirs->id);
    if (mine && mine->digest == theirs->digest) continue;
    bool changed = false;
    Status s;
    if (mine) {
      const Register& incoming = *theirs->reg;
      s = update(
          theirs->id, *mine->reg, [&](Register& r, bool* c) { return r.join(incoming, c); },
          &changed);
    } else {
      tree_.put(theirs->id, theirs->reg);  // share the immutable register
      changed = true;
    }
    if (!s.is_ok()) report.rejected.emplace_back(theirs->id, s);
    if (changed) ++report.patterns_changed;
  }
  return report;
}

void State::for_each(const std::function<void(const PatternId&, const Register&)>& visit) const {
  std::vector<const MerkleTree::Entry*> entries;
  entries.reserve(tree_.size());
  tree_.for_each([&](const MerkleTree::Entry& e) { entries.push_back(&e); });
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const MerkleTree::Entry* e : entries) visit(e->id, *e->reg);
}

std::vector<PatternId> State::ids() const {
  std::vector<PatternId> out;
  out.reserve(size());
  for_each([&](const PatternId& id, const Register&) { out.push_back(id); });
  return out;
}

bool State::operator==(const State& other) const {
  if (cluster_seed() != other.cluster_seed() || size() != other.size()) return false;
  bool same = true;
  tree_.for_each([&](const MerkleTree::Entry& e) {
    const Register* theirs = other.find(e.id);
    if (!theirs || !(*theirs == *e.reg)) same = false;
  });
  return same;
}

}  // namespace gossip
