#include "certify/properties.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "faultnet/cluster.h"
#include "properties/explore.h"
#include "properties/rc_support.h"
#include "reference/codec.h"
#include "reference/rng.h"

namespace gossip::certify {
namespace {

using properties::Outcome;
using properties::RunOptions;
using namespace properties::support;

// A catalogue property, run as it is on the implementation's nodes.
std::function<Outcome(const RunOptions&, const CertifyProfile&)> from_catalogue(const std::string& name) {
  return [name](const RunOptions& o, const CertifyProfile&) {
    for (const properties::Property& p : properties::catalogue()) {
      if (p.name == name) return p.run(o);
    }
    Outcome out;
    out.property = name;
    out.passed = false;
    out.message = "the catalogue has no property " + name;
    return out;
  };
}

// One hostile byte string made from `corpus`: a real message or frame bit-flipped, cut,
// extended, spliced, or plain noise; half of those that look like our frames resealed, so that
// they pass the checksum and reach the decoder of an implementation that speaks the format.
Bytes hostile(const std::vector<Bytes>& corpus, Rng& r) {
  Bytes b = corpus[r.below(corpus.size())];
  switch (r.below(7)) {
    case 0:
      for (std::uint64_t k = 1 + r.below(4); k > 0 && !b.empty(); --k) b[r.below(b.size())] ^= std::uint8_t(1u << r.below(8));
      break;
    case 1: b.resize(r.below(b.size() + 1)); break;
    case 2:
      for (std::uint64_t k = 1 + r.below(64); k > 0; --k) b.push_back(static_cast<std::uint8_t>(r.below(256)));
      break;
    case 3: {
      const Bytes& other = corpus[r.below(corpus.size())];
      b.resize(r.below(b.size() + 1));
      const std::size_t from = r.below(other.size() + 1);
      b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
      break;
    }
    case 4:
      b.assign(r.below(512), 0);
      for (std::uint8_t& x : b) x = static_cast<std::uint8_t>(r.below(256));
      break;
    case 5: {
      static constexpr std::uint8_t kEdges[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
      for (std::uint64_t k = 1 + r.below(3); k > 0 && !b.empty(); --k) b[r.below(b.size())] = kEdges[r.below(6)];
      break;
    }
    default:
      if (!b.empty()) {
        const std::size_t at = r.below(b.size()), len = 1 + r.below(std::min<std::size_t>(b.size() - at, 32));
        Bytes chunk(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + len));
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), chunk.begin(), chunk.end());
      }
      break;
  }
  if (b.size() >= kFrameOverheadBytes && b[0] == kFrameMagic && r.below(2) == 0) {
    const ByteView payload(b.data() + 3, b.size() - kFrameOverheadBytes);
    b = seal_frame(static_cast<FrameKind>(b[2]), payload);
  }
  return b;
}

// I11 through the seam: hostile bytes fed to receive() never crash or hang a node (the child
// process and its time limit judge those), never make it send a message over its budget,
// never lose what it held, and leave it able to converge with its peer.
Outcome hostile_receive(const RunOptions& o, const CertifyProfile& p) {
  return run_property("hostile_receive", o, 1, [&o, &p] {
    recorder->note_case(static_cast<std::size_t>(p.hostile_inputs));
    faultnet::ClusterConfig cc;
    cc.nodes = 2;
    cc.seed = o.seed;
    cc.node.cluster_seed = 7;
    cc.node.message_bytes_max = 4096;
    cc.initial = {properties::genesis_state(24), properties::genesis_state(12)};
    if (o.impl) cc.impl = {o.impl};
    faultnet::Cluster c(cc);
    // What the nodes say to each other is the seed corpus, with frames of every kind of ours.
    std::vector<Bytes> corpus;
    for (int round = 0; round < 3; ++round) {
      c.tick();
      for (const faultnet::Pending& m : c.pending()) corpus.push_back(m.bytes);
      c.deliver_all();
      for (const faultnet::Delivery& d : c.take_log()) corpus.push_back(d.message.bytes);
    }
    const State genesis = properties::genesis_state(3);
    corpus.push_back(encode_state_frame(genesis));
    genesis.for_each([&](const PatternId& id, const Register& reg) { corpus.push_back(encode_register_frame(id, reg)); });
    corpus.push_back(encode_digest_frame(genesis.root()));
    corpus.push_back(Bytes{});
    const State before0 = c.node(0).state(), before1 = c.node(1).state();
    Rng r = Rng(o.seed).fork("hostile_receive");
    std::vector<Outgoing> answers;
    std::size_t largest = 0;
    for (int i = 0; i < p.hostile_inputs; ++i) {
      const Bytes b = hostile(corpus, r);
      const NodeId to = static_cast<NodeId>(i % 2);
      c.node(to).receive(1 - to, b);
      c.node(to).take_outbox(&answers);
      for (const Outgoing& a : answers) {
        largest = std::max(largest, a.bytes.size());
        if (a.bytes.size() > cc.node.message_bytes_max) {
          GOSSIP_PROP_FAIL(1, "I11: hostile input " + std::to_string(i) + " (" + to_hex(b).substr(0, 128) +
                                  ") made n" + std::to_string(to) + " send " + std::to_string(a.bytes.size()) +
                                  " bytes, over its budget of " + std::to_string(cc.node.message_bytes_max));
        }
      }
      if (i % 16 == 15 || i + 1 == p.hostile_inputs) {
        if (!properties::below(to == 0 ? before0 : before1, c.node(to).state())) {
          GOSSIP_PROP_FAIL(1, "I2: after hostile input " + std::to_string(i) + " (" + to_hex(b).substr(0, 128) +
                                  "), n" + std::to_string(to) + " lost a version it held");
        }
      }
    }
    recorder->figure("hostile inputs", p.hostile_inputs);
    recorder->figure("largest answer to a hostile input, bytes", double(largest));
    const std::uint32_t rounds = c.run_to_quiescence(24);
    if (rounds > 24 || !properties::below(before0, c.node(0).state()) || !properties::below(before1, c.node(0).state())) {
      GOSSIP_PROP_FAIL(1, "I1/I2: after " + std::to_string(p.hostile_inputs) +
                              " hostile inputs the two nodes no longer converge to everything they held (" +
                              (rounds > 24 ? "not converged in 24 rounds" : "a version lost") + ")");
    }
  }, /*cases=*/1);
}

