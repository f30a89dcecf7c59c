// hostile peer: a replica (node 1, holding a fixed state) talks with one peer (node 2) that
// lies. The fuzzer's bytes are a script of up to 64 steps; the peer's messages are built from
// them: Hellos with wrong roots, answers to the replica's own messages (right exchange id,
// probes and digests made up, wants for tags it never saw), registers that do not match (a
// version of a pattern the replica holds, under the same clock, with other content), replays
// of its earlier messages, the replica's own messages sent back, frames with lying counts and
// sizes (right checksum), raw bytes; between them time passes and the replica writes.
// After every step:
//   - never loses a pattern: every version the replica held is still held or dominated;
//   - work and memory bounded: one message makes it visit at most message_bytes_max / 3 + 64
//     entries; the heap a receive allocates is at most a constant times the message plus a
//     constant times the state it holds; live exchanges stay within the liar's share
//     (exchanges_per_peer_max) and its own (at most 2);
//     what the replica retains (its fingerprint: state, exchanges, fresh window) is within a
//     constant of its state's encoding;
//   - what it sends decodes and fits its message budget, exactly;
// and at the end its tree is valid.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "fuzz/harness.h"
#include "reference/operations.h"
#include "reference/workload.h"

namespace {

using namespace gossip;
using namespace gossip::fuzz;

constexpr NodeId kVictim = 1;
constexpr NodeId kLiar = 2;

NodeConfig victim_config() {
  NodeConfig c;
  c.cluster_seed = kClusterSeed;
  c.message_bytes_max = 1024;  // small: real walks split, and a walk that ignores it shows
  c.exchanges_max = 8;
  c.messages_per_exchange_max = 24;
  c.recent_max = 8;
  return c;
}

const std::shared_ptr<const std::vector<NodeId>>& members() {
  static const auto m = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{kVictim, kLiar});
  return m;
}

// What the liar draws registers and roots from: the other replicas' states, and the victim's.
const std::vector<State>& pool() {
  static const std::vector<State> p = base_states();
  return p;
}

Digest lying_root(Input& in, const Node& victim) {
  switch (in.byte() % 4) {
    case 0: return victim.state().root();  // "we are in sync" (maybe not)
    case 1: return pool()[1 + in.byte() % 2].root();
    case 2: return Digest{};
    default: {
      Digest d;
      const ByteView b = in.bytes(16);
      std::copy(b.begin(), b.end(), d.bytes.begin());
      return d;
    }
  }
}

std::vector<SyncItem> lying_registers(Input& in) {
  std::vector<SyncItem> items;
  const std::size_t n = in.byte() % 5;
  Rng rng(in.u32());
  for (std::size_t i = 0; i < n; ++i) {
    const PatternId id = donor_id(rng, pool());
    const Register* honest = pool()[rng.below(pool().size())].find(id);
    if (honest == nullptr) continue;
    if (in.flag()) {
      if (auto forged = mutate_register(id, *honest, rng, pool())) items.push_back(SyncItem{id, *forged});
    } else {
      items.push_back(SyncItem{id, *honest});
    }
  }
  return items;
}

SyncPath some_path(Input& in, const SyncPath& near) {
  SyncPath p = near;
  const std::uint8_t b = in.byte();
  if (b & 1) p.nibbles.push_back(static_cast<std::uint8_t>((b >> 1) & 0x0F));
  if ((b & 0x60) == 0x60 && !p.nibbles.empty()) p.nibbles.pop_back();
  return p;
}

std::vector<std::uint32_t> some_tags(Input& in, const std::vector<std::uint32_t>& seen) {
  std::vector<std::uint32_t> tags;
  const std::size_t n = 1 + in.byte() % 4;
  for (std::size_t i = 0; i < n; ++i) {
    if (!seen.empty() && in.flag()) {
      tags.push_back(seen[in.below(seen.size())]);
    } else {
      tags.push_back(in.u32());
    }
  }
  return tags;
}

