#include "reference/node.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <set>

#include "reference/operations.h"
#include "reference/sync_message.h"
#include "reference/text.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::content;
using testing::kSeed;
using testing::pid;

constexpr Time kInterval = 1'000'000;

std::shared_ptr<const std::vector<NodeId>> members(std::uint32_t n) {
  auto m = std::make_shared<std::vector<NodeId>>();
  for (NodeId i = 0; i < n; ++i) m->push_back(i);
  return m;
}

// A hand-driven network of nodes: messages are delivered in the order sent, or not at all.
struct Bench {
  std::vector<std::unique_ptr<Node>> nodes;
  struct InFlight {
    NodeId from;
    Outgoing out;
  };
  std::deque<InFlight> wire;
  std::vector<InFlight> log;  // every message sent, in order
  Time now = 0;

  Bench(std::uint32_t n, const State& initial, NodeConfig config = {}) {
    config.cluster_seed = kSeed;
    for (NodeId i = 0; i < n; ++i) {
      nodes.push_back(std::make_unique<Node>(i, ReplicaId::of(i, 0), members(n), config, 100 + i, initial));
    }
  }
  void collect(NodeId n) {
    for (Outgoing& o : nodes[n]->take_outbox()) {
      wire.push_back({n, o});
      log.push_back({n, o});
    }
  }
  // Moves time to the next interval boundary: every node starts one exchange.
  void round() {
    now += kInterval;
    for (NodeId i = 0; i < nodes.size(); ++i) {
      nodes[i]->tick(now);
      collect(i);
    }
  }
  void deliver_all() {
    while (!wire.empty()) {
      InFlight m = std::move(wire.front());
      wire.pop_front();
      Node& to = *nodes[m.out.to];
      to.tick(now);
      to.receive(m.from, m.out.bytes);
      collect(m.out.to);
    }
  }
};

State initial_state(std::uint64_t patterns) {
  State s(kSeed);
  for (std::uint64_t i = 1; i <= patterns; ++i) {
    EXPECT_TRUE(create(s, ReplicaId::of(999, 0), pid(i), content(std::to_string(i), {i})).is_ok());
  }
  return s;
}

TEST(Node, InSyncExchangeIsOneMessageOfAtMost32Bytes) {
  Bench b(2, initial_state(1000));
  b.round();
  ASSERT_EQ(b.wire.size(), 2u);  // one Hello from each node
  for (const auto& m : b.wire) {
    EXPECT_EQ(m.out.kind, FrameKind::kHello);
    EXPECT_LE(m.out.bytes.size(), 32u);
  }
  b.deliver_all();
  EXPECT_EQ(b.log.size(), 2u);  // nobody answered
  EXPECT_EQ(b.nodes[0]->counters().hellos_in_sync + b.nodes[1]->counters().hellos_in_sync, 2u);
}

TEST(Node, AFreshWriteTravelsInTheHello) {
  Bench b(2, initial_state(100));
  ASSERT_TRUE(b.nodes[0]->refine(pid(7), content("refined")).is_ok());
  b.round();
  b.deliver_all();
  EXPECT_EQ(b.nodes[0]->state().root(), b.nodes[1]->state().root());
  EXPECT_EQ(b.nodes[1]->state().find(pid(7))->siblings()[0].content.summary, "refined");
  // Node 0's Hello carried the write and settled it; node 1's Hello then found them in
  // sync (or arrived first and drew a Reply that carried nothing node 0 lacked).
  EXPECT_LE(b.log.size(), 4u);
}

// docs/PROTOCOL.md, "Fresh registers": the newest recent_max distinct ids changed within the
// window, however many times the newest of them changed (found by an independent review: the
// reference kept the newest 4 * recent_max + 16 change records, so one pattern refined 144
// times pushed every other fresh write out of the Hello).
TEST(Node, FreshWritesAreTheNewestDistinctIdsHoweverOftenOneChanges) {
  Bench b(2, initial_state(10));
  ASSERT_TRUE(b.nodes[0]->refine(pid(3), content("once")).is_ok());
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(b.nodes[0]->refine(pid(5), content("hot " + std::to_string(i))).is_ok());
  }
  b.round();
  const auto hello = std::find_if(b.wire.begin(), b.wire.end(), [](const Bench::InFlight& m) { return m.from == 0; });
  ASSERT_NE(hello, b.wire.end());
  Result<SyncMessage> m = decode_sync_message(hello->out.bytes);
  ASSERT_TRUE(m.is_ok());
  std::vector<PatternId> ids;
  for (const SyncItem& item : m.value().registers) ids.push_back(item.id);
  EXPECT_EQ(ids, (std::vector<PatternId>{pid(3), pid(5)}));
}

