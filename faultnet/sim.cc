#include "faultnet/sim.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "reference/assert.h"
#include "reference/digest.h"
#include "reference/operations.h"

namespace faultnet {
namespace {

using gossip::Bytes;
using gossip::ByteView;
using gossip::NodeUnderTest;
using gossip::PatternId;
using gossip::ReplicaId;
using gossip::Rng;
using gossip::State;
using gossip::VectorClock;

constexpr Time kNever = ~Time{0};

enum class EventType : std::uint8_t { kDeliver, kTick, kCrashStart, kCrashEnd, kWrite };

struct Event {
  Time t;
  std::uint64_t seq;
  EventType type;
  std::uint32_t a;  // node, message slot, crash index or write index
};

struct Later {
  bool operator()(const Event& x, const Event& y) const {
    return x.t != y.t ? x.t > y.t : x.seq > y.seq;
  }
};

struct Message {
  NodeId from = 0, to = 0;
  Bytes bytes;
  std::uint64_t xid = 0;    // a Hello's exchange id, for the byte accounting
  gossip::Digest root;      // a Hello's: the sender's root when it left
  bool hello = false;
};

struct ExchangeStat {
  std::uint32_t bytes = 0;
  bool started = false, in_sync = false, fresh = false;
};

struct Slot {
  std::unique_ptr<NodeUnderTest> node;
  bool up = true;
  bool paused = false;
  std::uint32_t restarts = 0;
  Time scheduled = kNever;
  std::uint64_t wake_round = 0;  // the round wakes counts the reschedulings of
  std::uint32_t wakes = 0;
  std::vector<std::uint32_t> held;  // messages that arrived while paused
  std::uint64_t xid_base = 0;  // the first exchange id of this incarnation (0: none started yet)
  std::vector<ExchangeStat> exchanges;  // by xid - xid_base
};

struct Write {
  PatternId id;
  VectorClock clock;
  Time t0 = 0;
  NodeId origin = 0;
  std::vector<bool> have;
  std::uint32_t live_have = 0;
  bool complete = false;
  bool live_at_heal = false;
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& config) : cfg_(config), root_(config.seed) {
    GOSSIP_ASSERT(cfg_.nodes >= 1);
    accounting_ = (cfg_.impl ? *cfg_.impl : *gossip::reference_implementation()).capabilities().accounting;
    net_rng_ = root_.fork("network");
    work_rng_ = root_.fork("workload");
    interval_ = cfg_.node.gossip_interval;
    const std::uint32_t lg = gossip::ceil_log2(cfg_.nodes);
    rounds_ = cfg_.rounds ? cfg_.rounds : default_rounds(cfg_.nodes);
    liveness_max_ = cfg_.liveness_rounds_max ? cfg_.liveness_rounds_max : 4 * lg + 16;
    for (const std::string& name : fault_class_names()) result_.faults_fired[name] = 0;
  }

  TrialResult run(const std::function<void(std::uint32_t, std::uint32_t)>& progress) {
    build_cluster();
    schedule_writes();
    for (std::uint32_t i = 0; i < cfg_.faults.crashes.size(); ++i) {
      push(cfg_.faults.crashes[i].when.start, EventType::kCrashStart, i);
      if (cfg_.faults.crashes[i].kind != Crash::Kind::kStop) {
        push(cfg_.faults.crashes[i].when.end, EventType::kCrashEnd, i);
      }
    }
    const std::uint32_t total = rounds_ + liveness_max_;
    std::uint32_t round = 0;
    for (; round < rounds_; ++round) {
      run_until(Time{round + 1} * interval_);
      if (progress) progress(round + 1, total);
      check_completion();
      if (cfg_.stop_when_delivered && now_ >= last_window_end() &&
          write_events_done_ == cfg_.writes && all_complete()) {
        ++round;
        break;
      }
    }
    result_.safety_rounds = round;
    heal();
    std::uint32_t extra = 0;
    bool agreed = converged();
    while (!agreed && extra < liveness_max_) {
      run_until(Time{round + extra + 1} * interval_);
      ++extra;
      if (progress) progress(round + extra, total);
      check_completion();
      agreed = converged();
    }
    result_.liveness_rounds = extra;
    result_.converged = agreed;
    finish();
    return std::move(result_);
  }

