// Node: one replica of the gossip protocol, sans-IO (docs/PROTOCOL.md has the full story).
//
// No sockets, threads or clocks inside. A driver (faultnet's simulator, a real transport, a
// test) owns time and the network:
//   Node node(self, replica, members, config, seed, state); // init
//   node.create / refine / absorb(...)                       // local writes
//   node.tick(now)                   // time moved to `now`: maybe start an exchange, expire
//   node.receive(from, bytes)        // a message arrived (at the time of the last tick)
//   for (Outgoing& m : node.take_outbox()) send m.bytes to m.to
//   node.next_wakeup()               // when tick() next has work to do
// Bytes in, bytes out; the state out is the canonical State (and its codec encoding). That
// is the whole seam an alternative implementation has to fill.
//
// Protocol (push-pull Merkle anti-entropy). Every gossip interval the node picks a peer
// uniformly at random and sends a Hello: an exchange id, its root digest, and the registers
// it changed in the last `recent_rounds` intervals (eager push of fresh writes). The peer
// joins those registers; if its root now equals the Hello's it says nothing (in sync: one
// message, at most 32 bytes when there is no fresh write). Otherwise it answers with a Reply:
// its root, its own fresh registers (the pull) and a probe of its root node. From there the
// two sides walk down the divergent subtrees, each Walk message answering the probes of the
// previous one with probes one level deeper (child digests truncated to `walk_width` bytes,
// salted per exchange, so a collision never repeats), then leaf sets (32-bit tags of entry
// digests), registers and wants. Every message is safe on its own: joins are idempotent and
// all-or-nothing per register, so a lost, duplicated, reordered or late message can delay
// convergence but never breaks an invariant; an exchange that stalls is forgotten at its
// deadline, and the next one starts from the roots again.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "reference/content.h"
#include "reference/rng.h"
#include "reference/state.h"
#include "reference/sync_message.h"

namespace gossip {

using NodeId = std::uint32_t;  // a network address; a restarted node keeps it
using Time = std::uint64_t;    // virtual microseconds

// ceil(log2 n) for n >= 1, in integers: the unit of every round bound (fresh window,
// safety and liveness phases).
constexpr std::uint32_t ceil_log2(std::uint64_t n) {
  std::uint32_t k = 0;
  while ((std::uint64_t{1} << k) < n) ++k;
  return k;
}

// Bounds from above the bytes of each section's count varint and of the probes' width byte: a
// message cut to its budget reserves them (docs/PROTOCOL.md, "Budgets, exactly").
inline constexpr std::size_t kSectionBytesMax = 3 * 5 + 1;
// Bounds from above what a message takes besides its registers, probes and wants: the frame,
// the xid, the flags, a root and the sections' counts. Registers gathered for one answer stop
// at message_bytes_max minus this.
inline constexpr std::size_t kMessageOverheadMax = kFrameOverheadBytes + 10 + 1 + 16 + kSectionBytesMax;

struct NodeConfig {
  std::uint64_t cluster_seed = 0;
  Time gossip_interval = 1'000'000;
  Time exchange_timeout = 0;        // 0: one gossip interval
  std::uint32_t recent_rounds = 0;  // 0: 2 * ceil(log2(cluster size)) + 4
  std::size_t recent_max = 32;      // fresh registers pushed in one Hello or Reply
  std::uint8_t walk_width = 2;      // bytes per child digest in a probe, 1 to 8
  // Every message this node sends fits in it (exactly: sync_message_bytes); what does not fit
  // waits for a later exchange. It also bounds the work one incoming message can cause: at
  // most message_bytes_max / 3 + 64 entries of the tree visited. A register whose encoding
  // alone is larger never travels: the default holds the largest register the limits allow.
  std::size_t message_bytes_max = 1u << 20;
  std::size_t exchanges_max = 64;            // live exchanges this node started; and answers
  std::size_t exchanges_per_peer_max = 2;    // live exchanges one peer may have us answer
  std::uint32_t messages_per_exchange_max = 100;
};

struct Outgoing {
  NodeId to = 0;
  Bytes bytes;
  // For accounting by the driver (not needed to deliver): the exchange this message belongs
  // to, its kind, and how many registers it carries.
  NodeId initiator = 0;
  std::uint64_t xid = 0;
  FrameKind kind = FrameKind::kHello;
  std::uint32_t registers = 0;
};

struct NodeCounters {
  std::uint64_t exchanges_started = 0;
  std::uint64_t exchanges_skipped = 0;      // a tick found too many live exchanges
  std::uint64_t exchanges_timed_out = 0;    // forgotten at their deadline, either role
  std::uint64_t hellos_in_sync = 0;         // a Hello that needed no answer
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t decode_errors = 0;          // corrupt, malformed or self-addressed input, dropped whole
  std::uint64_t unknown_exchange = 0;       // a Reply or Walk for no live exchange (late)
  std::uint64_t duplicates_ignored = 0;
  std::uint64_t over_budget = 0;            // dropped: exchange or message budget exceeded
  std::uint64_t cut_by_budget = 0;          // registers, probes, wants left out of a message
  std::uint64_t entries_visited = 0;        // tree entries visited to answer messages
  std::uint64_t work_cut = 0;               // answers cut short by the visit budget
  std::uint64_t registers_sent = 0;
  std::uint64_t registers_received = 0;
  std::uint64_t registers_changed = 0;      // received registers that changed the state
  std::uint64_t registers_rejected = 0;     // joins refused (conflicting write, limits)
};

class Node {
 public:
  // `members`: the cluster's node ids, ascending, self among them or not (shared between the
  // nodes of a simulation: one list, not one per node).
  // REQUIRES: config.walk_width in 1..8; config.message_bytes_max >= 64; state's seed is the
  // config's cluster seed; `replica` never used before (a restart with amnesia brings a new
  // one).
  Node(NodeId self, ReplicaId replica, std::shared_ptr<const std::vector<NodeId>> members,
       NodeConfig config,
       std::uint64_t seed, State state);

