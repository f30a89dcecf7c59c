#include "reference/node.h"

#include <algorithm>
#include <bit>
#include <set>

#include "reference/assert.h"
#include "reference/bytes.h"
#include "reference/codec.h"
#include "reference/operations.h"

namespace gossip {
namespace {

constexpr Time kNever = ~Time{0};

std::uint32_t frame_checksum(ByteView bytes) {
  std::uint32_t c = 0;
  for (std::size_t i = 0; i < 4; ++i) c |= std::uint32_t{bytes[bytes.size() - 4 + i]} << (8 * i);
  return c;
}

// Keeps `m` within `budget` bytes: its wants, then its probes, then its registers, each in
// order, as long as they fit; what does not fit is left out (the walk finds it again in a
// later exchange). Returns how many items were left out.
std::uint64_t fit_to_budget(SyncMessage& m, std::size_t budget) {
  if (sync_message_bytes(m) <= budget) return 0;  // the common case: all of it fits
  SyncMessage fitted;
  fitted.kind = m.kind;
  fitted.xid = m.xid;
  fitted.from_initiator = m.from_initiator;
  fitted.root = m.root;
  fitted.width = m.width;
  std::size_t used = sync_message_bytes(fitted) + kSectionBytesMax;
  std::uint64_t cut = 0;
  auto fits = [&](std::size_t n) {
    if (used + n > budget) {
      ++cut;
      return false;
    }
    used += n;
    return true;
  };
  for (SyncWant& w : m.wants) {
    if (fits(sync_want_bytes(w))) fitted.wants.push_back(std::move(w));
  }
  for (SyncProbe& p : m.probes) {
    if (fits(sync_probe_bytes(p, m.width))) fitted.probes.push_back(std::move(p));
  }
  for (SyncItem& item : m.registers) {
    if (fits(sync_item_bytes(item))) fitted.registers.push_back(std::move(item));
  }
  m = std::move(fitted);
  GOSSIP_ASSERT(sync_message_bytes(m) <= std::max(budget, used));
  return cut;
}

SyncPath child_path(const SyncPath& p, std::uint8_t i) {
  SyncPath c = p;
  c.nibbles.push_back(i);
  return c;
}

}  // namespace

// What one incoming message makes us say: registers to send (by id, so each goes once),
// probes and wants. Its work is bounded by the byte budget: it visits at most `visits_left`
// entries of the tree and stops gathering registers once they fill a message
// (docs/PROTOCOL.md, "Budgets and fair shares").
struct Node::Reply {
  explicit Reply(const NodeConfig& config)
      : visits_left(config.message_bytes_max / 3 + 64),
        register_bytes_max(config.message_bytes_max - std::min(config.message_bytes_max, kMessageOverheadMax)) {}
  // Shared, immutable registers: one taken before a join stays what it was after it.
  std::map<PatternId, std::shared_ptr<const Register>> registers;
  std::map<SyncPath, SyncProbe> probes;
  std::map<SyncPath, std::vector<std::uint32_t>> wants;
  std::size_t visits_left;
  std::size_t visits = 0;
  std::size_t register_bytes = 0;
  std::size_t register_bytes_max;