 private:
  // The end of the last timed fault (partition, clog, crash or pause).
  Time last_window_end() const {
    Time end = 0;
    for (const Partition& p : cfg_.faults.partitions) end = std::max(end, p.when.end);
    for (const Clog& c : cfg_.faults.clogs) end = std::max(end, c.when.end);
    for (const Crash& c : cfg_.faults.crashes) end = std::max(end, c.when.end);
    return end;
  }

  void push(Time t, EventType type, std::uint32_t a) { queue_.push(Event{t, seq_++, type, a}); }

  Rng node_rng(NodeId n, std::uint32_t restart) const {
    return root_.fork("node " + std::to_string(n) + " start " + std::to_string(restart));
  }

  void build_cluster() {
    State initial(cfg_.node.cluster_seed);
    if (cfg_.patterns > 0) {
      // The genesis writer: a ReplicaId no node ever uses.
      const ReplicaId genesis = ReplicaId::of(0xFFFFFFFFu, 0);
      Rng r = root_.fork("genesis");
      for (std::uint64_t i = 0; i < cfg_.patterns; ++i) {
        gossip::Content c;
        c.summary = "pattern " + std::to_string(i);
        c.episodes = {r.below(1'000'000), r.below(1'000'000) + 1'000'000};
        c.strength = static_cast<std::uint32_t>(r.below(100));
        const PatternId id = PatternId::from_u64(i + 1);
        GOSSIP_ASSERT(gossip::create(initial, genesis, id, c).is_ok());
        ids_.push_back(id);
      }
    }
    slots_.resize(cfg_.nodes);
    for (NodeId n = 0; n < cfg_.nodes; ++n) {
      slots_[n].node = make_node(n, ReplicaId::of(n, 0), initial, 0);
      reschedule(n, 0);
    }
    live_count_ = cfg_.nodes;
  }

  std::unique_ptr<NodeUnderTest> make_node(NodeId n, ReplicaId replica, State state, std::uint32_t restart) {
    if (!members_) {
      auto m = std::make_shared<std::vector<NodeId>>(cfg_.nodes);
      for (NodeId p = 0; p < cfg_.nodes; ++p) (*m)[p] = p;
      members_ = std::move(m);
    }
    Rng r = node_rng(n, restart);
    auto node = gossip::make_node(cfg_.impl ? *cfg_.impl : *gossip::reference_implementation(), n, replica,
                                  members_, cfg_.node, r.next(), std::move(state));
    slots_[n].xid_base = 0;
    slots_[n].exchanges.clear();
    return node;
  }

  void schedule_writes() {
    writes_.resize(cfg_.writes);
    for (std::uint32_t k = 0; k < cfg_.writes; ++k) {
      // A single write goes at the start of round 1; more are spread over the first half
      // of the safety phase.
      const Time t = cfg_.writes == 1
                         ? interval_
                         : work_rng_.below(std::max<Time>(1, Time{rounds_} * interval_ / 2));
      push(t, EventType::kWrite, k);
    }
  }

  // A node that keeps asking to be woken at once (a wakeup it never moves past, as when it
  // fails to forget an expired exchange) would stall virtual time: after kWakesPerRoundMax
  // reschedulings within one round it waits for the next round. A correct node reschedules a
  // few times per round, far below the cap, so its run is unchanged.
  static constexpr std::uint32_t kWakesPerRoundMax = 256;

  void reschedule(NodeId n, Time now) {
    Slot& s = slots_[n];
    // The node's clock runs cfg_.epoch ahead of the trial's.
    const Time asked = s.node->next_wakeup();
    const Time local = asked == kNever ? kNever : asked > cfg_.epoch ? asked - cfg_.epoch : 0;
    Time w = std::max(local, now + 1);
    if (w != s.scheduled) {
      const std::uint64_t round = now / interval_;
      if (round != s.wake_round) {
        s.wake_round = round;
        s.wakes = 0;
      }
      if (++s.wakes > kWakesPerRoundMax) w = std::max(w, (round + 1) * interval_);
      s.scheduled = w;
      push(w, EventType::kTick, n);
    }
  }