  Status create(const PatternId& id, const Content& content);
  Status refine(const PatternId& id, const Content& content);
  Status absorb(const PatternId& a, const PatternId& into);

  // Time moves to `now` (never backwards): starts an exchange when one is due, forgets
  // exchanges past their deadline.
  void tick(Time now);
  // A message from `from`. Anything that does not decode is counted and dropped.
  void receive(NodeId from, ByteView bytes);
  std::vector<Outgoing> take_outbox();
  // The same, into *out (cleared first) by swapping buffers: no allocation in steady state.
  void take_outbox(std::vector<Outgoing>* out);
  Time next_wakeup() const;

  // Appends, as bytes, everything that decides what this node does from now on (its state's
  // encoding, time, random stream, live exchanges, fresh-write window; not its counters): two
  // nodes with equal bytes answer every input alike. For exhaustive exploration (explore.h),
  // which prunes states it has seen.
  void append_fingerprint(std::string* out) const;

  // The ids whose registers changed (by a local write or a join) since the last call, each
  // once, ascending.
  std::vector<PatternId> take_changed();

  NodeId self() const { return self_; }
  ReplicaId replica() const { return replica_; }
  const State& state() const { return state_; }
  const NodeCounters& counters() const { return counters_; }
  const NodeConfig& config() const { return config_; }
  std::size_t live_exchanges() const { return exchanges_.size(); }
  // The id the next exchange this node starts will carry (ids start at a random point so
  // that a restarted node does not reuse the ids its peers may still remember).
  std::uint64_t next_xid() const { return next_xid_; }

 private:
  struct ExchangeKey {
    NodeId initiator;
    std::uint64_t xid;
    auto operator<=>(const ExchangeKey&) const = default;
  };
  struct Exchange {
    NodeId peer = 0;
    Time deadline = 0;
    std::uint32_t messages = 0;
    std::vector<std::uint32_t> seen;  // checksums of the messages received in it
  };
  struct Reply;  // the parts of an answer, gathered while processing one message

  void start_exchange();
  void expire();
  // Records a live exchange / forgets one (the counts of exchanges by role and peer).
  void remember(const ExchangeKey& key, NodeId peer, Time deadline);
  void forget(const ExchangeKey& key);
  void note_changed(const PatternId& id);
  void join_registers(const std::vector<SyncItem>& items);
  std::vector<SyncItem> fresh_registers(const std::vector<SyncItem>& exclude_equal) const;
  std::uint64_t salt(const ExchangeKey& key) const;
  void on_hello(NodeId from, const SyncMessage& m, std::uint32_t checksum);
  void on_answer(NodeId from, const SyncMessage& m, std::uint32_t checksum);
  // Our description of the subtree at `path`; nullopt when `out`'s visit budget ran out.
  std::optional<SyncProbe> probe_of(const SyncPath& path, std::uint64_t salt, Reply* out = nullptr) const;
  void answer_probes(const ExchangeKey& key, const SyncMessage& m, Reply& out) const;
  // Fits m to the byte budget and queues it; false when nothing of a Walk was left to send.
  bool send(NodeId to, const ExchangeKey& key, SyncMessage m);

  NodeId self_;
  ReplicaId replica_;
  std::shared_ptr<const std::vector<NodeId>> members_;
  std::size_t self_index_ = 0;  // where self is, or would be, in members_
  std::size_t peer_count_ = 0;
  NodeConfig config_;
  Rng rng_;
  State state_;
  Time now_ = 0;
  Time next_gossip_ = 0;
  Time recent_window_ = 0;
  std::uint64_t next_xid_ = 1;
  std::map<ExchangeKey, Exchange> exchanges_;
  std::size_t own_exchanges_ = 0;       // of exchanges_, those this node started
  std::size_t answered_exchanges_ = 0;  // the others
  std::map<NodeId, std::size_t> answered_by_peer_;  // the others by initiator, none zero
  Time next_expiry_ = ~Time{0};
  std::deque<std::pair<Time, PatternId>> recent_;  // (latest change, id): one per id, oldest first, at most recent_max
  // Distinct: bounded by the state's size even when no driver takes it. Not part of the
  // fingerprint: it never changes what the node does.
  std::set<PatternId> changed_;
  std::vector<Outgoing> outbox_;
  NodeCounters counters_;
};

}  // namespace gossip
