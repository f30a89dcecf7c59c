#include "fuzz/harness.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "reference/workload.h"

// The allocation meter needs the sanitizer allocator's hooks (gcc and clang, -fsanitize=address).
#if defined(__SANITIZE_ADDRESS__)
#define GOSSIP_FUZZ_METER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GOSSIP_FUZZ_METER 1
#endif
#endif
#ifdef GOSSIP_FUZZ_METER
#if __has_include(<sanitizer/allocator_interface.h>)
#include <sanitizer/allocator_interface.h>
#else
// gcc ships no header for these; its libasan exports them (the sanitizer runtimes' common API).
extern "C" {
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                              void (*free_hook)(const volatile void*));
std::size_t __sanitizer_get_allocated_size(const volatile void* p);
}
#endif
#endif

namespace gossip::fuzz {

void fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "fuzz check failed at %s:%d: %s\n", file, line, what.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------------------------------
// Input

std::uint8_t Input::byte() { return pos_ < size_ ? data_[pos_++] : 0; }
std::uint16_t Input::u16() {
  const std::uint16_t lo = byte();
  return static_cast<std::uint16_t>(lo | (std::uint16_t{byte()} << 8));
}
std::uint32_t Input::u32() {
  const std::uint32_t lo = u16();
  return lo | (std::uint32_t{u16()} << 16);
}
std::uint64_t Input::u64() {
  const std::uint64_t lo = u32();
  return lo | (std::uint64_t{u32()} << 32);
}
ByteView Input::bytes(std::size_t n) {
  n = std::min(n, remaining());
  ByteView out(data_ + pos_, n);
  pos_ += n;
  return out;
}

Pair split_pair(ByteView input) {
  Input in(input.data(), input.size());
  const std::size_t n = in.u16();
  Pair p;
  p.first = in.bytes(n);
  p.second = in.rest();
  return p;
}

Bytes join_pair(ByteView first, ByteView second) {
  const std::size_t n = std::min<std::size_t>(first.size(), 0xFFFF);
  Bytes out;
  out.push_back(static_cast<std::uint8_t>(n & 0xFF));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.insert(out.end(), first.begin(), first.begin() + static_cast<std::ptrdiff_t>(n));
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

// ---------------------------------------------------------------------------------------
// AllocationMeter

#ifdef GOSSIP_FUZZ_METER
namespace {
thread_local bool t_metering = false;
thread_local std::size_t t_live = 0;
thread_local std::size_t t_peak = 0;

void on_malloc(const volatile void*, std::size_t size) {
  if (!t_metering) return;
  t_live += size;
  t_peak = std::max(t_peak, t_live);
}
void on_free(const volatile void* p) {
  if (!t_metering || p == nullptr) return;
  // Memory allocated before start() may be freed inside: the live count stops at zero, which
  // can only make the peak larger (the check stays on the safe side).
  const std::size_t size = __sanitizer_get_allocated_size(p);
  t_live = t_live > size ? t_live - size : 0;
}
}  // namespace

bool AllocationMeter::available() { return true; }
void AllocationMeter::start() {
  static const bool installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
  FUZZ_CHECK(installed, "could not install the allocator hooks");
  t_live = 0;
  t_peak = 0;
  t_metering = true;
}
std::size_t AllocationMeter::stop() {
  t_metering = false;
  return t_peak;
}
#else
bool AllocationMeter::available() { return false; }
void AllocationMeter::start() {}
std::size_t AllocationMeter::stop() { return 0; }
#endif

void check_decode_allocation(std::size_t peak, std::size_t input_bytes, const char* what) {
  const std::size_t allowed = kAllocPerInputByte * input_bytes + kAllocSlackBytes;
  FUZZ_CHECK(peak <= allowed, std::string(what) + " allocated " + std::to_string(peak) +
                                  " bytes for " + std::to_string(input_bytes) +
                                  " bytes of input (allowed " + std::to_string(allowed) + ")");
}

// ---------------------------------------------------------------------------------------
// Decoding any frame

Decoded decode_any(ByteView bytes) {
  Decoded d;
  int accepted = 0;
  if (auto v = decode_version_frame(bytes); v.is_ok()) {
    d.version = std::move(v.value());
    d.kind = FrameKind::kVersion;
    ++accepted;
  }
  if (auto r = decode_register_frame(bytes); r.is_ok()) {
    d.reg = std::move(r.value());
    d.kind = FrameKind::kRegister;
    ++accepted;
  }
  if (auto s = decode_state_frame(bytes, kClusterSeed); s.is_ok()) {
    d.state = std::move(s.value());
    d.kind = FrameKind::kState;
    ++accepted;
  }
  if (auto g = decode_digest_frame(bytes); g.is_ok()) {
    d.digest = g.value();
    d.kind = FrameKind::kDigest;
    ++accepted;
  }
  if (auto m = decode_sync_message(bytes); m.is_ok()) {
    d.kind = m.value().kind;
    d.sync = std::move(m.value());
    ++accepted;
  }
  FUZZ_CHECK(accepted <= 1, "bytes accepted by " + std::to_string(accepted) + " decoders");
  return d;
}

Bytes encode_any(const Decoded& d) {
  if (d.version) return encode_version_frame(d.version->id, d.version->version);
  if (d.reg) return encode_register_frame(d.reg->id, d.reg->reg);
  if (d.state) return encode_state_frame(*d.state);
  if (d.digest) return encode_digest_frame(*d.digest);
  FUZZ_CHECK(d.sync.has_value(), "encode_any of nothing");
  return encode_sync_message(*d.sync);
}

// ---------------------------------------------------------------------------------------
// Checks after a join

bool covers(const Register& reg, const Version& v) {
  for (const Version& s : reg.siblings()) {
    if (s.clock == v.clock ? s.content == v.content : s.clock.dominates(v.clock)) return true;
  }
  return false;
}

namespace {
bool holds(const Register& reg, const Version& v) {
  return std::find(reg.siblings().begin(), reg.siblings().end(), v) != reg.siblings().end();
}
std::vector<std::pair<PatternId, Register>> registers_of(const State& s) {
  std::vector<std::pair<PatternId, Register>> out;
  s.for_each([&](const PatternId& id, const Register& reg) { out.emplace_back(id, reg); });
  return out;
}
}  // namespace

void check_inflation(const State& before, const State& after, const char* what) {
  before.for_each([&](const PatternId& id, const Register& reg) {
    const Register* now = after.find(id);
    FUZZ_CHECK(now != nullptr, std::string(what) + ": pattern " + id.hex() + " was lost");
    for (const Version& v : reg.siblings()) {
      FUZZ_CHECK(covers(*now, v),
                 std::string(what) + ": a version of " + id.hex() + " was lost (not kept, not dominated)");
    }
  });
}

void check_join(const State& before, const State& remote, const State& after,
                const MergeReport& report) {
  std::set<PatternId> rejected;
  for (const auto& [id, status] : report.rejected) rejected.insert(id);
  std::uint64_t changed = 0;
  before.for_each([&](const PatternId& id, const Register& reg) {
    const Register* now = after.find(id);
    FUZZ_CHECK(now != nullptr, "join lost local pattern " + id.hex());
    if (rejected.count(id)) {
      FUZZ_CHECK(*now == reg, "a rejected pattern " + id.hex() + " changed");
    }
    for (const Version& v : reg.siblings()) {
      FUZZ_CHECK(covers(*now, v), "join lost a local version of " + id.hex());
    }
    if (!(*now == reg)) ++changed;
  });
  remote.for_each([&](const PatternId& id, const Register& reg) {
    const Register* now = after.find(id);
    if (rejected.count(id)) {
      if (before.find(id) == nullptr) {
        FUZZ_CHECK(now == nullptr, "a rejected remote pattern " + id.hex() + " was stored");
      }
      return;
    }
    FUZZ_CHECK(now != nullptr, "join dropped remote pattern " + id.hex());
    for (const Version& v : reg.siblings()) {
      FUZZ_CHECK(covers(*now, v), "join dropped a remote version of " + id.hex());
    }
    if (before.find(id) == nullptr) ++changed;
  });
  after.for_each([&](const PatternId& id, const Register& reg) {
    const Register* mine = before.find(id);
    const Register* theirs = remote.find(id);
    for (const Version& v : reg.siblings()) {
      FUZZ_CHECK((mine && holds(*mine, v)) || (theirs && holds(*theirs, v)),
                 "join invented a version of " + id.hex());
    }
  });
  FUZZ_CHECK(report.patterns_changed == changed,
             "MergeReport says " + std::to_string(report.patterns_changed) +
                 " patterns changed, " + std::to_string(changed) + " did");
  FUZZ_CHECK(after.tree().verify(), "the incremental tree breaks its invariants after a join");
  const State scratch = State::from_registers(after.cluster_seed(), registers_of(after));
  FUZZ_CHECK(scratch.root() == after.root(),
             "incremental root " + after.root().hex() + " != from-scratch root " +
                 scratch.root().hex());
  for (const State* input : {&remote, &before}) {
    State again = after;
    const MergeReport r = again.join(*input);
    FUZZ_CHECK(r.patterns_changed == 0 && again == after, "joining an input again changed the state");
  }
}

// ---------------------------------------------------------------------------------------
// Fixed data

const std::vector<State>& base_states() {
  static const std::vector<State> states = [] {
    Rng rng(20261125);
    WorkloadOptions options;
    options.replicas = 3;
    options.writes = 120;
    options.sync_percent = 15;
    return run_workload(kClusterSeed, options, rng).replicas;
  }();
  return states;
}

const std::vector<Bytes>& base_messages() {
  static const std::vector<Bytes> messages = [] {
    const std::vector<State>& states = base_states();
    auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{1, 2, 3});
    NodeConfig config;
    config.cluster_seed = kClusterSeed;
    std::vector<Node> nodes;
    for (NodeId i = 1; i <= 3; ++i) {
      nodes.emplace_back(i, ReplicaId::of(i, 1), members, config, 100 + i, states[i - 1]);
    }
    std::vector<Bytes> out;
    Time now = 0;
    for (int round = 0; round < 4; ++round) {
      now += config.gossip_interval;
      for (Node& n : nodes) n.tick(now);
      // Deliver everything at once, in order, until the exchanges go quiet.
      for (int hop = 0; hop < 40; ++hop) {
        bool any = false;
        for (Node& n : nodes) {
          for (Outgoing& m : n.take_outbox()) {
            any = true;
            out.push_back(m.bytes);
            nodes[m.to - 1].receive(n.self(), m.bytes);
          }
        }
        if (!any) break;
      }
    }
    return out;
  }();
  return messages;
}

// ---------------------------------------------------------------------------------------
// Structure-aware mutation

PatternId donor_id(Rng& rng, const std::vector<State>& donors) {
  const State& s = donors[rng.below(donors.size())];
  if (s.size() == 0) return PatternId::from_u64(1 + rng.below(4));
  const std::vector<PatternId> ids = s.ids();
  return ids[rng.below(ids.size())];
}

namespace {

const Register* donor_register(Rng& rng, const std::vector<State>& donors, const PatternId& id) {
  const State& s = donors[rng.below(donors.size())];
  return s.find(id);
}

// One entry grown, added, removed or shrunk (the clock is rebuilt: set() only grows).
void mutate_clock(VectorClock& clock, Rng& rng) {
  std::map<ReplicaId, std::uint64_t> entries;
  for (const auto& e : clock.entries()) entries[e.replica] = e.counter;
  auto pick = [&]() {
    auto it = entries.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(rng.below(entries.size())));
    return it;
  };
  const std::uint64_t what = entries.empty() ? 1 : rng.below(4);
  if (what == 0) {
    auto it = pick();
    const std::uint64_t step = rng.chance(1, 4) ? rng.next() >> 1 : 1;
    it->second = it->second > ~std::uint64_t{0} - step ? ~std::uint64_t{0} - 1 : it->second + step;
  } else if (what == 1) {
    entries[ReplicaId::of(static_cast<std::uint32_t>(rng.below(8)), 1)] = rng.between(1, 4);
  } else if (what == 2 && entries.size() > 1) {
    entries.erase(pick());
  } else {
    auto it = pick();
    if (it->second > 1) --it->second;
  }
  std::vector<VectorClock::Entry> out;
  for (const auto& [replica, counter] : entries) out.push_back(VectorClock::Entry{replica, counter});
  clock = VectorClock(std::move(out));
}

void mutate_content(Content& c, Rng& rng, const std::vector<State>& donors) {
  switch (rng.below(6)) {
    case 0:
      if (!c.summary.empty() && rng.chance(1, 2)) {
        c.summary.pop_back();
      } else {
        c.summary.push_back(static_cast<char>('a' + rng.below(26)));
      }
      return;
    case 1:
      c.episodes.push_back(rng.below(rng.chance(1, 2) ? 16 : ~std::uint64_t{0}));
      break;
    case 2:
      if (!c.episodes.empty()) c.episodes.erase(c.episodes.begin() + static_cast<std::ptrdiff_t>(rng.below(c.episodes.size())));
      return;
    case 3:
      c.strength = rng.chance(1, 2) ? c.strength + 1 : static_cast<std::uint32_t>(rng.next());
      return;
    case 4:
      if (c.absorbed_into && rng.chance(1, 2)) {
        c.absorbed_into.reset();
      } else {
        c.absorbed_into = donor_id(rng, donors);
      }
      return;
    default:
      c.summary = random_content(rng).summary;
      return;
  }
  std::sort(c.episodes.begin(), c.episodes.end());
  c.episodes.erase(std::unique(c.episodes.begin(), c.episodes.end()), c.episodes.end());
}

}  // namespace