  void run_until(Time end) {
    while (!queue_.empty() && queue_.top().t < end) {
      const Event e = queue_.top();
      queue_.pop();
      now_ = e.t;
      switch (e.type) {
        case EventType::kDeliver: deliver(e.a); break;
        case EventType::kTick: on_tick(e.a); break;
        case EventType::kCrashStart: crash_start(e.a); break;
        case EventType::kCrashEnd: crash_end(e.a); break;
        case EventType::kWrite: issue_write(e.a); break;
      }
    }
    now_ = end;
  }

  void on_tick(NodeId n) {
    Slot& s = slots_[n];
    if (s.scheduled != now_) return;  // superseded
    s.scheduled = kNever;
    if (!s.up || s.paused) return;    // crash_end / resume reschedules
    s.node->tick(cfg_.epoch + now_);
    flush(n);
  }

  ExchangeStat* exchange_stat(NodeId initiator, std::uint64_t xid, bool create) {
    Slot& s = slots_[initiator];
    if (s.xid_base == 0) {
      if (!create) return nullptr;
      s.xid_base = xid;  // exchange ids count up from the first one an incarnation starts
    }
    if (xid < s.xid_base) return nullptr;  // from before a restart
    const std::uint64_t i = xid - s.xid_base;
    if (i >= s.exchanges.size()) {
      if (!create) return nullptr;
      s.exchanges.resize(i + 1);
    }
    return &s.exchanges[i];
  }

  void flush(NodeId n) {
    NodeUnderTest& node = *slots_[n].node;
    node.take_outbox(&outgoing_);
    for (gossip::Outgoing& out : outgoing_) {
      if (out.to >= cfg_.nodes) {  // no such member: dropped (the histories say so as a violation)
        ++misaddressed_;
        continue;
      }
      ++result_.messages_sent;
      result_.bytes_total += out.bytes.size();
      // Exchanges are told apart only for implementations that say which a message is of.
      const bool hello = accounting_ && out.kind == gossip::FrameKind::kHello;
      if (!accounting_) {
        send(n, out.to, std::move(out.bytes), 0, gossip::Digest{});
        continue;
      }
      if (ExchangeStat* x = exchange_stat(out.initiator, out.xid, hello)) {
        if (hello) {
          x->started = true;
          x->in_sync = node.state().root() == slots_[out.to].node->state().root();
          x->fresh = out.registers > 0;
        }
        x->bytes += static_cast<std::uint32_t>(out.bytes.size());
      }
      send(n, out.to, std::move(out.bytes), hello ? out.xid : 0, node.state().root());
    }
    for (const PatternId& id : node.take_changed()) note_change(n, id);
    reschedule(n, now_);
  }

  void fire(const char* name) { ++result_.faults_fired[name]; }

