#include "reference/vector_clock.h"

#include <algorithm>

#include "reference/assert.h"

namespace gossip {

VectorClock::VectorClock(std::vector<Entry> entries) : entries_(std::move(entries)) {
  GOSSIP_ASSERT(check_invariants());
}

bool VectorClock::check_invariants() const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].counter == 0) return false;
    if (i > 0 && !(entries_[i - 1].replica < entries_[i].replica)) return false;
  }
  return true;
}

std::uint64_t VectorClock::get(ReplicaId replica) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), replica,
                             [](const Entry& e, ReplicaId r) { return e.replica < r; });
  return (it != entries_.end() && it->replica == replica) ? it->counter : 0;
}

void VectorClock::set(ReplicaId replica, std::uint64_t counter) {
  GOSSIP_ASSERT(counter > 0);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), replica,
                             [](const Entry& e, ReplicaId r) { return e.replica < r; });
  if (it != entries_.end() && it->replica == replica) {
    GOSSIP_ASSERT_MSG(counter >= it->counter, "a clock entry may only grow");
    it->counter = counter;
  } else {
    entries_.insert(it, Entry{replica, counter});
  }
}

void VectorClock::increment(ReplicaId replica) {
  const std::uint64_t current = get(replica);
  GOSSIP_ASSERT(current < UINT64_MAX);
  set(replica, current + 1);
}

void VectorClock::join(const VectorClock& other) {
  std::vector<Entry> merged;
  merged.reserve(entries_.size() + other.entries_.size());
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() || b != other.entries_.end()) {
    if (b == other.entries_.end() || (a != entries_.end() && a->replica < b->replica)) {
      merged.push_back(*a++);
    } else if (a == entries_.end() || b->replica < a->replica) {
      merged.push_back(*b++);
    } else {
      merged.push_back(Entry{a->replica, std::max(a->counter, b->counter)});
      ++a;
      ++b;
    }
  }
  entries_ = std::move(merged);
  GOSSIP_ASSERT(check_invariants());
}

ClockOrder VectorClock::compare(const VectorClock& other) const {
  bool some_less = false;     // an entry where this < other
  bool some_greater = false;  // an entry where this > other
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() || b != other.entries_.end()) {
    if (b == other.entries_.end() || (a != entries_.end() && a->replica < b->replica)) {
      some_greater = true;  // other has 0 there, this has > 0
      ++a;
    } else if (a == entries_.end() || b->replica < a->replica) {
      some_less = true;
      ++b;
    } else {
      if (a->counter < b->counter) some_less = true;
      if (a->counter > b->counter) some_greater = true;
      ++a;
      ++b;
    }
    if (some_less && some_greater) return ClockOrder::kConcurrent;
  }
  if (some_less) return ClockOrder::kBefore;
  if (some_greater) return ClockOrder::kAfter;
  return ClockOrder::kEqual;
}

Uint128 VectorClock::counter_sum() const {
  Uint128 sum = 0;
  for (const Entry& e : entries_) sum += e.counter;
  return sum;
}

bool VectorClock::canonical_less(const VectorClock& a, const VectorClock& b) {
  return std::lexicographical_compare(a.entries_.begin(), a.entries_.end(), b.entries_.begin(),
                                      b.entries_.end());
}

}  // namespace gossip
