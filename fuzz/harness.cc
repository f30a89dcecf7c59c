#include "fuzz/harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>

#include "reference/encoding.h"
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
  Writer w;  // the codec's own writer (gcc 12 -O3 sees false out-of-bounds copies in the
             // hand-written push_back and insert this replaced)
  w.u8(static_cast<std::uint8_t>(n & 0xFF));
  w.u8(static_cast<std::uint8_t>(n >> 8));
  w.raw(first.first(n));
  w.raw(second);
  return w.take();
}

std::optional<StatePair> decode_state_pair(ByteView input) {
  const Pair pair = split_pair(input);
  Result<State> first = decode_state_frame(pair.first, kClusterSeed);
  if (!first.is_ok()) return std::nullopt;
  Result<State> second = decode_state_frame(pair.second, kClusterSeed);
  if (!second.is_ok()) return std::nullopt;
  return StatePair{std::move(first.value()), std::move(second.value())};
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
  // Every decoder opens the frame (magic, format, checksum, kind) and refuses any kind but its
  // own, so the kind byte picks the one decoder that can accept; bytes of no known kind go
  // through open_frame alone, which must refuse them.
  switch (bytes.size() >= 3 ? bytes[2] : 0) {
    case static_cast<int>(FrameKind::kVersion):
      if (auto v = decode_version_frame(bytes); v.is_ok()) {
        d.version = std::move(v.value());
        d.kind = FrameKind::kVersion;
      }
      break;
    case static_cast<int>(FrameKind::kRegister):
      if (auto r = decode_register_frame(bytes); r.is_ok()) {
        d.reg = std::move(r.value());
        d.kind = FrameKind::kRegister;
      }
      break;
    case static_cast<int>(FrameKind::kState):
      if (auto s = decode_state_frame(bytes, kClusterSeed); s.is_ok()) {
        d.state = std::move(s.value());
        d.kind = FrameKind::kState;
      }
      break;
    case static_cast<int>(FrameKind::kDigest):
      if (auto g = decode_digest_frame(bytes); g.is_ok()) {
        d.digest = g.value();
        d.kind = FrameKind::kDigest;
      }
      break;
    case static_cast<int>(FrameKind::kView):
      if (auto v = decode_view_frame(bytes); v.is_ok()) {
        d.view = std::move(v.value());
        d.kind = FrameKind::kView;
      }
      break;
    case static_cast<int>(FrameKind::kHello):
    case static_cast<int>(FrameKind::kReply):
    case static_cast<int>(FrameKind::kWalk):
      if (auto m = decode_sync_message(bytes); m.is_ok()) {
        d.kind = m.value().kind;
        d.sync = std::move(m.value());
      }
      break;
    default:
      FUZZ_CHECK(!open_frame(bytes).is_ok(), "a frame of no known kind was opened");
  }
  return d;
}

Bytes encode_any(const Decoded& d) {
  if (d.version) return encode_version_frame(d.version->id, d.version->version);
  if (d.reg) return encode_register_frame(d.reg->id, d.reg->reg);
  if (d.state) return encode_state_frame(*d.state);
  if (d.digest) return encode_digest_frame(*d.digest);
  if (d.view) return encode_view_frame(d.view->view, d.view->edges);
  FUZZ_CHECK(d.sync.has_value(), "encode_any of nothing");
  return encode_sync_message(*d.sync);
}

void check_canonical(const Decoded& decoded, ByteView input) {
  const Bytes again = encode_any(decoded);
  FUZZ_CHECK(again.size() == input.size() && std::equal(again.begin(), again.end(), input.begin()),
             "accepted bytes do not re-encode to themselves (frame kind " +
                 std::to_string(static_cast<int>(*decoded.kind)) + ")");
}

// ---------------------------------------------------------------------------------------
// Checks after a join

std::vector<std::pair<PatternId, Register>> registers_of(const State& s) {
  std::vector<std::pair<PatternId, Register>> out;
  s.for_each([&](const PatternId& id, const Register& reg) { out.emplace_back(id, reg); });
  return out;
}

namespace {
bool holds(const Register& reg, const Version& v) {
  return std::find(reg.siblings().begin(), reg.siblings().end(), v) != reg.siblings().end();
}
}  // namespace

void check_inflation(const State& before, const State& after, const char* what) {
  before.for_each([&](const PatternId& id, const Register& reg) {
    const Register* now = after.find(id);
    FUZZ_CHECK(now != nullptr, std::string(what) + ": pattern " + id.hex() + " was lost");
    for (const Version& v : reg.siblings()) {
      FUZZ_CHECK(now->covers(v),
                 std::string(what) + ": a version of " + id.hex() + " was lost (not kept, not dominated)");
    }
  });
}

void check_join(const State& before, const State& remote, const State& after,
                const MergeReport& report) {
  std::set<PatternId> rejected;
  for (const auto& [id, status] : report.rejected) rejected.insert(id);
  check_inflation(before, after, "the join, local side");
  std::uint64_t changed = 0;
  before.for_each([&](const PatternId& id, const Register& reg) {
    const Register* now = after.find(id);
    if (rejected.count(id)) {
      FUZZ_CHECK(*now == reg, "a rejected pattern " + id.hex() + " changed");
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
      FUZZ_CHECK(now->covers(v), "join dropped a remote version of " + id.hex());
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

}  // namespace gossip::fuzz