std::optional<Register> mutate_register(const PatternId& id, const Register& reg, Rng& rng,
                                        const std::vector<State>& donors) {
  std::vector<Version> versions = reg.siblings();
  const std::size_t i = rng.below(versions.size());
  switch (rng.below(5)) {
    case 0:
      mutate_clock(versions[i].clock, rng);
      break;
    case 1:
      mutate_content(versions[i].content, rng, donors);
      break;
    case 2:
      if (versions.size() > 1) {
        versions.erase(versions.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
      [[fallthrough]];
    case 3: {  // a donor's version, content edited: same clock, maybe different content
      const Register* d = donor_register(rng, donors, id);
      Version v = d && !d->siblings().empty() ? d->siblings()[rng.below(d->siblings().size())] : versions[i];
      if (rng.chance(1, 2)) mutate_content(v.content, rng, donors);
      versions.push_back(std::move(v));
      break;
    }
    default: {  // a concurrent sibling: another replica wrote over what this one saw
      Version v = versions[i];
      const ReplicaId writer = ReplicaId::of(static_cast<std::uint32_t>(9 + rng.below(4)), 1);
      if (v.clock.get(writer) == ~std::uint64_t{0}) return std::nullopt;
      v.clock.increment(writer);
      mutate_content(v.content, rng, donors);
      versions.push_back(std::move(v));
    }
  }
  Result<Register> out = Register::from_versions(std::move(versions));
  if (!out.is_ok()) return std::nullopt;
  return std::move(out.value());
}

namespace {

std::optional<std::vector<SyncItem>> mutate_items(std::vector<SyncItem> items, Rng& rng,
                                                  const std::vector<State>& donors) {
  if (!items.empty() && rng.chance(2, 3)) {
    SyncItem& it = items[rng.below(items.size())];
    if (rng.chance(1, 4)) {
      it = items.back();
      items.pop_back();
      return items;
    }
    auto reg = mutate_register(it.id, it.reg, rng, donors);
    if (!reg) return std::nullopt;
    it.reg = std::move(*reg);
    return items;
  }
  const PatternId id = donor_id(rng, donors);
  const Register* d = donor_register(rng, donors, id);
  if (d == nullptr) return std::nullopt;
  items.push_back(SyncItem{id, *d});
  return items;
}

void mutate_path(SyncPath& path, Rng& rng) {
  if (!path.nibbles.empty() && rng.chance(1, 3)) {
    path.nibbles.pop_back();
  } else if (rng.chance(1, 2) || path.nibbles.empty()) {
    path.nibbles.push_back(static_cast<std::uint8_t>(rng.below(16)));
  } else {
    path.nibbles[rng.below(path.nibbles.size())] = static_cast<std::uint8_t>(rng.below(16));
  }
}

void mutate_tags(std::vector<std::uint32_t>& tags, Rng& rng) {
  if (!tags.empty() && rng.chance(1, 2)) {
    tags[rng.below(tags.size())] ^= 1u << rng.below(32);
  } else {
    tags.push_back(static_cast<std::uint32_t>(rng.next()));
  }
}

std::optional<Bytes> mutate_sync(SyncMessage m, Rng& rng, const std::vector<State>& donors) {
  switch (rng.below(9)) {
    case 0:
      m.xid = rng.chance(1, 2) ? m.xid + 1 : rng.next() >> rng.below(64);
      break;
    case 1:
      m.kind = static_cast<FrameKind>(5 + rng.below(3));
      if (m.kind != FrameKind::kWalk && !m.root) m.root = donors[0].root();
      if (m.kind == FrameKind::kWalk) m.root.reset();
      break;
    case 2:
      m.from_initiator = !m.from_initiator;
      break;
    case 3:
      if (m.root) {
        m.root = rng.chance(1, 2) ? donors[rng.below(donors.size())].root() : m.root;
        m.root->bytes[rng.below(16)] ^= static_cast<std::uint8_t>(1u << rng.below(8));
        break;
      }
      [[fallthrough]];
    case 4: {
      auto items = mutate_items(m.registers, rng, donors);
      if (!items) return std::nullopt;
      m.registers = std::move(*items);
      break;
    }
    case 5:
      m.width = static_cast<std::uint8_t>(1 + rng.below(kSyncWidthMax));
      break;
    case 6: {
      if (m.probes.empty() || rng.chance(1, 4)) {
        SyncProbe p;
        p.inner = rng.chance(1, 2);
        p.present = static_cast<std::uint16_t>(rng.next());
        mutate_path(p.path, rng);
        m.probes.push_back(std::move(p));
        if (m.width == 0) m.width = 2;
        break;
      }
      SyncProbe& p = m.probes[rng.below(m.probes.size())];
      switch (rng.below(4)) {
        case 0: mutate_path(p.path, rng); break;
        case 1: p.present ^= static_cast<std::uint16_t>(1u << rng.below(16)); break;
        case 2:
          if (!p.digests.empty()) {
            p.digests[rng.below(p.digests.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
          }
          break;
        default: mutate_tags(p.tags, rng);
      }
      break;
    }
    case 7: {
      if (m.wants.empty() || rng.chance(1, 4)) {
        SyncWant w;
        mutate_path(w.path, rng);
        mutate_tags(w.tags, rng);
        m.wants.push_back(std::move(w));
        break;
      }
      SyncWant& w = m.wants[rng.below(m.wants.size())];
      if (rng.chance(1, 2)) mutate_path(w.path, rng); else mutate_tags(w.tags, rng);
      break;
    }
    default:  // drop a section
      switch (rng.below(3)) {
        case 0: m.registers.clear(); break;
        case 1: m.probes.clear(); break;
        default: m.wants.clear();
      }
  }
  if (!canonicalize(m)) return std::nullopt;
  return encode_sync_message(m);
}

}  // namespace

bool canonicalize(SyncMessage& m) {
  if (m.kind != FrameKind::kWalk) {
    m.from_initiator = false;
    m.wants.clear();
    if (m.kind == FrameKind::kHello) m.probes.clear();
    if (!m.root) m.root = Digest{};
  } else {
    m.root.reset();
  }
  std::sort(m.registers.begin(), m.registers.end(),
            [](const SyncItem& a, const SyncItem& b) { return a.id < b.id; });
  m.registers.erase(std::unique(m.registers.begin(), m.registers.end(),
                                [](const SyncItem& a, const SyncItem& b) { return a.id == b.id; }),
                    m.registers.end());
  auto fix_path = [](SyncPath& p) {
    if (p.nibbles.size() > MerkleTree::kDepthMax) p.nibbles.resize(MerkleTree::kDepthMax);
    for (auto& n : p.nibbles) n &= 0x0F;
  };
  auto fix_tags = [](std::vector<std::uint32_t>& tags) {
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    if (tags.size() > kSyncTagsMax) tags.resize(kSyncTagsMax);
  };
  m.width = std::clamp<std::uint8_t>(m.width, 1, kSyncWidthMax);
  for (SyncProbe& p : m.probes) {
    fix_path(p.path);
    if (p.inner) {
      if (p.present == 0) p.present = 1;
      p.tags.clear();
      p.digests.resize(static_cast<std::size_t>(std::popcount(p.present)) * m.width);
    } else {
      p.present = 0;
      p.digests.clear();
      fix_tags(p.tags);
    }
  }
  std::sort(m.probes.begin(), m.probes.end(),
            [](const SyncProbe& a, const SyncProbe& b) { return a.path < b.path; });
  m.probes.erase(std::unique(m.probes.begin(), m.probes.end(),
                             [](const SyncProbe& a, const SyncProbe& b) { return a.path == b.path; }),
                 m.probes.end());
  for (SyncWant& w : m.wants) {
    fix_path(w.path);
    fix_tags(w.tags);
    if (w.tags.empty()) w.tags.push_back(0);
  }
  std::sort(m.wants.begin(), m.wants.end(),
            [](const SyncWant& a, const SyncWant& b) { return a.path < b.path; });
  m.wants.erase(std::unique(m.wants.begin(), m.wants.end(),
                            [](const SyncWant& a, const SyncWant& b) { return a.path == b.path; }),
                m.wants.end());
  if (m.probes.empty()) m.width = 0;
  if (m.kind == FrameKind::kWalk && m.registers.empty() && m.probes.empty() && m.wants.empty()) {
    return false;
  }
  return true;
}

std::optional<Bytes> mutate_decoded(const Decoded& d, Rng& rng, const std::vector<State>& donors) {
  if (d.version) {
    Version v = d.version->version;
    if (rng.chance(1, 2)) mutate_clock(v.clock, rng); else mutate_content(v.content, rng, donors);
    if (v.clock.empty() || !validate(v.content).is_ok()) return std::nullopt;
    return encode_version_frame(rng.chance(1, 4) ? donor_id(rng, donors) : d.version->id, v);
  }
  if (d.reg) {
    auto reg = mutate_register(d.reg->id, d.reg->reg, rng, donors);
    if (!reg) return std::nullopt;
    return encode_register_frame(d.reg->id, *reg);
  }
  if (d.state) {
    std::vector<std::pair<PatternId, Register>> regs = registers_of(*d.state);
    const std::uint64_t what = rng.below(4);
    if (regs.empty() || what == 0) {  // a donor's pattern, added or replacing ours
      const PatternId id = donor_id(rng, donors);
      const Register* reg = donor_register(rng, donors, id);
      if (reg == nullptr) return std::nullopt;
      std::erase_if(regs, [&](const auto& e) { return e.first == id; });
      regs.emplace_back(id, *reg);
    } else if (what == 1) {
      regs.erase(regs.begin() + static_cast<std::ptrdiff_t>(rng.below(regs.size())));
    } else {
      auto& [id, reg] = regs[rng.below(regs.size())];
      auto edited = mutate_register(id, reg, rng, donors);
      if (!edited) return std::nullopt;
      reg = std::move(*edited);
    }
    return encode_state_frame(State::from_registers(d.state->cluster_seed(), std::move(regs)));
  }
  if (d.digest) {
    Digest g = *d.digest;
    g.bytes[rng.below(16)] ^= static_cast<std::uint8_t>(1u << rng.below(8));
    return encode_digest_frame(g);
  }
  if (d.sync) return mutate_sync(*d.sync, rng, donors);
  return std::nullopt;
}

std::size_t mutate_frame(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                         const std::vector<State>& donors) {
  Rng rng(seed);
  const Decoded decoded = decode_any(ByteView(data, size));
  if (decoded.kind && !rng.chance(1, 8)) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      std::optional<Bytes> out = mutate_decoded(decoded, rng, donors);
      if (out && out->size() <= max_size) {
        std::memcpy(data, out->data(), out->size());
        return out->size();
      }
    }
  }
  // Inside the frame: mutate the payload bytes, then seal them again under the same kind.
  if (size >= kFrameOverheadBytes && data[0] == kFrameMagic && max_size > kFrameOverheadBytes &&
      data[2] >= 1 && data[2] <= 7 && rng.chance(3, 4)) {
    const auto kind = static_cast<FrameKind>(data[2]);
    Bytes payload(data + 3, data + size - 4);
    const std::size_t room = max_size - kFrameOverheadBytes;
    payload.resize(std::max(room, payload.size()));
    const std::size_t n = LLVMFuzzerMutate(payload.data(), size - kFrameOverheadBytes, room);
    payload.resize(n);
    const Bytes framed = seal_frame(kind, payload);
    std::memcpy(data, framed.data(), framed.size());
    return framed.size();
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

std::size_t mutate_pair(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
  const Pair pair = split_pair(ByteView(data, size));
  Bytes sides[2] = {Bytes(pair.first.begin(), pair.first.end()), Bytes(pair.second.begin(), pair.second.end())};
  const int which = static_cast<int>(seed & 1);
  // The other side's patterns first among the donors: edits then collide with what the merge
  // meets (same ids, same clocks, other content).
  std::vector<State> donors;
  if (Result<State> other = decode_state_frame(sides[1 - which], kClusterSeed); other.is_ok() && other.value().size() > 0) {
    donors.push_back(std::move(other.value()));
  }
  donors.insert(donors.end(), base_states().begin(), base_states().end());
  Bytes& side = sides[which];
  const std::size_t room = max_size > size ? max_size - size + side.size() : side.size();
  const std::size_t before = side.size();
  side.resize(std::max<std::size_t>(room, 1));
  side.resize(mutate_frame(side.data(), before, side.size(), seed >> 1, donors));
  const Bytes out = join_pair(sides[0], sides[1]);
  if (out.size() > max_size || sides[0].size() > 0xFFFF) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace gossip::fuzz
