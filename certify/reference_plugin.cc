// The reference node as a plug-in (include/gossipcheck/plugin.h): what `gossipcheck certify
// --impl` is tested on, so that the plug-in path has no back door; each catalogue mutant is
// built the same way (properties/mutants/CMakeLists.txt), with its entry point generated. Everything here goes through the C ABI: the
// state comes in and goes out as canonical state frames.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gossipcheck/plugin.h"
#include "reference/codec.h"
#include "reference/node.h"
#include "reference/resolve.h"

struct gc_node {
  gossip::Node node;
};

namespace {

using gossip::Content;
using gossip::PatternId;

PatternId id_of(const std::uint8_t bytes[16]) {
  PatternId id;
  std::memcpy(id.bytes.data(), bytes, 16);
  return id;
}

Content content_of(const gc_content* c) {
  Content out;
  out.summary.assign(reinterpret_cast<const char*>(c->summary), c->summary_size);
  out.episodes.assign(c->episodes, c->episodes + c->episode_count);
  out.strength = c->strength;
  if (c->has_absorbed_into) out.absorbed_into = id_of(c->absorbed_into);
  return out;
}

std::int32_t code_of(const gossip::Status& s) { return static_cast<std::int32_t>(s.code()); }

gc_node* init(const gc_init* in, gc_bytes_sink error, void* ctx) {
  auto say = [&](const std::string& why) {
    error(ctx, reinterpret_cast<const std::uint8_t*>(why.data()), why.size());
    return nullptr;
  };
  const gc_config& c = *in->config;
  gossip::Result<gossip::State> state =
      gossip::decode_state_frame(gossip::ByteView(in->state, in->state_size), c.cluster_seed);
  if (!state.is_ok()) return say("the initial state does not decode: " + state.status().message());
  if (c.walk_width < 1 || c.walk_width > 8) return say("walk_width must be 1 to 8");
  if (c.message_bytes_max < 64) return say("message_bytes_max must be at least 64");
  gossip::NodeConfig config;
  config.cluster_seed = c.cluster_seed;
  config.gossip_interval = c.gossip_interval_us;
  config.exchange_timeout = c.exchange_timeout_us;
  config.message_bytes_max = c.message_bytes_max;
  config.recent_rounds = c.recent_rounds;
  config.recent_max = c.recent_max;
  config.walk_width = static_cast<std::uint8_t>(c.walk_width);
  config.exchanges_max = c.exchanges_max;
  config.exchanges_per_peer_max = c.exchanges_per_peer_max;
  config.messages_per_exchange_max = c.messages_per_exchange_max;
  auto members = std::make_shared<std::vector<gossip::NodeId>>(in->members, in->members + in->member_count);
  return new gc_node{gossip::Node(in->self, gossip::ReplicaId{in->replica}, std::move(members), config, in->seed,
                                  std::move(state).value())};
}

void destroy(gc_node* n) { delete n; }

std::int32_t create(gc_node* n, const std::uint8_t id[16], const gc_content* c) {
  return code_of(n->node.create(id_of(id), content_of(c)));
}
std::int32_t refine(gc_node* n, const std::uint8_t id[16], const gc_content* c) {
  return code_of(n->node.refine(id_of(id), content_of(c)));
}
std::int32_t absorb(gc_node* n, const std::uint8_t a[16], const std::uint8_t into[16]) {
  return code_of(n->node.absorb(id_of(a), id_of(into)));
}
void tick(gc_node* n, std::uint64_t now) { n->node.tick(now); }
void receive(gc_node* n, std::uint32_t from, const std::uint8_t* data, std::size_t size) {
  n->node.receive(from, gossip::ByteView(data, size));
}
void take_outbox(gc_node* n, gc_message_sink sink, void* ctx) {
  for (const gossip::Outgoing& m : n->node.take_outbox()) sink(ctx, m.to, m.bytes.data(), m.bytes.size());
}
std::uint64_t next_wakeup(const gc_node* n) { return n->node.next_wakeup(); }
std::int32_t export_state(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  const gossip::Bytes frame = gossip::encode_state_frame(n->node.state());
  sink(ctx, frame.data(), frame.size());
  return GC_OK;
}
gc_node* clone(const gc_node* n) { return new gc_node{n->node}; }
std::int32_t view(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  const gossip::ResolvedView v = gossip::resolve(n->node.state());
  const gossip::Bytes frame = gossip::encode_view_frame(v, gossip::edges(v));
  sink(ctx, frame.data(), frame.size());
  return GC_OK;
}
void fingerprint(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  std::string bytes;
  n->node.append_fingerprint(&bytes);
  sink(ctx, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

const gc_plugin kTable = {
    GOSSIPCHECK_ABI_VERSION, "reference", "gossipcheck reference node (plug-in)",
    GC_CAP_CLONE | GC_CAP_FINGERPRINT | GC_CAP_WIRE,
    init, destroy, create, refine, absorb, tick, receive, take_outbox, next_wakeup, export_state,
    clone, fingerprint, view,
};

}  // namespace

// The table, under `name`: each plug-in built from this file (the reference, each mutant,
// the test's broken plug-ins) exports its own gossipcheck_plugin() around it.
const gc_plugin* gossip_reference_plugin_table(const char* name) {
  static gc_plugin table = [name] {
    gc_plugin t = kTable;
    t.name = name;
    return t;
  }();
  return &table;
}