  // One more entry visited; false when the message's work is used up.
  bool visit() {
    if (visits_left == 0) return false;
    --visits_left;
    ++visits;
    return true;
  }
  bool full() const { return register_bytes >= register_bytes_max; }
  // Gathers e's register to send; false once the registers fill a message. A register that
  // could never fit one is passed over, uncharged, so that it holds back no other.
  bool gather(const MerkleTree::Entry& e) {
    if (full()) return false;
    const std::size_t bytes = 16 + gossip::register_bytes(*e.reg);
    if (bytes > register_bytes_max) return true;
    if (registers.emplace(e.id, e.reg).second) register_bytes += bytes;
    return true;
  }
};

void Node::append_fingerprint(std::string* out) const {
  auto u64 = [&](std::uint64_t v) { append_u64(out, v); };
  u64(self_);
  u64(replica_.value);
  rng_.append_state(out);
  const Bytes state = encode_state_frame(state_);
  u64(state.size());
  out->append(reinterpret_cast<const char*>(state.data()), state.size());
  u64(now_);
  u64(next_gossip_);
  u64(recent_window_);
  u64(next_xid_);
  u64(next_expiry_);
  u64(exchanges_.size());
  for (const auto& [key, x] : exchanges_) {
    u64(key.initiator);
    u64(key.xid);
    u64(x.peer);
    u64(x.deadline);
    u64(x.messages);
    u64(x.seen.size());
    for (std::uint32_t c : x.seen) u64(c);
  }
  u64(recent_.size());
  for (const auto& [when, id] : recent_) {
    u64(when);
    out->append(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
  }
  u64(outbox_.size());
  for (const Outgoing& m : outbox_) {
    u64(m.to);
    u64(m.bytes.size());
    out->append(reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size());
  }
}

Node::Node(NodeId self, ReplicaId replica, std::shared_ptr<const std::vector<NodeId>> members,
           NodeConfig config,
           std::uint64_t seed, State state)
    : self_(self),
      replica_(replica),
      members_(std::move(members)),
      config_(config),
      rng_(seed),
      state_(std::move(state)) {
  GOSSIP_ASSERT(config_.walk_width >= 1 && config_.walk_width <= kSyncWidthMax);
  GOSSIP_ASSERT(config_.gossip_interval > 0);
  GOSSIP_ASSERT(config_.message_bytes_max >= 64);  // a Hello's header and root always fit
  GOSSIP_ASSERT(state_.cluster_seed() == config_.cluster_seed);
  GOSSIP_ASSERT(members_ != nullptr);  // sorted: the caller's promise (checking costs O(N) per node)
  auto at = std::lower_bound(members_->begin(), members_->end(), self_);
  self_index_ = static_cast<std::size_t>(at - members_->begin());
  const bool listed = at != members_->end() && *at == self_;
  peer_count_ = members_->size() - (listed ? 1 : 0);
  if (config_.exchange_timeout == 0) config_.exchange_timeout = config_.gossip_interval;
  if (config_.recent_rounds == 0) {
    config_.recent_rounds = 2 * ceil_log2(peer_count_ + 1) + 4;
  }
  recent_window_ = config_.gossip_interval * config_.recent_rounds;
  next_gossip_ = rng_.below(config_.gossip_interval);  // a random phase within the interval
  next_xid_ = 1 + rng_.below(1u << 13);                // two varint bytes for a long while
}

Status Node::create(const PatternId& id, const Content& content) {
  Status s = gossip::create(state_, replica_, id, content);
  if (s.is_ok()) note_changed(id);
  return s;
}

Status Node::refine(const PatternId& id, const Content& content) {
  Status s = gossip::refine(state_, replica_, id, content);
  if (s.is_ok()) note_changed(id);
  return s;
}

Status Node::absorb(const PatternId& a, const PatternId& into) {
  Status s = gossip::absorb(state_, replica_, a, into);
  if (s.is_ok()) {
    note_changed(into);
    note_changed(a);
  }
  return s;
}

void Node::note_changed(const PatternId& id) {
  changed_.insert(id);
  // One record per id, its latest change, oldest first: then the newest recent_max records are
  // the newest recent_max distinct ids (docs/PROTOCOL.md, "Fresh registers"), however often one
  // of them changes, and nothing older can ever be pushed.
  auto same = std::find_if(recent_.begin(), recent_.end(), [&](const auto& r) { return r.second == id; });
  if (same != recent_.end()) recent_.erase(same);
  recent_.emplace_back(now_, id);
  while (recent_.size() > config_.recent_max) recent_.pop_front();
}

std::vector<PatternId> Node::take_changed() {
  std::vector<PatternId> out(changed_.begin(), changed_.end());
  changed_.clear();
  return out;
}

void Node::tick(Time now) {
  GOSSIP_ASSERT(now >= now_);
  now_ = now;
  while (!recent_.empty() && recent_.front().first + recent_window_ <= now_) recent_.pop_front();
  if (now_ >= next_expiry_) expire();
  if (now_ >= next_gossip_) {
    // One exchange per interval, on the node's own phase; a node that slept long does not
    // make up for the missed intervals.
    const Time missed = (now_ - next_gossip_) / config_.gossip_interval;
    next_gossip_ += (missed + 1) * config_.gossip_interval;
    start_exchange();
  }
}

Time Node::next_wakeup() const { return std::min(next_gossip_, next_expiry_); }

void Node::expire() {
  next_expiry_ = kNever;
  for (auto it = exchanges_.begin(); it != exchanges_.end();) {
    if (it->second.deadline <= now_) {
      ++counters_.exchanges_timed_out;
      forget(it->first);
      it = exchanges_.erase(it);
    } else {
      next_expiry_ = std::min(next_expiry_, it->second.deadline);
      ++it;
    }
  }
}

std::uint64_t Node::salt(const ExchangeKey& key) const {
  return sync_salt(config_.cluster_seed, key.initiator, key.xid);
}

std::vector<SyncItem> Node::fresh_registers(const std::vector<SyncItem>& exclude_equal) const {
  std::set<PatternId> ids;
  for (auto it = recent_.rbegin(); it != recent_.rend() && ids.size() < config_.recent_max; ++it) {
    ids.insert(it->second);
  }
  std::vector<SyncItem> out;
  for (const PatternId& id : ids) {
    const Register* mine = state_.find(id);
    GOSSIP_ASSERT(mine != nullptr);  // nothing is ever deleted
    auto same = std::find_if(exclude_equal.begin(), exclude_equal.end(),
                             [&](const SyncItem& s) { return s.id == id; });
    if (same != exclude_equal.end() && same->reg == *mine) continue;  // they just sent it
    out.push_back(SyncItem{id, *mine});
  }
  return out;  // ascending id: std::set order; send() keeps what fits the budget
}

void Node::remember(const ExchangeKey& key, NodeId peer, Time deadline) {
  Exchange& ex = exchanges_[key];
  ex.peer = peer;
  ex.deadline = deadline;
  next_expiry_ = std::min(next_expiry_, deadline);
  if (key.initiator == self_) {
    ++own_exchanges_;
  } else {
    ++answered_by_peer_[key.initiator];
    ++answered_exchanges_;
  }
}

void Node::forget(const ExchangeKey& key) {
  if (key.initiator == self_) {
    --own_exchanges_;
    return;
  }
  --answered_exchanges_;
  auto it = answered_by_peer_.find(key.initiator);
  GOSSIP_ASSERT(it != answered_by_peer_.end() && it->second > 0);
  if (--it->second == 0) answered_by_peer_.erase(it);
}

void Node::start_exchange() {
  if (peer_count_ == 0) return;
  if (own_exchanges_ >= config_.exchanges_max) {  // answered exchanges never block ours
    ++counters_.exchanges_skipped;
    return;
  }
  // Uniform over the members other than self.
  std::size_t i = rng_.below(peer_count_);
  const bool listed = self_index_ < members_->size() && (*members_)[self_index_] == self_;
  if (listed && i >= self_index_) ++i;
  const NodeId peer = (*members_)[i];
  const ExchangeKey key{self_, next_xid_++};
  remember(key, peer, now_ + config_.exchange_timeout);
  ++counters_.exchanges_started;
  SyncMessage hello;
  hello.kind = FrameKind::kHello;
  hello.xid = key.xid;
  hello.root = state_.root();
  hello.registers = fresh_registers({});
  send(peer, key, std::move(hello));
}

bool Node::send(NodeId to, const ExchangeKey& key, SyncMessage m) {
  Outgoing out;
  out.to = to;
  out.initiator = key.initiator;
  out.xid = key.xid;
  out.kind = m.kind;
  counters_.cut_by_budget += fit_to_budget(m, config_.message_bytes_max);
  if (m.kind == FrameKind::kWalk && m.registers.empty() && m.probes.empty() && m.wants.empty()) return false;
  out.registers = static_cast<std::uint32_t>(m.registers.size());
  out.bytes = encode_sync_message(m);
  ++counters_.messages_sent;
  counters_.bytes_sent += out.bytes.size();
  counters_.registers_sent += m.registers.size();
  outbox_.push_back(std::move(out));
  return true;
}

void Node::take_outbox(std::vector<Outgoing>* out) {
  out->clear();
  out->swap(outbox_);
}

std::vector<Outgoing> Node::take_outbox() {
  std::vector<Outgoing> out = std::move(outbox_);
  outbox_.clear();
  return out;
}

void Node::join_registers(const std::vector<SyncItem>& items) {
  counters_.registers_received += items.size();
  for (const SyncItem& item : items) {
    bool changed = false;
    Status s = state_.join_register(item.id, item.reg, &changed);
    if (!s.is_ok()) {
      ++counters_.registers_rejected;
      continue;
    }
    if (changed) {
      ++counters_.registers_changed;
      note_changed(item.id);
    }
  }
}

void Node::receive(NodeId from, ByteView bytes) {
  ++counters_.messages_received;
  if (from == self_) {  // a node never sends to itself: whoever claims to be us is dropped
    ++counters_.decode_errors;
    return;
  }
  Result<SyncMessage> decoded = decode_sync_message(bytes);
  if (!decoded.is_ok()) {
    ++counters_.decode_errors;
    return;
  }
  const std::uint32_t checksum = frame_checksum(bytes);
  const SyncMessage& m = decoded.value();
  if (m.kind == FrameKind::kHello) {
    on_hello(from, m, checksum);
  } else {
    on_answer(from, m, checksum);
  }
}

void Node::on_hello(NodeId from, const SyncMessage& m, std::uint32_t checksum) {
  const ExchangeKey key{from, m.xid};
  if (exchanges_.count(key)) {
    ++counters_.duplicates_ignored;
    return;
  }
  join_registers(m.registers);
  if (state_.root() == *m.root) {
    // In sync: nothing to say and nothing to remember (a duplicate of this Hello would find
    // the same, and say nothing again).
    ++counters_.hellos_in_sync;
    return;
  }
  // Each peer gets a fair share of the exchanges we answer, so that one that floods us with
  // Hellos cannot keep us from answering the others (its Hellos are still joined).
  auto mine = answered_by_peer_.find(from);
  const std::size_t of_peer = mine == answered_by_peer_.end() ? 0 : mine->second;
  if (answered_exchanges_ >= config_.exchanges_max || of_peer >= config_.exchanges_per_peer_max) {
    ++counters_.over_budget;
    return;
  }
  remember(key, from, now_ + config_.exchange_timeout);
  Exchange& ex = exchanges_[key];
  ex.messages = 1;
  ex.seen.push_back(checksum);

  SyncMessage reply;
  reply.kind = FrameKind::kReply;
  reply.xid = m.xid;
  reply.root = state_.root();
  reply.registers = fresh_registers(m.registers);
  // Probe our root, so the walk starts one round trip earlier.
  reply.width = config_.walk_width;
  reply.probes.push_back(*probe_of(SyncPath{}, salt(key)));  // no budget: at most one leaf
  ++ex.messages;
  send(from, key, std::move(reply));
}

void Node::on_answer(NodeId from, const SyncMessage& m, std::uint32_t checksum) {
  // A Reply, or a Walk from the initiator's side, belongs to the exchange its sender
  // started; a Walk from the responder's side to ours.
  const bool from_initiator = m.kind == FrameKind::kWalk && m.from_initiator;
  const ExchangeKey key{from_initiator ? from : self_, m.xid};
  auto it = exchanges_.find(key);
  if (it == exchanges_.end() || it->second.peer != from) {
    ++counters_.unknown_exchange;
    return;
  }
  Exchange& ex = it->second;
  if (std::find(ex.seen.begin(), ex.seen.end(), checksum) != ex.seen.end()) {
    ++counters_.duplicates_ignored;
    return;
  }
  if (ex.messages + 2 > config_.messages_per_exchange_max) {
    ++counters_.over_budget;
    return;
  }
  ex.seen.push_back(checksum);
  ++ex.messages;

  Reply out(config_);
  // Wants first: they name our entries as we described them, before this message's
  // registers change any of them.
  const std::uint64_t s = salt(key);
  for (const SyncWant& want : m.wants) {
    state_.tree().for_each_under(want.path.nibbles, [&](const MerkleTree::Entry& e) {
      if (!out.visit()) return false;
      if (!std::binary_search(want.tags.begin(), want.tags.end(), sync_entry_tag(s, e.digest))) return true;
      return out.gather(e);
    });
  }
  join_registers(m.registers);
  if (m.kind == FrameKind::kReply && state_.root() == *m.root) {
    GOSSIP_ASSERT(out.registers.empty());  // a Reply has no wants
    return;  // their fresh registers were all we lacked, and ours all they lacked
  }
  answer_probes(key, m, out);
  counters_.entries_visited += out.visits;
  if (out.visits_left == 0) ++counters_.work_cut;

  SyncMessage walk;
  walk.kind = FrameKind::kWalk;
  walk.xid = m.xid;
  walk.from_initiator = key.initiator == self_;
  for (const auto& [id, reg] : out.registers) {  // ascending id, as the encoding wants
    walk.registers.push_back(SyncItem{id, *reg});
  }
  walk.width = config_.walk_width;
  for (auto& [path, probe] : out.probes) walk.probes.push_back(std::move(probe));
  for (auto& [path, tags] : out.wants) walk.wants.push_back(SyncWant{path, std::move(tags)});
  if (walk.registers.empty() && walk.probes.empty() && walk.wants.empty()) return;
  if (send(from, key, std::move(walk))) ++ex.messages;  // nothing fit the budget: the exchange ends
}

std::optional<SyncProbe> Node::probe_of(const SyncPath& path, std::uint64_t s, Reply* out) const {
  // Our description of the subtree at `path`: its child digests when it is an inner node,
  // otherwise the tags of the entries under it (none when it is empty).
  const MerkleTree& tree = state_.tree();
  const MerkleTree::NodeView view = tree.node_at(path.nibbles);
  SyncProbe p;
  p.path = path;
  if (view.exists && !view.leaf) {
    p.inner = true;
    for (std::uint8_t i = 0; i < MerkleTree::kFanout; ++i) {
      if (view.children[i] == Digest{}) continue;
      p.present |= static_cast<std::uint16_t>(1u << i);
      const std::size_t at = p.digests.size();
      p.digests.resize(at + config_.walk_width);
      sync_child_tag(s, view.children[i], config_.walk_width, p.digests.data() + at);
    }
  } else {
    // Only ever of a leaf, or of the part of a leaf under `path`: at most kLeafCapacity tags.
    // Charged to the answer's visit budget; a leaf set cut short is not sent at all.
    bool complete = true;
    tree.for_each_under(path.nibbles, [&](const MerkleTree::Entry& e) {
      complete = out == nullptr || out->visit();
      if (complete) p.tags.push_back(sync_entry_tag(s, e.digest));
      return complete;
    });
    if (!complete) return std::nullopt;
    std::sort(p.tags.begin(), p.tags.end());
    p.tags.erase(std::unique(p.tags.begin(), p.tags.end()), p.tags.end());
  }
  return p;
}

void Node::answer_probes(const ExchangeKey& key, const SyncMessage& m, Reply& out) const {
  const MerkleTree& tree = state_.tree();
  const std::uint64_t s = salt(key);
  const std::uint8_t width = m.width;

  auto send_all_under = [&](const SyncPath& path) {
    tree.for_each_under(path.nibbles, [&](const MerkleTree::Entry& e) { return out.visit() && out.gather(e); });
  };

  for (const SyncProbe& theirs : m.probes) {
    if (theirs.inner) {
      const MerkleTree::NodeView mine = tree.node_at(theirs.path.nibbles);
      if (!(mine.exists && !mine.leaf)) {
        // Their subtree is larger than ours: describe ours entry by entry.
        if (std::optional<SyncProbe> p = probe_of(theirs.path, s, &out)) out.probes.emplace(p->path, std::move(*p));
        continue;
      }
      std::size_t at = 0;
      for (std::uint8_t i = 0; i < MerkleTree::kFanout; ++i) {
        const bool they_have = (theirs.present >> i) & 1u;
        const bool we_have = mine.children[i] != Digest{};
        bool differ;
        if (they_have && we_have) {
          std::uint8_t tag[kSyncWidthMax];
          sync_child_tag(s, mine.children[i], width, tag);
          differ = !std::equal(tag, tag + width, theirs.digests.data() + at);
        } else {
          differ = they_have != we_have;
        }
        if (they_have) at += width;
        if (!differ) continue;
        const SyncPath child = child_path(theirs.path, i);
        if (!we_have) {
          SyncProbe empty;  // we hold nothing there: an empty leaf set asks for all of it
          empty.path = child;
          out.probes.emplace(child, std::move(empty));
        } else if (!they_have) {
          send_all_under(child);
        } else {
          if (std::optional<SyncProbe> p = probe_of(child, s, &out)) out.probes.emplace(p->path, std::move(*p));
        }
      }
    } else {
      std::vector<bool> matched(theirs.tags.size(), false);
      bool complete = true;
      tree.for_each_under(theirs.path.nibbles, [&](const MerkleTree::Entry& e) {
        complete = out.visit();
        if (!complete) return false;
        const std::uint32_t t = sync_entry_tag(s, e.digest);
        auto it = std::lower_bound(theirs.tags.begin(), theirs.tags.end(), t);
        if (it != theirs.tags.end() && *it == t) {
          matched[static_cast<std::size_t>(it - theirs.tags.begin())] = true;
          return true;
        }
        complete = out.gather(e);
        return complete;
      });
      // Cut short, we cannot tell which of their entries we lack: ask for none of them.
      if (!complete) continue;
      std::vector<std::uint32_t> want;
      for (std::size_t i = 0; i < theirs.tags.size(); ++i) {
        if (!matched[i]) want.push_back(theirs.tags[i]);
      }
      if (!want.empty()) out.wants.emplace(theirs.path, std::move(want));
    }
  }
}

}  // namespace gossip