// Old divergence (nothing recent left to push) is found by walking the tree.
TEST(Node, AWalkFindsOldDifferencesAndCostsFollowD) {
  NodeConfig config;
  config.recent_rounds = 1;
  const State base = initial_state(20000);
  for (std::uint64_t d : {1u, 10u, 100u}) {
    Bench b(2, base, config);
    for (std::uint64_t i = 0; i < d; ++i) {
      ASSERT_TRUE(b.nodes[i % 2]->refine(pid(1 + i * 97), content(std::to_string(i * 7))).is_ok());
    }
    b.now += 3 * kInterval;  // let the writes age out of the recent window
    b.nodes[0]->tick(b.now);
    b.nodes[1]->tick(b.now);
    b.collect(0);
    b.collect(1);
    b.wire.clear();
    b.log.clear();
    b.round();
    b.wire.pop_back();  // only node 0's exchange
    b.deliver_all();
    EXPECT_EQ(b.nodes[0]->state(), b.nodes[1]->state()) << "d = " << d;
    std::size_t bytes = 0;
    for (const auto& m : b.log) bytes += m.out.bytes.size();
    // depth of a 20,000-pattern tree is 4: Hello, Reply, 3 walk levels, leaf sets, registers.
    EXPECT_LE(b.log.size(), 2u * (4 + 2) + 1) << "d = " << d;
    EXPECT_LT(bytes, 400 * d + 600) << "d = " << d;
  }
}

TEST(Node, DuplicatedAndReorderedMessagesChangeNothing) {
  NodeConfig config;
  config.recent_rounds = 1;
  const State base = initial_state(3000);
  auto diverge = [](Bench& b) {
    for (std::uint64_t i = 0; i < 40; ++i) {
      ASSERT_TRUE(b.nodes[i % 2]->refine(pid(1 + i * 31), content(std::to_string(i * 7))).is_ok());
    }
  };
  Bench clean(2, base, config), noisy(2, base, config);
  diverge(clean);
  diverge(noisy);
  clean.round();
  clean.deliver_all();
  // The noisy network delivers every message twice, the second copies in reverse order
  // after everything else.
  noisy.round();
  std::vector<Bench::InFlight> copies;
  while (!noisy.wire.empty()) {
    Bench::InFlight m = noisy.wire.front();
    noisy.wire.pop_front();
    copies.push_back(m);
    Node& to = *noisy.nodes[m.out.to];
    to.receive(m.from, m.out.bytes);
    noisy.collect(m.out.to);
  }
  for (auto it = copies.rbegin(); it != copies.rend(); ++it) {
    noisy.nodes[it->out.to]->receive(it->from, it->out.bytes);
    noisy.collect(it->out.to);
  }
  noisy.deliver_all();
  EXPECT_EQ(clean.nodes[0]->state(), noisy.nodes[0]->state());
  EXPECT_EQ(clean.nodes[1]->state(), noisy.nodes[1]->state());
  EXPECT_EQ(noisy.nodes[0]->state(), noisy.nodes[1]->state());
  EXPECT_GT(noisy.nodes[0]->counters().duplicates_ignored +
                noisy.nodes[1]->counters().duplicates_ignored,
            0u);
}

TEST(Node, CorruptOrForeignBytesAreCountedAndDropped) {
  Bench b(2, initial_state(10));
  ASSERT_TRUE(b.nodes[0]->refine(pid(3), content("x")).is_ok());
  b.round();
  const State before = b.nodes[1]->state();
  for (auto& m : b.wire) {
    if (m.out.to != 1) continue;
    Bytes bad = m.out.bytes;
    bad[bad.size() / 2] ^= 0x10;
    b.nodes[1]->receive(0, bad);
    b.nodes[1]->receive(0, Bytes{});
    b.nodes[1]->receive(0, encode_digest_frame(Digest{}));  // a valid frame, not a message
  }
  EXPECT_EQ(b.nodes[1]->counters().decode_errors, 3u);
  EXPECT_EQ(b.nodes[1]->state(), before);
  EXPECT_TRUE(b.nodes[1]->take_outbox().empty());
}

