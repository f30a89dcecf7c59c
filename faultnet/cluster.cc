#include "faultnet/cluster.h"

#include <cstdio>
#include <string>

#include "reference/assert.h"
#include "reference/bytes.h"
#include "reference/rng.h"

namespace faultnet {

using gossip::NodeId;

Cluster::Cluster(const ClusterConfig& config) : config_(config) {
  auto members = std::make_shared<std::vector<NodeId>>(config_.nodes);
  for (NodeId n = 0; n < config_.nodes; ++n) (*members)[n] = n;
  members_ = std::move(members);
  slots_.resize(config_.nodes);
  for (NodeId n = 0; n < config_.nodes; ++n) {
    gossip::State state = config_.initial.empty()       ? gossip::State(config_.node.cluster_seed)
                          : config_.initial.size() == 1 ? config_.initial[0]
                                                        : config_.initial.at(n);
    slots_[n].node = make_node(n, gossip::ReplicaId::of(n, 0), std::move(state), 0);
  }
}

Cluster::Cluster(const Cluster& other)
    : config_(other.config_),
      members_(other.members_),
      pending_(other.pending_),
      log_(other.log_),
      flooded_(other.flooded_),
      largest_sent_(other.largest_sent_),
      largest_sender_(other.largest_sender_),
      misaddressed_(other.misaddressed_),
      side_mask_(other.side_mask_),
      partitioned_(other.partitioned_),
      round_(other.round_),
      next_id_(other.next_id_) {
  slots_.reserve(other.slots_.size());
  for (const Slot& s : other.slots_) {
    std::unique_ptr<gossip::NodeUnderTest> copy = s.node->clone();
    if (!copy) throw gossip::ImplementationError("this implementation's nodes cannot be copied (no clone capability)");
    slots_.push_back(Slot{std::move(copy), s.restarts, s.paused});
  }
}

Cluster& Cluster::operator=(const Cluster& other) {
  if (this != &other) *this = Cluster(other);
  return *this;
}

gossip::Capabilities Cluster::capabilities() const {
  gossip::Capabilities all = gossip::reference_implementation()->capabilities();
  const std::size_t kinds = config_.impl.empty() ? 1 : config_.impl.size();
  for (std::size_t i = 0; i < kinds; ++i) {
    const gossip::Capabilities c = impl_of(static_cast<NodeId>(i)).capabilities();
    all.clone = all.clone && c.clone;
    all.fingerprint = all.fingerprint && c.fingerprint;
    all.counters = all.counters && c.counters;
    all.wire = all.wire && c.wire;
    all.accounting = all.accounting && c.accounting;
    all.view = all.view && c.view;
  }
  return all;
}

const gossip::Implementation& Cluster::impl_of(NodeId n) const {
  if (config_.impl.empty()) return *gossip::reference_implementation();
  return *config_.impl[n % config_.impl.size()];
}

bool Cluster::append_fingerprint(std::string* out) const {
  auto u64 = [&](std::uint64_t v) { gossip::append_u64(out, v); };
  u64(round_);
  u64(partitioned_ ? side_mask_ : ~std::uint64_t{0});
  for (const Slot& s : slots_) {
    if (!s.node->append_fingerprint(out)) return false;
    u64(s.restarts);
    u64(s.paused ? 1 : 0);
  }
  return true;
}

std::unique_ptr<gossip::NodeUnderTest> Cluster::make_node(NodeId n, gossip::ReplicaId replica,
                                                          gossip::State state,
                                                          std::uint32_t restart) const {
  gossip::Rng r = gossip::Rng(config_.seed)
                      .fork("node " + std::to_string(n) + " restart " + std::to_string(restart));
  std::unique_ptr<gossip::NodeUnderTest> node =
      gossip::make_node(impl_of(n), n, replica, members_, config_.node, r.next(), std::move(state));
  node->tick(config_.epoch + round_ * config_.node.gossip_interval);
  return node;
}

void Cluster::collect(NodeId n) {
  slots_[n].node->take_outbox(&outgoing_);
  for (gossip::Outgoing& out : outgoing_) {
    if (out.to >= config_.nodes) {  // no such member: dropped, and said
      if (misaddressed_.empty()) {
        // snprintf, not a chain of std::string operator+: gcc 12 at -O3 warns (-Wrestrict, a
        // false positive) on that here, and CI builds with -Werror.
        char text[128];
        std::snprintf(text, sizeof text, "n%u sent a message to %u, which is not a member (0 to %u)",
                      static_cast<unsigned>(n), static_cast<unsigned>(out.to),
                      static_cast<unsigned>(config_.nodes - 1));
        misaddressed_ = text;
      }
      continue;
    }
    if (out.bytes.size() > largest_sent_) {
      largest_sent_ = out.bytes.size();
      largest_sender_ = n;
    }
    pending_.push_back(Pending{next_id_++, n, out.to, out.kind, std::move(out.bytes)});
  }
  outgoing_.clear();
}

void Cluster::tick() {
  ++round_;
  for (NodeId n = 0; n < config_.nodes; ++n) {
    if (slots_[n].paused) continue;
    slots_[n].node->tick(config_.epoch + round_ * config_.node.gossip_interval);
    collect(n);
  }
}

bool Cluster::cut(NodeId a, NodeId b) const {
  return partitioned_ && (((side_mask_ >> a) & 1u) != ((side_mask_ >> b) & 1u));
}

bool Cluster::deliver(std::size_t k) {
  if (pending_.empty()) return false;
  const std::size_t i = index(k);
  const NodeId to = pending_[i].to;
  if (slots_[to].paused) {
    log_.push_back(Delivery{round_, pending_[i], Delivery::Fate::kHeld});
    return false;
  }
  Pending m = std::move(pending_[i]);
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
  if (cut(m.from, m.to)) {
    log_.push_back(Delivery{round_, std::move(m), Delivery::Fate::kCut});
    return true;
  }
  slots_[to].node->receive(m.from, m.bytes);
  log_.push_back(Delivery{round_, std::move(m), Delivery::Fate::kDelivered});
  collect(to);
  return true;
}

void Cluster::drop(std::size_t k) {
  if (pending_.empty()) return;
  const std::size_t i = index(k);
  log_.push_back(Delivery{round_, std::move(pending_[i]), Delivery::Fate::kDropped});
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
}

void Cluster::duplicate(std::size_t k) {
  if (pending_.empty()) return;
  Pending copy = pending_[index(k)];
  pending_.push_back(std::move(copy));
}

void Cluster::delay(std::size_t k) {
  if (pending_.empty()) return;
  const std::size_t i = index(k);
  Pending m = std::move(pending_[i]);
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
  pending_.push_back(std::move(m));
}

void Cluster::partition(std::uint64_t side_mask) {
  side_mask_ = side_mask;
  partitioned_ = true;
}

void Cluster::heal() { partitioned_ = false; }

void Cluster::crash_restart(NodeId n, bool amnesia) {
  Slot& s = slots_.at(n);
  ++s.restarts;
  const gossip::ReplicaId replica = s.node->replica();
  if (amnesia) {
    const std::optional<gossip::ReplicaId> fresh = replica.next_incarnation();
    GOSSIP_ASSERT_MSG(fresh.has_value(), "incarnations used up (a cluster starts every node at 0)");
    s.node = make_node(n, *fresh, gossip::State(config_.node.cluster_seed), s.restarts);
  } else {
    gossip::State durable = s.node->state();
    s.node = make_node(n, replica, std::move(durable), s.restarts);
  }
  s.paused = false;
}

void Cluster::pause(NodeId n) { slots_.at(n).paused = true; }
void Cluster::resume(NodeId n) { slots_.at(n).paused = false; }

bool Cluster::deliver_all() {
  for (std::size_t k = 0; !pending_.empty(); ++k) {
    if (k == kDeliverAllMax) {
      flooded_ = true;
      return false;
    }
    deliver(0);
  }
  return true;
}

std::vector<Delivery> Cluster::take_log() {
  std::vector<Delivery> out = std::move(log_);
  log_.clear();
  return out;
}

bool Cluster::converged() const {
  for (NodeId n = 1; n < config_.nodes; ++n) {
    if (!(slots_[n].node->state() == slots_[0].node->state())) return false;
  }
  return true;
}

std::uint32_t Cluster::run_to_quiescence(std::uint32_t rounds_max) {
  heal();
  for (Slot& s : slots_) s.paused = false;
  if (!deliver_all()) return rounds_max + 1;  // what was in flight arrives first
  for (std::uint32_t r = 0; r <= rounds_max; ++r) {
    if (converged()) return r;
    if (r == rounds_max) break;
    tick();
    if (!deliver_all()) break;
  }
  return rounds_max + 1;
}

}  // namespace faultnet