  void send(NodeId from, NodeId to, Bytes bytes, std::uint64_t hello_xid, const gossip::Digest& root) {
    if (!healed_) {
      static const char* kPartitionClass[] = {"partition", "partition_one_way", "isolate",
                                              "split_majority_minority"};
      for (const Partition& p : cfg_.faults.partitions) {
        if (p.blocks(from, to, now_)) {
          fire(kPartitionClass[int(p.kind)]);
          return;
        }
      }
      if (cfg_.faults.loss_ppm && net_rng_.chance(cfg_.faults.loss_ppm, kMillion)) {
        fire("loss");
        return;
      }
    }
    int copies = 1;
    if (!healed_ && cfg_.faults.dup_ppm && net_rng_.chance(cfg_.faults.dup_ppm, kMillion)) {
      fire("duplicate");
      copies = 2;
    }
    for (int c = 0; c < copies; ++c) {
      Message m{from, to, c + 1 < copies ? bytes : std::move(bytes), hello_xid, root,
                hello_xid != 0};
      Time t = now_ + std::max<Time>(1, cfg_.faults.latency.sample(net_rng_));
      if (!healed_) {
        if (cfg_.faults.corrupt_ppm && net_rng_.chance(cfg_.faults.corrupt_ppm, kMillion)) {
          fire("corrupt");
          const std::uint64_t flips = net_rng_.between(1, 3);
          for (std::uint64_t f = 0; f < flips; ++f) {
            const std::uint64_t bit = net_rng_.below(m.bytes.size() * 8);
            m.bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
          }
        }
        if (cfg_.faults.reorder_ppm && net_rng_.chance(cfg_.faults.reorder_ppm, kMillion)) {
          fire("reorder");
          t += net_rng_.between(1, interval_ / 2);
        }
        for (const Clog& k : cfg_.faults.clogs) {
          if (k.when.contains(now_) && ((k.a == from && k.b == to) || (k.a == to && k.b == from))) {
            fire("clog");
            t = std::max(t, k.when.end + (t - now_));
          }
        }
      }
      std::uint32_t slot;
      if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
        messages_[slot] = std::move(m);
      } else {
        slot = static_cast<std::uint32_t>(messages_.size());
        messages_.push_back(std::move(m));
      }
      push(t, EventType::kDeliver, slot);
    }
  }

  void release(std::uint32_t slot) {
    messages_[slot].bytes = Bytes();
    free_.push_back(slot);
  }

  void fold_trace(std::uint64_t a, std::uint64_t b, std::uint64_t c, ByteView bytes) {
    std::uint64_t words[4] = {trace_, a, b, c};
    trace_ = gossip::hash64(gossip::hash64(0, ByteView(reinterpret_cast<const std::uint8_t*>(words),
                                                       sizeof words)),
                            bytes);
  }

  void deliver(std::uint32_t slot) {
    Message& m = messages_[slot];
    Slot& s = slots_[m.to];
    if (!s.up) {
      ++dropped_to_down_;
      release(slot);
      return;
    }
    if (s.paused) {
      s.held.push_back(slot);
      return;
    }
    ++result_.messages_delivered;
    fold_trace(now_, m.from, m.to, m.bytes);
    if (m.hello) {
      // In sync means in the same state when the Hello left and when it arrived.
      if (ExchangeStat* x = exchange_stat(m.from, m.xid, false)) {
        x->in_sync = x->in_sync && s.node->state().root() == m.root;
      }
    }
    s.node->tick(cfg_.epoch + now_);
    s.node->receive(m.from, m.bytes);
    const NodeId to = m.to;
    release(slot);
    flush(to);
  }

  void issue_write(std::uint32_t k) {
    ++write_events_done_;
    std::vector<NodeId> ready;
    for (NodeId n = 0; n < cfg_.nodes; ++n) {
      if (slots_[n].up && !slots_[n].paused) ready.push_back(n);
    }
    if (ready.empty()) {
      ++result_.writes_failed;
      return;
    }
    const NodeId origin = ready[work_rng_.below(ready.size())];
    NodeUnderTest& node = *slots_[origin].node;
    node.tick(cfg_.epoch + now_);
    gossip::Content c;
    c.summary = "write " + std::to_string(k) + " at node " + std::to_string(origin);
    c.episodes = {work_rng_.below(2'000'000), 2'000'000 + k};
    c.strength = static_cast<std::uint32_t>(work_rng_.below(100));
    const std::uint64_t dice = work_rng_.below(10);
    std::vector<PatternId> touched;
    gossip::Status st;
    if (dice < 2 && ids_.size() >= 2) {
      const std::size_t ia = work_rng_.below(ids_.size());
      const std::size_t ib = (ia + 1 + work_rng_.below(ids_.size() - 1)) % ids_.size();
      const PatternId a = ids_[ia];
      const PatternId b = ids_[ib];
      st = node.absorb(a, b);
      touched = {b, a};
    } else if (dice < 6 && !ids_.empty()) {
      const PatternId id = ids_[work_rng_.below(ids_.size())];
      st = node.state().find(id) ? node.refine(id, c) : node.create(id, c);
      touched = {id};
    } else {
      const PatternId id = PatternId::from_u64((std::uint64_t{1} << 40) + k);
      st = node.create(id, c);
      ids_.push_back(id);
      touched = {id};
    }
    std::uint64_t words[2] = {k, origin};
    fold_trace(now_, 0xFFFFFFFFu, st.is_ok() ? 1 : 0,
               ByteView(reinterpret_cast<const std::uint8_t*>(words), sizeof words));
    if (!st.is_ok()) {
      ++result_.writes_failed;
      flush(origin);
      return;
    }
    // Track the version each write made: after a local write the register is that version
    // alone (it dominates every sibling the writer saw).
    for (std::size_t i = 0; i < touched.size(); ++i) {
      const gossip::Register* reg = node.state().find(touched[i]);
      GOSSIP_ASSERT(reg && reg->siblings().size() == 1);
      Write w;
      w.id = touched[i];
      w.clock = reg->siblings()[0].clock;
      w.t0 = now_;
      w.origin = origin;
      w.have.assign(cfg_.nodes, false);
      if (i == 0) {
        writes_[k] = std::move(w);
        by_id_.emplace(touched[i], k);
      } else {
        writes_.push_back(std::move(w));
        by_id_.emplace(touched[i], static_cast<std::uint32_t>(writes_.size() - 1));
      }
    }
    ++result_.writes_issued;
    result_.versions_tracked += touched.size();
    flush(origin);  // marks the origin as holding its writes
  }