// An answer to one of the victim's messages: the right exchange id and side, the rest made up.
SyncMessage lying_answer(Input& in, const SyncMessage& theirs, const Node& victim) {
  SyncMessage m;
  m.xid = theirs.xid;
  const bool victim_initiated =
      theirs.kind == FrameKind::kHello || (theirs.kind == FrameKind::kWalk && theirs.from_initiator);
  if (theirs.kind == FrameKind::kHello) {
    m.kind = FrameKind::kReply;
    m.root = lying_root(in, victim);
  } else {
    m.kind = FrameKind::kWalk;
    m.from_initiator = !victim_initiated;
  }
  m.registers = lying_registers(in);
  m.width = static_cast<std::uint8_t>(1 + in.byte() % kSyncWidthMax);
  const SyncPath root{};
  std::vector<const SyncProbe*> probes;
  for (const SyncProbe& p : theirs.probes) probes.push_back(&p);
  const std::size_t n = in.byte() % 4;
  for (std::size_t i = 0; i < n; ++i) {
    const SyncProbe* near = probes.empty() ? nullptr : probes[in.below(probes.size())];
    SyncProbe p;
    p.path = some_path(in, near ? near->path : root);
    p.inner = in.flag();
    if (p.inner) {
      p.present = in.u16();
      const ByteView digests = in.bytes(16 * m.width);
      p.digests.assign(digests.begin(), digests.end());
    } else {
      p.tags = some_tags(in, near ? near->tags : std::vector<std::uint32_t>{});
    }
    m.probes.push_back(std::move(p));
  }
  if (m.kind == FrameKind::kWalk && in.flag()) {
    const SyncProbe* near = probes.empty() ? nullptr : probes[in.below(probes.size())];
    SyncWant w;
    w.path = near ? near->path : root;
    w.tags = some_tags(in, near ? near->tags : std::vector<std::uint32_t>{});
    m.wants.push_back(std::move(w));
  }
  return m;
}

// GOSSIP_FUZZ_TRACE=1 prints each step and the replica's counters: how to read a crash.
bool tracing() {
  static const bool on = std::getenv("GOSSIP_FUZZ_TRACE") != nullptr;
  return on;
}

const char* kind_name(const Bytes& msg) {
  const Result<SyncMessage> m = decode_sync_message(msg);
  if (!m.is_ok()) return "undecodable";
  switch (m.value().kind) {
    case FrameKind::kHello: return "hello";
    case FrameKind::kReply: return "reply";
    default: return m.value().from_initiator ? "walk (initiator)" : "walk (responder)";
  }
}

struct Script {
  Node victim;
  Time now = 0;
  std::vector<Bytes> from_victim;
  std::vector<Bytes> from_liar;
};

void deliver(Script& s, const Bytes& msg) {
  const NodeConfig& c = s.victim.config();
  const State before = s.victim.state();
  if (tracing()) std::fprintf(stderr, "  liar -> replica: %s, %zu bytes\n", kind_name(msg), msg.size());
  AllocationMeter meter;
  const std::uint64_t visited = s.victim.counters().entries_visited;
  meter.start();
  s.victim.receive(kLiar, msg);
  const std::size_t peak = meter.stop();
  const std::uint64_t visits = s.victim.counters().entries_visited - visited;
  FUZZ_CHECK(visits <= c.message_bytes_max / 3 + 64,
             "one message made the replica visit " + std::to_string(visits) + " entries of its tree");
  const std::size_t allowed = kAllocPerInputByte * msg.size() + 1024 * before.size() +
                              4 * c.message_bytes_max + kAllocSlackBytes;
  if (tracing()) {
    std::fprintf(stderr, "  receive: peak heap %zu bytes (allowed %zu, %llu patterns held)\n", peak, allowed,
                 static_cast<unsigned long long>(before.size()));
  }
  FUZZ_CHECK(peak <= allowed, "receiving " + std::to_string(msg.size()) + " bytes allocated " +
                                  std::to_string(peak) + " (allowed " + std::to_string(allowed) + ")");
  check_inflation(before, s.victim.state(), "the replica after a lying message");
}

