// differential: the reference merge against the model's (model::join, the merge the Z3 proofs
// are about) on the same two decoded states (input as in merge_fuzzer.cc). Per pattern:
//   - the model finds a conflict (equal clocks, different content) exactly when the
//     reference rejects the pattern, and then the local register is kept;
//   - otherwise the reference's register is the model's, version for version; the reference
//     may also refuse a join the model accepts only for a documented limit (more than
//     limits::kSiblingsMax siblings);
//   - Register::join gives the same answer as State::join;
// and the resolved view and the edges of the merged state are the model's.
#include <set>

#include "fuzz/harness.h"
#include "model/model.h"
#include "properties/history.h"
#include "reference/limits.h"
#include "reference/resolve.h"

// Structure-aware: its custom mutator is pair_mutator.cc.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gossip;
  using namespace gossip::fuzz;
  using gossip::properties::to_model;
  const std::optional<StatePair> in = decode_state_pair(ByteView(data, size));
  if (!in) return 0;
  const State& a = in->first;
  const State& b = in->second;
  State after = a;
  const MergeReport report = after.join(b);
  std::map<model::PatternKey, Status> rejected;
  for (const auto& [id, status] : report.rejected) rejected.emplace(id.bytes, status);

  const model::StateMap ma = to_model(a);
  const model::StateMap mb = to_model(b);
  const model::StateMap mafter = to_model(after);
  std::set<model::PatternKey> keys;
  for (const auto& [k, r] : ma) keys.insert(k);
  for (const auto& [k, r] : mb) keys.insert(k);
  for (const model::PatternKey& k : keys) {
    const std::string name = PatternId{k}.hex();
    std::optional<model::Register> want;
    if (!ma.count(k)) {
      want = mb.at(k);
    } else if (!mb.count(k)) {
      want = ma.at(k);
    } else {
      want = model::join(ma.at(k), mb.at(k));
    }
    auto got = mafter.find(k);
    auto rej = rejected.find(k);
    if (!want) {
      FUZZ_CHECK(rej != rejected.end(), "the model finds a conflict in " + name + ", the reference merged it");
      FUZZ_CHECK(rej->second.code() == Status::Code::kConflictingWrite,
                 "the model finds a conflict in " + name + ", the reference says " + rej->second.to_string());
    } else if (rej != rejected.end()) {
      FUZZ_CHECK(rej->second.code() == Status::Code::kOverLimit && want->size() > limits::kSiblingsMax,
                 "the reference rejected " + name + " (" + rej->second.to_string() +
                     "), the model merges it into " + std::to_string(want->size()) + " siblings");
    } else {
      FUZZ_CHECK(got != mafter.end() && got->second == *want,
                 "the reference's register of " + name + " is not the model's join");
    }
    if (rej != rejected.end()) {
      const bool had = ma.count(k) != 0;
      FUZZ_CHECK(had ? (got != mafter.end() && got->second == ma.at(k)) : got == mafter.end(),
                 "a rejected pattern " + name + " did not keep the local register");
    }
    // The register-level join agrees with the state-level one.
    const Register* ra = a.find(PatternId{k});
    const Register* rb = b.find(PatternId{k});
    if (ra && rb) {
      Register joined = *ra;
      bool changed = false;
      const Status s = joined.join(*rb, &changed);
      FUZZ_CHECK(s.is_ok() == (rej == rejected.end()), "Register::join and State::join disagree on " + name);
      if (s.is_ok()) FUZZ_CHECK(joined == *after.find(PatternId{k}), "Register::join and State::join differ on " + name);
    }
  }
  FUZZ_CHECK(mafter.size() == after.size(), "the model and the reference count different patterns");

  const ResolvedView view = resolve(after);
  const model::View mview = model::resolve(mafter);
  const std::string diff = gossip::properties::view_difference(view, mview);
  FUZZ_CHECK(diff.empty(), "the resolved view differs from the model's: " + diff);
  const std::vector<Edge> got_edges = edges(view);
  const std::vector<model::Edge> want_edges = model::edges(mview);
  FUZZ_CHECK(got_edges.size() == want_edges.size(), "edge counts differ from the model's");
  for (std::size_t i = 0; i < got_edges.size(); ++i) {
    FUZZ_CHECK(got_edges[i].a.bytes == want_edges[i].a && got_edges[i].b.bytes == want_edges[i].b &&
                   got_edges[i].weight == want_edges[i].weight,
               "edge " + std::to_string(i) + " differs from the model's");
  }
  return 0;
}
