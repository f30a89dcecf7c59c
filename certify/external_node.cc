#include "certify/external_node.h"

#include "reference/codec.h"
#include "reference/text.h"

namespace gossip::certify {

const State& ExternalNode::state() const {
  if (fresh_ && state_) return *state_;
  const Export e = export_state();
  Result<State> s = e.text ? parse_state(*e.text, cluster_seed_) : decode_state_frame(e.frame, cluster_seed_);
  if (!s.is_ok()) {
    throw ImplementationError("node n" + std::to_string(self_) + "'s state export is not a state (" +
                              std::string(e.text ? "text form" : "state frame") + "): " + s.status().message());
  }
  state_ = std::move(s).value();
  fresh_ = true;
  return *state_;
}

std::vector<PatternId> ExternalNode::take_changed() {
  const State& now = state();
  std::vector<PatternId> out;
  if (now.root() == last_.root()) return out;
  now.for_each([&](const PatternId& id, const Register& reg) {
    const Register* before = last_.find(id);
    if (before == nullptr || !(*before == reg)) out.push_back(id);
  });
  last_ = now;
  return out;  // for_each visits in ascending order of id
}

}  // namespace gossip::certify