  bool holds(NodeId n, const Write& w) const {
    const gossip::Register* reg = slots_[n].node->state().find(w.id);
    if (!reg) return false;
    for (const gossip::Version& v : reg->siblings()) {
      const gossip::ClockOrder o = w.clock.compare(v.clock);
      if (o == gossip::ClockOrder::kBefore || o == gossip::ClockOrder::kEqual) return true;
    }
    return false;
  }

  void note_change(NodeId n, const PatternId& id) {
    auto [lo, hi] = by_id_.equal_range(id);
    for (auto it = lo; it != hi; ++it) {
      Write& w = writes_[it->second];
      if (w.have.empty() || w.have[n] || !holds(n, w)) continue;
      w.have[n] = true;
      if (slots_[n].up) ++w.live_have;
      maybe_complete(w);
    }
  }

  void maybe_complete(Write& w) {
    if (w.complete || w.live_have < live_count_ || live_count_ == 0) return;
    w.complete = true;
    const Time dt = now_ - w.t0;
    result_.rounds_to_full.push_back(static_cast<std::uint32_t>((dt + interval_ - 1) / interval_));
  }

  void check_completion() {
    for (Write& w : writes_) {
      if (!w.have.empty()) maybe_complete(w);
    }
  }

  bool all_complete() const {
    return std::all_of(writes_.begin(), writes_.end(),
                       [](const Write& w) { return w.have.empty() || w.complete; });
  }

  void go_down(NodeId n) {
    Slot& s = slots_[n];
    if (!s.up) return;
    s.up = false;
    --live_count_;
    for (Write& w : writes_) {
      if (!w.have.empty() && w.have[n]) --w.live_have;
    }
    for (std::uint32_t m : s.held) release(m);
    s.held.clear();
    s.paused = false;
    check_completion();
  }

  void retire_counters(const NodeUnderTest& node) {
    const gossip::NodeCounters* counters = node.counters();
    if (counters == nullptr) return;  // an implementation without the reference's counters
    const gossip::NodeCounters& c = *counters;
    auto add = [&](const char* k, std::uint64_t v) { result_.node_counters[k] += v; };
    add("exchanges_started", c.exchanges_started);
    add("exchanges_skipped", c.exchanges_skipped);
    add("exchanges_timed_out", c.exchanges_timed_out);
    add("hellos_in_sync", c.hellos_in_sync);
    add("decode_errors", c.decode_errors);
    add("unknown_exchange", c.unknown_exchange);
    add("duplicates_ignored", c.duplicates_ignored);
    add("over_budget", c.over_budget);
    add("registers_sent", c.registers_sent);
    add("registers_changed", c.registers_changed);
    add("registers_rejected", c.registers_rejected);
  }