// docs/PROTOCOL.md: a register the join refuses is counted and skipped; the rest of the
// message still applies. (The property refused_register_skipped checks the state through the
// seam; the count is the reference's own, so it is checked here.)
TEST(Node, ARefusedRegisterIsCountedAndTheRestApplies) {
  Bench b(2, initial_state(3));
  ASSERT_NE(b.nodes[1]->state().find(pid(2)), nullptr);
  const Register held = *b.nodes[1]->state().find(pid(2));  // a copy: the tree may change under it
  Version lie = held.siblings()[0];
  lie.content.summary = "not what was written";  // the same clock, other content
  SyncMessage m;
  m.kind = FrameKind::kHello;
  m.xid = 77;
  m.root = Digest{};
  m.registers.push_back(SyncItem{pid(2), Register(lie)});
  m.registers.push_back(SyncItem{pid(9), Register(Version{VectorClock(std::vector<VectorClock::Entry>{{ReplicaId::of(5, 0), 1}}), content("new")})});
  b.nodes[1]->receive(0, encode_sync_message(m));
  EXPECT_EQ(b.nodes[1]->counters().registers_rejected, 1u);
  EXPECT_EQ(*b.nodes[1]->state().find(pid(2)), held);
  EXPECT_NE(b.nodes[1]->state().find(pid(9)), nullptr);
}

TEST(Node, APeerThatVanishesMidExchangeIsForgottenAtTheDeadline) {
  Bench b(2, initial_state(10));
  ASSERT_TRUE(b.nodes[1]->refine(pid(3), content("x")).is_ok());
  b.round();
  b.wire.clear();  // node 1 vanishes: nothing it sent, nor anything sent to it, arrives
  EXPECT_EQ(b.nodes[0]->live_exchanges(), 1u);
  b.nodes[0]->tick(b.now + kInterval - 1);  // just before the deadline (one more may start)
  EXPECT_EQ(b.nodes[0]->counters().exchanges_timed_out, 0u);
  b.nodes[0]->tick(b.now + kInterval);  // the first exchange's deadline
  EXPECT_EQ(b.nodes[0]->counters().exchanges_timed_out, 1u);
  b.nodes[0]->tick(b.now + 3 * kInterval);  // every exchange it started is gone or fresh
  EXPECT_EQ(b.nodes[0]->live_exchanges(), 1u);
  EXPECT_EQ(b.nodes[0]->counters().exchanges_timed_out + 1,
            b.nodes[0]->counters().exchanges_started);
}

// docs/PROTOCOL.md: exchange ids start at a random point per incarnation (drawn from the
// node's seed), so that a restarted node's first Hello is unlikely to be taken for an exchange
// its peer still remembers. 200 seeds: every first id in 1..8192, and many different ones.
TEST(Node, ExchangeIdsStartAtASeededPoint) {
  NodeConfig config;
  config.cluster_seed = kSeed;
  std::set<std::uint64_t> first;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Node n(0, ReplicaId::of(0, 0), members(2), config, seed, State(kSeed));
    n.tick(n.next_wakeup());
    const std::vector<Outgoing> out = n.take_outbox();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_GE(out[0].xid, 1u);
    EXPECT_LE(out[0].xid, 8192u);
    first.insert(out[0].xid);
  }
  EXPECT_GT(first.size(), 190u);  // 200 draws from 8,192: about 2.4 collisions expected
}

TEST(Node, SyncMessagesRoundTripCanonically) {
  Bench b(2, initial_state(5000), [] {
    NodeConfig c;
    c.recent_rounds = 1;
    return c;
  }());
  for (std::uint64_t i = 0; i < 30; ++i) ASSERT_TRUE(b.nodes[i % 2]->refine(pid(1 + 13 * i), content("y")).is_ok());
  b.now += 3 * kInterval;
  b.round();
  b.deliver_all();
  std::set<FrameKind> kinds;
  for (const auto& m : b.log) {
    Result<SyncMessage> d = decode_sync_message(m.out.bytes);
    ASSERT_TRUE(d.is_ok()) << d.status().to_string();
    EXPECT_EQ(encode_sync_message(d.value()), m.out.bytes);
    EXPECT_FALSE(format_sync_message(d.value()).empty());
    kinds.insert(m.out.kind);
    // Every strict prefix is refused, never crashes.
    for (std::size_t cut = 0; cut < m.out.bytes.size(); cut += 7) {
      EXPECT_FALSE(decode_sync_message(ByteView(m.out.bytes).first(cut)).is_ok());
    }
  }
  EXPECT_EQ(kinds.size(), 3u);  // hello, reply and walk all seen
}

}  // namespace
}  // namespace gossip
