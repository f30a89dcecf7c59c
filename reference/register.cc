#include "reference/register.h"

#include <algorithm>

#include "reference/decode_rules.h"
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
  GOSSIP_ASSERT(validate_version(version).is_ok());
  siblings_.push_back(std::move(version));
}

Status Register::validate_version(const Version& v) {
  if (GOSSIP_RULE("clock.empty", v.clock.empty())) return Status::error(Status::Code::kInvalid, "a version with an empty clock");
  if (GOSSIP_RULE_OF("count.over-limit", "clock entry count", v.clock.size() > limits::kClockEntriesMax)) {
    return Status::error(Status::Code::kOverLimit,
                         "a clock of " + std::to_string(v.clock.size()) + " entries (at most " +
                             std::to_string(limits::kClockEntriesMax) + ")");
  }
  return validate(v.content);
}

Result<std::vector<Version>> Register::maximal(std::vector<Version> versions) {
  GOSSIP_ASSERT(!versions.empty());
  std::sort(versions.begin(), versions.end(), version_less);
  // Equal clocks are neighbours now: the same write twice (I13) is kept once; equal clocks
  // with different content are corruption.
  std::vector<Version> distinct;
  distinct.reserve(versions.size());
  for (Version& v : versions) {
    if (!distinct.empty() && distinct.back().clock == v.clock) {
      if (GOSSIP_RULE("register.conflict", !(distinct.back().content == v.content))) return conflicting_write();
      continue;
    }
    distinct.push_back(std::move(v));
  }
  std::vector<Version> out;
  out.reserve(distinct.size());
  for (const Version& v : distinct) {
    const bool dominated = std::any_of(distinct.begin(), distinct.end(),
                                       [&](const Version& w) { return w.clock.dominates(v.clock); });
    if (!dominated) out.push_back(v);  // a dominated version never comes back (I3)
  }
  // The limit bounds the result, not a step on the way to it: otherwise the join of the
  // same two registers could be refused in one order and not in the other.
  if (GOSSIP_RULE_OF("count.over-limit", "sibling count", out.size() > limits::kSiblingsMax)) {
    return Status::error(Status::Code::kOverLimit,
                         std::to_string(out.size()) + " siblings (at most " +
                             std::to_string(limits::kSiblingsMax) + ")");
  }
  return out;
}

Result<Register> Register::from_versions(std::vector<Version> versions) {
  if (GOSSIP_RULE("register.empty", versions.empty())) return Status::error(Status::Code::kInvalid, "a register needs a version");
  for (const Version& v : versions) {
    Status s = validate_version(v);
    if (!s.is_ok()) return s;
  }
  Result<std::vector<Version>> kept = maximal(std::move(versions));
  if (!kept.is_ok()) return kept.status();
  Register reg;
  reg.siblings_ = std::move(kept).value();
  GOSSIP_ASSERT(reg.check_invariants());
  return reg;
}

Status Register::merge(const Version& version, bool* changed) {
  *changed = false;
  Status s = validate_version(version);
  if (!s.is_ok()) return s;
  return join_valid({version}, changed);
}

Status Register::join(const Register& other, bool* changed) {
  // other's versions are valid: invariant (4) of `other`.
  return join_valid(other.siblings_, changed);
}

Status Register::join_valid(const std::vector<Version>& versions, bool* changed) {
  *changed = false;
  std::vector<Version> all = siblings_;
  all.insert(all.end(), versions.begin(), versions.end());
  Result<std::vector<Version>> kept = maximal(std::move(all));
  if (!kept.is_ok()) return kept.status();
  if (kept.value() == siblings_) return Status::ok();
  siblings_ = std::move(kept).value();
  *changed = true;
  GOSSIP_ASSERT(check_invariants());
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
