// Structure-aware mutation (harness.h: mutate_decoded, mutate_frame, mutate_pair): kept apart
// from harness.cc because it calls libFuzzer's LLVMFuzzerMutate, which only the fuzz targets
// (libFuzzer, or replay_main.cc) provide.
#include <algorithm>
#include <bit>
#include <cstring>
#include <map>

#include "fuzz/harness.h"
#include "reference/workload.h"

namespace gossip::fuzz {

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