// Exhaustive exploration of a small configuration on the implementation's nodes.
Outcome explore_small(const RunOptions& o, const CertifyProfile& p) {
  return run_property("explore", o, 1, [&o, &p] {
    properties::ExploreConfig ec;
    ec.history.nodes = 2;
    ec.history.seed = o.seed;
    ec.writes = 2;
    ec.patterns = 1;
    ec.ticks = 1;
    ec.duplicates = 1;
    ec.crashes = 1;
    ec.states_max = p.explore_states;
    ec.executor.impl = o.impl;
    ec.executor.check_in_sync_cost = false;
    const properties::ExploreResult r = properties::explore(ec);
    recorder->note_case(r.depth);
    recorder->figure("distinct states", double(r.distinct_states));
    recorder->figure("complete", r.complete ? 1 : 0);
    if (!r.violations.empty()) {
      const properties::ExploreFound& f = r.violations.front();
      properties::History h = f.history;
      h.property = "explore";
      GOSSIP_PROP_FAIL(h.steps.size(), to_text(f.violation), h);
    }
  }, /*cases=*/1);
}

// Interop: the histories on a cluster whose odd nodes are the reference's.
Outcome interop(const RunOptions& o, const CertifyProfile& p) {
  RunOptions with = o;
  with.partner = reference_implementation();
  return from_catalogue("histories")(with, p);
}

}  // namespace

CertifyProfile certify_profile(const std::string& name) {
  if (name == "smoke") return {"smoke", {"smoke", 20, 60, 10}, 300, 1'000, 200};
  if (name == "campaign") return {"campaign", {"campaign", 5'000, 200, 3'000}, 4 * 3600, 5'000'000, 100'000};
  return {"quick", {"quick", 200, 100, 200}, 600, 20'000, 2'000};
}

bool known_certify_profile(const std::string& name) {
  return name == "smoke" || name == "quick" || name == "campaign";
}

const std::vector<CertifyProperty>& certify_properties() {
  static const std::vector<CertifyProperty> all = {
      {"histories", "concurrent histories (writes, loss, duplicates, partitions, crash-restart, amnesia) keep every safety invariant after every step and, healed, converge to the model's state, view and edges",
       "I1 I2 I3 I5 I13 view", {}, from_catalogue("histories")},
      {"replay_deterministic", "the same history runs the same way twice, message for message", "I12", {},
       from_catalogue("replay_deterministic")},
      {"in_sync_cost", "nodes in the same state send at most one message of at most 32 bytes per interval, and nobody answers",
       "I8", {}, from_catalogue("in_sync_cost")},
      {"diverged_cost", "syncing d differing patterns out of N = 256 or 4096 costs at most 400 d + 600 bytes", "I9", {},
       from_catalogue("diverged_cost")},
      {"near_collision", "replicas whose roots share a prefix still find their difference", "I1", {},
       from_catalogue("near_collision")},
      {"propagation_bound", "a write reaches all of 64 replicas within 14 rounds under 20% loss, in every trial", "I10", {},
       from_catalogue("propagation_bound")},
      {"hostile_receive", "hostile bytes fed to receive never crash, hang, lose a version or break convergence", "I11", {},
       hostile_receive},
      {"interop", "the histories hold on a cluster shared with reference nodes", "I1 I2 I3 I13 view", {"wire"}, interop},
      {"explore", "every interleaving of 2 nodes, 2 writes, a tick, a duplicate and a crash-restart keeps the invariants and converges",
       "I1 I2 I3 I13", {"clone", "fingerprint"}, explore_small},
  };
  return all;
}

const CertifyProperty* find_certify_property(const std::string& name) {
  for (const CertifyProperty& p : certify_properties()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

nlohmann::json budget_json(const CertifyProperty& p, const CertifyProfile& profile) {
  if (p.name == "propagation_bound") return {{"trials", profile.budget.trials}};
  if (p.name == "hostile_receive") return {{"inputs", profile.hostile_inputs}};
  if (p.name == "explore") return {{"states_max", profile.explore_states}};
  return {{"cases", profile.budget.cases}, {"size_max", profile.budget.size}};
}

}  // namespace gossip::certify
