#include "reference/operations.h"

#include "reference/limits.h"
#include "reference/resolve.h"

namespace gossip {
namespace {

// The version a write at `writer` would add on top of `current` (null: a new pattern).
Result<Version> next_version(const Register* current, ReplicaId writer, const Content& content) {
  Status s = validate(content);
  if (!s.is_ok()) return s;
  VectorClock clock = current ? current->joined_clock() : VectorClock();
  // Both limits are checked on the clock the write would have: the join of the siblings'
  // clocks may already be wider than any one of them, and a peer may have sent a version
  // whose entry for this writer is at the top of the range.
  if (clock.get(writer) == UINT64_MAX) {
    return Status::error(Status::Code::kOverLimit, "the writer's clock counter is at its maximum");
  }
  const std::size_t entries = clock.size() + (clock.get(writer) == 0 ? 1 : 0);
  if (entries > limits::kClockEntriesMax) {
    return Status::error(Status::Code::kOverLimit,
                         "the new clock would have " + std::to_string(entries) + " entries (at most " +
                             std::to_string(limits::kClockEntriesMax) + ")");
  }
  clock.increment(writer);
  return Version{std::move(clock), content};
}

Status write(State& state, const PatternId& id, Result<Version> version) {
  if (!version.is_ok()) return version.status();
  bool changed = false;
  Status s = state.merge_version(id, version.value(), &changed);
  GOSSIP_ASSERT_MSG(!s.is_ok() || changed, "a local write must dominate what it saw");
  return s;
}

Status not_found(const PatternId& id) {
  return Status::error(Status::Code::kNotFound, "no pattern " + id.hex());
}

}  // namespace

Status create(State& state, ReplicaId writer, const PatternId& id, const Content& content) {
  if (state.find(id)) {
    return Status::error(Status::Code::kAlreadyExists, "pattern " + id.hex() + " exists");
  }
  return write(state, id, next_version(nullptr, writer, content));
}

Status refine(State& state, ReplicaId writer, const PatternId& id, const Content& content) {
  const Register* current = state.find(id);
  if (!current) return not_found(id);
  return write(state, id, next_version(current, writer, content));
}

Status absorb(State& state, ReplicaId writer, const PatternId& a, const PatternId& into) {
  if (a == into) return Status::error(Status::Code::kInvalid, "a pattern cannot absorb itself");
  const Register* reg_a = state.find(a);
  const Register* reg_b = state.find(into);
  if (!reg_a) return not_found(a);
  if (!reg_b) return not_found(into);
  Content content_a = merged_content(*reg_a);
  Content content_b = merged_content(*reg_b);
  content_b.episodes = episode_union(content_b.episodes, content_a.episodes);
  content_a.absorbed_into = into;
  // Compute both versions before writing either, so that a limit error changes nothing.
  Result<Version> version_b = next_version(reg_b, writer, content_b);
  Result<Version> version_a = next_version(reg_a, writer, content_a);
  if (!version_b.is_ok()) return version_b.status();
  if (!version_a.is_ok()) return version_a.status();
  Status s = write(state, into, std::move(version_b));
  GOSSIP_ASSERT(s.is_ok());
  s = write(state, a, std::move(version_a));
  GOSSIP_ASSERT(s.is_ok());
  return Status::ok();
}

}  // namespace gossip