  void crash_start(std::uint32_t i) {
    if (healed_) return;
    const Crash& c = cfg_.faults.crashes[i];
    Slot& s = slots_[c.node];
    if (!s.up || s.paused) return;  // already down or paused by another fault
    switch (c.kind) {
      case Crash::Kind::kStop: fire("crash_stop"); go_down(c.node); break;
      case Crash::Kind::kRestartDurable: fire("restart_durable"); go_down(c.node); break;
      case Crash::Kind::kRestartAmnesia: {
        fire("restart_amnesia");
        go_down(c.node);
        for (Write& w : writes_) {
          if (!w.have.empty()) w.have[c.node] = false;  // its state is gone
        }
        amnesia_pending_[c.node] = true;
        break;
      }
      case Crash::Kind::kPause: fire("pause"); s.paused = true; break;
    }
    active_crash_[c.node] = i;
  }

  void crash_end(std::uint32_t i) {
    const Crash& c = cfg_.faults.crashes[i];
    auto it = active_crash_.find(c.node);
    if (it == active_crash_.end() || it->second != i) return;
    active_crash_.erase(it);
    recover(c.node, c.kind);
  }

  void recover(NodeId n, Crash::Kind kind) {
    Slot& s = slots_[n];
    if (kind == Crash::Kind::kPause) {
      if (!s.paused) return;
      s.paused = false;
      std::vector<std::uint32_t> held = std::move(s.held);
      s.held.clear();
      for (std::uint32_t m : held) deliver(m);
      if (s.up) {
        s.node->tick(cfg_.epoch + now_);
        flush(n);
      }
      return;
    }
    if (s.up || kind == Crash::Kind::kStop) return;
    retire_counters(*s.node);
    ++s.restarts;
    if (amnesia_pending_[n]) {
      amnesia_pending_[n] = false;
      const std::optional<ReplicaId> fresh = s.node->replica().next_incarnation();
      GOSSIP_ASSERT_MSG(fresh.has_value(), "incarnations used up (a trial starts every node at 0)");
      s.node = make_node(n, *fresh, State(cfg_.node.cluster_seed), s.restarts);
    } else {
      State durable = s.node->state();
      s.node = make_node(n, s.node->replica(), std::move(durable), s.restarts);
    }
    s.up = true;
    ++live_count_;
    for (Write& w : writes_) {
      if (!w.have.empty() && w.have[n]) ++w.live_have;
    }
    s.scheduled = kNever;
    s.node->tick(cfg_.epoch + now_);
    flush(n);
  }

  void heal() {
    healed_ = true;
    for (auto [n, i] : std::map<NodeId, std::uint32_t>(active_crash_)) {
      active_crash_.erase(n);
      recover(n, cfg_.faults.crashes[i].kind);
    }
    for (Write& w : writes_) {
      if (w.have.empty()) continue;
      w.live_at_heal = w.live_have > 0;
      if (!w.live_at_heal) ++result_.writes_lost_with_origin;
    }
  }

  bool converged() const {
    const gossip::Digest* first = nullptr;
    for (const Slot& s : slots_) {
      if (!s.up) continue;
      const gossip::Digest& r = s.node->state().tree().root();
      if (!first) {
        first_root_ = r;
        first = &first_root_;
      } else if (r != *first) {
        return false;
      }
    }
    return true;
  }

