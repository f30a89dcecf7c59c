#include "certify/external_node.h"

#include "reference/codec.h"
#include "reference/sync_message.h"
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

void ExternalNode::take_outbox(std::vector<Outgoing>* out) {
  take_messages(out);
  for (const Outgoing& m : *out) {
    if (m.bytes.size() > message_bytes_max_) {
      throw ImplementationError("budget: node n" + std::to_string(self_) + " sent a message of " +
                                std::to_string(m.bytes.size()) + " bytes to n" + std::to_string(m.to) +
                                ", over its message_bytes_max of " + std::to_string(message_bytes_max_) +
                                " (every message must fit the configuration it was given)");
    }
    if (wire_) {
      // It says it speaks the wire format: every message it sends must be a frame the format
      // accepts (docs/WIRE_FORMAT.md), or its peers drop it.
      const Result<SyncMessage> d = decode_sync_message(m.bytes);
      if (!d.is_ok()) {
        throw ImplementationError("wire: node n" + std::to_string(self_) + " claims the wire capability and sent n" +
                                  std::to_string(m.to) + " " + std::to_string(m.bytes.size()) +
                                  " bytes that docs/WIRE_FORMAT.md refuses (" + d.status().message() + "): " +
                                  to_hex(m.bytes).substr(0, 160));
      }
    }
  }
}

NodeInit ExternalNode::settings() const {
  NodeInit init;
  init.self = self_;
  init.replica = replica_;
  init.config.cluster_seed = cluster_seed_;
  init.config.message_bytes_max = message_bytes_max_;
  return init;
}

}  // namespace gossip::certify