void collect(Script& s) {
  const NodeConfig& c = s.victim.config();
  for (Outgoing& out : s.victim.take_outbox()) {
    FUZZ_CHECK(out.to == kLiar, "the replica wrote to a node that is not its peer");
    Result<SyncMessage> m = decode_sync_message(out.bytes);
    FUZZ_CHECK(m.is_ok(), "the replica sent a message that does not decode: " + m.status().to_string());
    FUZZ_CHECK(out.bytes.size() <= c.message_bytes_max,
               "the replica sent a message of " + std::to_string(out.bytes.size()) + " bytes, over its budget");
    if (tracing()) std::fprintf(stderr, "  replica -> liar: %s, %zu bytes\n", kind_name(out.bytes), out.bytes.size());
    s.from_victim.push_back(std::move(out.bytes));
  }
  // Its fair share of the exchanges the one liar starts, and its own: it starts one per
  // interval and forgets each after exchange_timeout (one interval), so at most 2 are live.
  FUZZ_CHECK(s.victim.live_exchanges() <= c.exchanges_per_peer_max + 2,
             "more live exchanges than the liar's share (exchanges_per_peer_max) and its own 2");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const NodeConfig config = victim_config();
  Script s{Node(kVictim, ReplicaId::of(kVictim, 1), members(), config, 11, base_states()[0]), 0, {}, {}};
  const State initial = s.victim.state();
  std::uint32_t writes = 0;
  for (int step = 0; step < 64 && !in.empty(); ++step) {
    Bytes msg;
    const int kind = in.byte() % 9;
    if (tracing()) std::fprintf(stderr, "step %d: kind %d, time %llu\n", step, kind, static_cast<unsigned long long>(s.now));
    switch (kind) {
      case 0:  // time passes: the replica may start an exchange, or forget one
        s.now += (1 + in.byte()) * (config.gossip_interval / 16);
        s.victim.tick(s.now);
        collect(s);
        continue;
      case 1: {  // a Hello with a made-up root and registers, a small xid (collisions, replays)
        SyncMessage m;
        m.kind = FrameKind::kHello;
        m.xid = in.byte();
        m.root = lying_root(in, s.victim);
        m.registers = lying_registers(in);
        canonicalize(m);
        msg = encode_sync_message(m);
        break;
      }
      case 2:  // an answer to one of the replica's messages
      case 3: {
        if (s.from_victim.empty()) continue;
        const Result<SyncMessage> theirs = decode_sync_message(s.from_victim[in.below(s.from_victim.size())]);
        SyncMessage m = lying_answer(in, theirs.value(), s.victim);
        if (!canonicalize(m)) continue;
        msg = encode_sync_message(m);
        break;
      }
      case 4:  // a replay of the liar's own earlier message
        if (s.from_liar.empty()) continue;
        msg = s.from_liar[in.below(s.from_liar.size())];
        break;
      case 5: {  // a frame whose payload is anything (lying counts and sizes), checksum right
        const auto frame_kind = static_cast<FrameKind>(1 + in.byte() % 7);
        const ByteView payload = in.bytes(in.byte());
        msg = seal_frame(frame_kind, payload);
        break;
      }
      case 6: {  // raw bytes
        const ByteView raw = in.bytes(in.byte());
        msg.assign(raw.begin(), raw.end());
        break;
      }
      case 7: {  // the replica writes (fresh registers to push, a changing root)
        Rng rng(in.u32());
        const PatternId id = in.flag() ? donor_id(rng, pool()) : PatternId::from_u64(1000 + writes);
        const State before = s.victim.state();
        const Status st = s.victim.state().find(id) ? s.victim.refine(id, random_content(rng, 16))
                                                    : s.victim.create(id, random_content(rng, 16));
        ++writes;
        if (st.is_ok()) check_inflation(before, s.victim.state(), "a local write");
        continue;
      }
      default:  // one of the replica's own messages, sent back as the liar's
        if (s.from_victim.empty()) continue;
        msg = s.from_victim[in.below(s.from_victim.size())];
    }
    deliver(s, msg);
    collect(s);
    s.from_liar.push_back(std::move(msg));
  }
  if (tracing()) {
    const NodeCounters& k = s.victim.counters();
    std::fprintf(stderr,
                 "replica: %llu patterns, %zu live exchanges; received %llu, decode errors %llu, unknown "
                 "exchange %llu, duplicates %llu, over budget %llu, registers changed %llu, rejected %llu\n",
                 static_cast<unsigned long long>(s.victim.state().size()), s.victim.live_exchanges(),
                 static_cast<unsigned long long>(k.messages_received),
                 static_cast<unsigned long long>(k.decode_errors),
                 static_cast<unsigned long long>(k.unknown_exchange),
                 static_cast<unsigned long long>(k.duplicates_ignored),
                 static_cast<unsigned long long>(k.over_budget),
                 static_cast<unsigned long long>(k.registers_changed),
                 static_cast<unsigned long long>(k.registers_rejected));
  }
  check_inflation(initial, s.victim.state(), "the replica after the whole script");
  FUZZ_CHECK(s.victim.state().tree().verify(), "the replica's tree breaks its invariants");
  std::string fingerprint;
  s.victim.append_fingerprint(&fingerprint);
  const std::size_t state_bytes = encode_state_frame(s.victim.state()).size();
  const std::size_t allowed = 3 * state_bytes + config.exchanges_max * (4 * config.messages_per_exchange_max + 64) + 4096;
  FUZZ_CHECK(fingerprint.size() <= allowed, "the replica retains " + std::to_string(fingerprint.size()) +
                                               " bytes of protocol state for a " + std::to_string(state_bytes) +
                                               "-byte state (allowed " + std::to_string(allowed) + ")");
  return 0;
}