  void finish() {
    for (NodeId n = 0; n < cfg_.nodes; ++n) {
      Slot& s = slots_[n];
      if (s.up) ++result_.live_nodes;
      retire_counters(*s.node);
      for (const ExchangeStat& x : s.exchanges) {
        if (!x.started) continue;
        (x.in_sync ? result_.in_sync : result_.diverged).add(x.bytes);
        if (x.in_sync && !x.fresh) result_.in_sync_quiescent.add(x.bytes);
      }
    }
    result_.node_counters["messages_to_down_nodes"] = dropped_to_down_;
    if (misaddressed_ > 0) result_.node_counters["messages_to_no_member"] = misaddressed_;
    NodeId any_live = cfg_.nodes;
    for (NodeId n = 0; n < cfg_.nodes && any_live == cfg_.nodes; ++n) {
      if (slots_[n].up) any_live = n;
    }
    if (result_.converged && any_live < cfg_.nodes) {
      result_.root_at_end = slots_[any_live].node->state().root().hex();
      result_.patterns_at_end = slots_[any_live].node->state().size();
      for (const Write& w : writes_) {
        if (!w.have.empty() && w.live_at_heal && !holds(any_live, w)) ++result_.writes_missing;
      }
    }
    result_.trace_hash = trace_;
    if (!result_.converged) {
      result_.failure = "no convergence within " + std::to_string(liveness_max_) +
                        " rounds after healing (I1)";
    } else if (result_.writes_missing) {
      result_.failure = std::to_string(result_.writes_missing) + " writes lost (I2)";
    }
  }

  SimConfig cfg_;
  Rng root_;
  Rng net_rng_{0};
  Rng work_rng_{0};
  Time interval_ = 0;
  std::uint32_t rounds_ = 0, liveness_max_ = 0;
  Time now_ = 0;
  std::uint64_t seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  std::vector<Message> messages_;
  std::vector<std::uint32_t> free_;
  std::vector<Slot> slots_;
  std::vector<gossip::Outgoing> outgoing_;  // scratch, swapped with each node's outbox
  std::shared_ptr<const std::vector<NodeId>> members_;
  std::vector<PatternId> ids_;
  std::vector<Write> writes_;
  std::multimap<PatternId, std::uint32_t> by_id_;
  std::uint64_t write_events_done_ = 0;
  std::uint32_t live_count_ = 0;
  std::map<NodeId, std::uint32_t> active_crash_;
  std::map<NodeId, bool> amnesia_pending_;
  bool healed_ = false;
  bool accounting_ = true;  // the implementation says which exchange each message is of
  std::uint64_t misaddressed_ = 0;  // messages to no member, dropped
  std::uint64_t dropped_to_down_ = 0;
  std::uint64_t trace_ = 0;
  mutable gossip::Digest first_root_;
  TrialResult result_;
};

}  // namespace

std::uint32_t default_rounds(std::uint32_t nodes) { return 4 * gossip::ceil_log2(nodes) + 8; }

TrialResult run_trial(const SimConfig& config,
                      const std::function<void(std::uint32_t, std::uint32_t)>& progress) {
  return Simulation(config).run(progress);
}

std::uint64_t trial_seed(std::uint64_t seed, std::uint64_t trial) {
  return Rng(seed).fork("trial " + std::to_string(trial)).next();
}

std::vector<std::uint32_t> ideal_push_pull(std::uint32_t n, std::uint32_t loss_ppm,
                                           std::uint32_t trials, std::uint64_t seed,
                                           std::uint32_t initially) {
  GOSSIP_ASSERT_MSG(initially >= 1 && initially <= n, "the rumour starts at 1 to n nodes");
  std::vector<std::uint32_t> out;
  Rng rng = Rng(seed).fork("ideal push-pull");
  std::vector<std::uint8_t> knows(n), next(n);
  for (std::uint32_t t = 0; t < trials; ++t) {
    std::fill(knows.begin(), knows.end(), 0);
    for (std::uint32_t k = 0; k < initially;) {  // distinct nodes, drawn uniformly
      const std::size_t v = rng.below(n);
      k += knows[v] ? 0u : 1u;
      knows[v] = 1;
    }
    std::uint32_t informed = initially, rounds = 0;
    while (informed < n) {
      ++rounds;
      next = knows;
      for (std::uint32_t v = 0; v < n; ++v) {
        std::uint32_t u = static_cast<std::uint32_t>(rng.below(n - 1));
        if (u >= v) ++u;
        if (loss_ppm && rng.chance(loss_ppm, kMillion)) continue;  // the exchange is lost
        if (knows[v] || knows[u]) next[v] = next[u] = 1;
      }
      knows.swap(next);
      informed = static_cast<std::uint32_t>(std::count(knows.begin(), knows.end(), 1));
    }
    out.push_back(rounds);
  }
  return out;
}

}  // namespace faultnet
