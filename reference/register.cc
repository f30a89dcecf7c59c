#include "reference/register.h"

#include <algorithm>

#include "reference/limits.h"

namespace gossip {
namespace {

bool version_less(const Version& a, const Version& b) {
  return VectorClock::canonical_less(a.clock, b.clock);
}

Status conflicting_write() {
  return Status::error(Status::Code::kConflictingWrite,
                       "two versions with equal clocks and different content");
}

}  // namespace

Register::Register(Version version) {
  GOSSIP_ASSERT(!version.clock.empty());
  GOSSIP_ASSERT(validate(version.content).is_ok());
  siblings_.push_back(std::move(version));
}

Register::Register(Version version, Validated) {
  GOSSIP_ASSERT(!version.clock.empty());
  siblings_.push_back(std::move(version));
}

Result<Register> Register::from_versions(std::vector<Version> versions) {
  if (versions.empty()) return Status::error(Status::Code::kInvalid, "a register needs a version");
  for (const Version& v : versions) {
    if (v.clock.empty()) {
      return Status::error(Status::Code::kInvalid, "a version with an empty clock");
    }
    Status s = validate(v.content);
    if (!s.is_ok()) return s;
  }
  Register reg(std::move(versions.front()), Validated{});
  for (std::size_t i = 1; i < versions.size(); ++i) {
    bool changed = false;
    Status s = reg.merge_valid(versions[i], &changed);
    if (!s.is_ok()) return s;
  }
  return reg;
}

Status Register::merge(const Version& version, bool* changed) {
  *changed = false;
  if (version.clock.empty()) {
    return Status::error(Status::Code::kInvalid, "a version with an empty clock");
  }
  Status s = validate(version.content);
  if (!s.is_ok()) return s;
  return merge_valid(version, changed);
}

Status Register::merge_valid(const Version& version, bool* changed) {
  GOSSIP_ASSERT(!version.clock.empty());
  *changed = false;
  std::vector<Version> kept;
  kept.reserve(siblings_.size() + 1);
  for (const Version& sibling : siblings_) {
    switch (version.clock.compare(sibling.clock)) {
      case ClockOrder::kEqual:
        // The same write again (I13), or corruption.
        return sibling.content == version.content ? Status::ok() : conflicting_write();
      case ClockOrder::kBefore:
        return Status::ok();  // dominated: it never comes back (I3)
      case ClockOrder::kAfter:
        break;  // the new version replaces this sibling
      case ClockOrder::kConcurrent:
        kept.push_back(sibling);
        break;
    }
  }
  if (kept.size() + 1 > limits::kSiblingsMax) {
    return Status::error(Status::Code::kOverLimit,
                         "more than " + std::to_string(limits::kSiblingsMax) + " siblings");
  }
  kept.insert(std::upper_bound(kept.begin(), kept.end(), version, version_less), version);
  siblings_ = std::move(kept);
  *changed = true;
  GOSSIP_ASSERT(check_invariants());
  return Status::ok();
}

Status Register::join(const Register& other, bool* changed) {
  *changed = false;
  Register next = *this;
  for (const Version& v : other.siblings_) {  // valid: invariant (4) of `other`
    bool merged = false;
    Status s = next.merge_valid(v, &merged);
    if (!s.is_ok()) return s;
    *changed = *changed || merged;
  }
  if (*changed) *this = std::move(next);
  return Status::ok();
}

bool Register::covers(const Version& v) const {
  return std::any_of(siblings_.begin(), siblings_.end(), [&](const Version& s) {
    return s.clock == v.clock ? s.content == v.content : s.clock.dominates(v.clock);
  });
}

VectorClock Register::joined_clock() const {
  VectorClock clock;
  for (const Version& v : siblings_) clock.join(v.clock);
  return clock;
}

bool Register::check_invariants() const {
  if (siblings_.empty() || siblings_.size() > limits::kSiblingsMax) return false;
  for (std::size_t i = 0; i < siblings_.size(); ++i) {
    if (siblings_[i].clock.empty() || !siblings_[i].clock.check_invariants()) return false;
    if (i > 0 && !version_less(siblings_[i - 1], siblings_[i])) return false;
    for (std::size_t j = i + 1; j < siblings_.size(); ++j) {
      if (siblings_[i].clock.compare(siblings_[j].clock) != ClockOrder::kConcurrent) return false;
    }
  }
  return true;
}

}  // namespace gossip
