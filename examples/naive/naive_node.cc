// naive: a full-state push-pull gossip node, as a gossipcheck plug-in (include/gossipcheck/plugin.h).
//
// Written from the documentation alone (the data model, now docs/MODEL.md; docs/PROTOCOL.md, docs/WIRE_FORMAT.md,
// docs/CERTIFY.md, include/gossipcheck/plugin.h): no Merkle tree, no digests, no walk. Every
// gossip interval a node pushes its whole state to one peer drawn uniformly from its own seeded
// stream; the peer joins it and pulls, answering with its whole state. An answer is never
// answered. The state, the merge, the local writes, the codec (values, the state frame and the
// view frame), the resolved view and its edges (plug-in ABI 2: `view`) and the messages are this
// file's own code; only libxxhash is used, for the hashes that docs/WIRE_FORMAT.md specifies
// (frame checksum, content digest) and for the messages' checksum.
//
// Messages (opaque to the suite, this node's own format; every one at most message_bytes_max):
//
//   message := magic 0x4e 0x76 | type u8 (1 push, 2 pull) | xid u64le | chunk u32le |
//              count u32le | entry{count} | check u64le
//   entry   := len u32le | id:16 | register            (register as in docs/WIRE_FORMAT.md)
//   check   := XXH3-64 of every byte before it, seeded with the cluster seed ^ kCheckSalt
//
// A push is split in chunks of whole registers; a register that alone does not fit a message is
// not sent. A pull (the answer) is sent once per push exchange (sender, xid), within the
// exchange limits of the configuration. Decoding is total: bytes whose check fails are ignored
// whole, an entry whose register fails validation is skipped (its length prefix finds the next).
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gossipcheck/plugin.h"

namespace naive {

// ---------------------------------------------------------------------------------------------
// Limits (docs/WIRE_FORMAT.md, "Limits").
constexpr size_t kSummaryBytesMax = 1024;
constexpr size_t kEpisodesMax = 1024;
constexpr size_t kSiblingsMax = 32;
constexpr size_t kClockEntriesMax = 256;
constexpr uint64_t kPatternsMax = 10'000'000;
constexpr size_t kFrameBytesMax = size_t{256} << 20;
constexpr uint64_t kCheckSalt = 0x6e61697665ull;  // "naive"

using Bytes = std::string;  // a byte string (std::string for its small-buffer and append)
using Id = std::array<uint8_t, 16>;

struct Entry {
  uint64_t replica;
  uint64_t counter;
  bool operator==(const Entry&) const = default;
};
using Clock = std::vector<Entry>;  // ascending replica, every counter >= 1

struct Content {
  std::string summary;
  std::vector<uint64_t> episodes;  // strictly ascending
  uint32_t strength = 0;
  bool has_absorbed = false;
  Id absorbed{};
  bool operator==(const Content&) const = default;
};

struct Version {
  Clock clock;
  Content content;
  bool operator==(const Version&) const = default;
};
using Register = std::vector<Version>;  // an antichain, in canonical order, 1 to 32 versions
using StateMap = std::map<Id, Register>;

// ---------------------------------------------------------------------------------------------
// Clocks.
enum class Ord { kBefore, kAfter, kEqual, kConcurrent };

Ord compare(const Clock& a, const Clock& b) {
  bool a_lower = false;  // some entry of a is below b's
  bool b_lower = false;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].replica < b[j].replica)) {
      b_lower = true;  // b lacks the entry: 0 < a's counter
      ++i;
    } else if (i == a.size() || b[j].replica < a[i].replica) {
      a_lower = true;
      ++j;
    } else {
      if (a[i].counter < b[j].counter) a_lower = true;
      if (a[i].counter > b[j].counter) b_lower = true;
      ++i;
      ++j;
    }
  }
  if (!a_lower && !b_lower) return Ord::kEqual;
  if (a_lower && !b_lower) return Ord::kBefore;
  if (!a_lower && b_lower) return Ord::kAfter;
  return Ord::kConcurrent;
}

bool dominates(const Clock& a, const Clock& b) { return compare(a, b) == Ord::kAfter; }

// Canonical order: lexicographic over (replica, counter) pairs, a prefix first.
bool canonical_less(const Clock& a, const Clock& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i].replica != b[i].replica) return a[i].replica < b[i].replica;
    if (a[i].counter != b[i].counter) return a[i].counter < b[i].counter;
  }
  return a.size() < b.size();
}

Clock clock_join(const Clock& a, const Clock& b) {
  Clock out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].replica < b[j].replica)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].replica < a[i].replica) {
      out.push_back(b[j++]);
    } else {
      out.push_back({a[i].replica, std::max(a[i].counter, b[j].counter)});
      ++i;
      ++j;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 (RFC 3629).
bool utf8_ok(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Encoding (docs/WIRE_FORMAT.md, "Values").
void put_varint(Bytes* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void put_u32le(Bytes* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void put_u64le(Bytes* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void put_id(Bytes* out, const Id& id) { out->append(reinterpret_cast<const char*>(id.data()), 16); }

void encode_clock(Bytes* out, const Clock& c) {
  put_varint(out, c.size());
  uint64_t prev = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    put_varint(out, i == 0 ? c[i].replica : c[i].replica - prev);
    prev = c[i].replica;
    put_varint(out, c[i].counter);
  }
}
void encode_content(Bytes* out, const Content& c) {
  put_varint(out, c.summary.size());
  out->append(c.summary);
  put_varint(out, c.episodes.size());
  uint64_t prev = 0;
  for (size_t i = 0; i < c.episodes.size(); ++i) {
    put_varint(out, i == 0 ? c.episodes[i] : c.episodes[i] - prev);
    prev = c.episodes[i];
  }
  put_varint(out, c.strength);
  if (c.has_absorbed) {
    out->push_back(1);
    put_id(out, c.absorbed);
  } else {
    out->push_back(0);
  }
}
void encode_register(Bytes* out, const Register& r) {
  put_varint(out, r.size());
  for (const Version& v : r) {
    encode_clock(out, v.clock);
    encode_content(out, v.content);
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding: total, bounded. Every failure is just `false` (the class is not needed here).
struct Reader {
  const uint8_t* p;
  size_t n;
  size_t pos = 0;
  size_t left() const { return n - pos; }
  bool varint(uint64_t* v) {
    uint64_t x = 0;
    for (int i = 0; i < 10; ++i) {
      if (pos >= n) return false;  // truncated
      uint8_t b = p[pos++];
      if (i == 9 && b > 0x01) return false;  // past 64 bits
      x |= uint64_t{b & 0x7fu} << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) return false;  // overlong
        *v = x;
        return true;
      }
    }
    return false;
  }
  // A count: over its limit, or more elements than the bytes left can hold, is refused.
  bool count(uint64_t* v, uint64_t limit, uint64_t min_bytes) {
    if (!varint(v)) return false;
    if (*v > limit) return false;
    if (*v > left() / min_bytes) return false;
    return true;
  }
  bool u8(uint8_t* v) {
    if (pos >= n) return false;
    *v = p[pos++];
    return true;
  }
  bool u32le(uint32_t* v) {
    if (left() < 4) return false;
    uint32_t x = 0;
    for (size_t i = 0; i < 4; ++i) x |= uint32_t{p[pos + i]} << (8 * i);
    pos += 4;
    *v = x;
    return true;
  }
  bool u64le(uint64_t* v) {
    if (left() < 8) return false;
    uint64_t x = 0;
    for (size_t i = 0; i < 8; ++i) x |= uint64_t{p[pos + i]} << (8 * i);
    pos += 8;
    *v = x;
    return true;
  }
  bool id(Id* v) {
    if (left() < 16) return false;
    std::memcpy(v->data(), p + pos, 16);
    pos += 16;
    return true;
  }
};

bool decode_clock(Reader& r, Clock* c) {
  uint64_t n;
  if (!r.count(&n, kClockEntriesMax, 2) || n == 0) return false;
  c->clear();
  c->reserve(n);
  uint64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t rep, ctr;
    if (!r.varint(&rep)) return false;
    if (i > 0) {
      if (rep == 0) return false;               // delta 0: non-canonical
      if (rep > UINT64_MAX - prev) return false;  // sum past 2^64 - 1: invalid
      rep += prev;
    }
    if (!r.varint(&ctr) || ctr == 0) return false;
    c->push_back({rep, ctr});
    prev = rep;
  }
  return true;
}

bool decode_content(Reader& r, Content* c) {
  uint64_t len;
  if (!r.count(&len, kSummaryBytesMax, 1)) return false;
  if (!utf8_ok(r.p + r.pos, len)) return false;
  c->summary.assign(reinterpret_cast<const char*>(r.p + r.pos), len);
  r.pos += len;
  uint64_t m;
  if (!r.count(&m, kEpisodesMax, 1)) return false;
  c->episodes.clear();
  c->episodes.reserve(m);
  uint64_t prev = 0;
  for (uint64_t i = 0; i < m; ++i) {
    uint64_t e;
    if (!r.varint(&e)) return false;
    if (i > 0) {
      if (e == 0) return false;
      if (e > UINT64_MAX - prev) return false;
      e += prev;
    }
    c->episodes.push_back(e);
    prev = e;
  }
  uint64_t s;
  if (!r.varint(&s) || s > UINT32_MAX) return false;
  c->strength = static_cast<uint32_t>(s);
  uint8_t a;
  if (!r.u8(&a) || a > 1) return false;
  c->has_absorbed = a == 1;
  c->absorbed = Id{};
  if (c->has_absorbed && !r.id(&c->absorbed)) return false;
  return true;
}

bool decode_register(Reader& r, Register* reg) {
  uint64_t k;
  if (!r.count(&k, kSiblingsMax, 7) || k == 0) return false;
  reg->clear();
  reg->reserve(k);
  for (uint64_t i = 0; i < k; ++i) {
    Version v;
    if (!decode_clock(r, &v.clock) || !decode_content(r, &v.content)) return false;
    if (i > 0) {
      const Version& prev = reg->back();
      if (prev.clock == v.clock) return false;  // conflicting write or repeat
      if (!canonical_less(prev.clock, v.clock)) return false;
    }
    reg->push_back(std::move(v));
  }
  for (size_t i = 0; i < reg->size(); ++i) {
    for (size_t j = 0; j < reg->size(); ++j) {
      if (i != j && dominates((*reg)[i].clock, (*reg)[j].clock)) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Frames (docs/WIRE_FORMAT.md, "Frames"): only the state frame, kind 3.
uint32_t frame_checksum(const uint8_t* p, size_t n) {
  return static_cast<uint32_t>(XXH3_64bits_withSeed(p, n, 0));
}

Bytes encode_state_frame(const StateMap& state) {
  Bytes out;
  out.push_back(0x67);
  out.push_back(0x01);
  out.push_back(0x03);
  put_varint(&out, state.size());
  for (const auto& [id, reg] : state) {
    put_id(&out, id);
    encode_register(&out, reg);
  }
  put_u32le(&out, frame_checksum(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
  return out;
}

bool decode_state_frame(const uint8_t* p, size_t n, StateMap* state) {
  if (n > kFrameBytesMax || n < 7) return false;
  if (p[0] != 0x67 || p[1] != 0x01) return false;
  uint32_t sum = 0;
  for (size_t i = 0; i < 4; ++i) sum |= uint32_t{p[n - 4 + i]} << (8 * i);
  if (sum != frame_checksum(p, n - 4)) return false;
  if (p[2] != 0x03) return false;
  Reader r{p + 3, n - 7};
  uint64_t count;
  if (!r.count(&count, kPatternsMax, 24)) return false;
  state->clear();
  Id prev{};
  for (uint64_t i = 0; i < count; ++i) {
    Id id;
    if (!r.id(&id)) return false;
    if (i > 0 && !(prev < id)) return false;
    Register reg;
    if (!decode_register(r, &reg)) return false;
    state->emplace_hint(state->end(), id, std::move(reg));
    prev = id;
  }
  return r.left() == 0;
}

// ---------------------------------------------------------------------------------------------
// The merge: join of registers, the maximal versions of the union, all or nothing.
enum class JoinResult { kUnchanged, kChanged, kRefused };

JoinResult join_register(Register* local, const Register& incoming) {
  std::vector<Version> all = *local;
  for (const Version& v : incoming) {
    bool same = false;
    for (const Version& l : *local) {
      if (l.clock == v.clock) {
        if (!(l.content == v.content)) return JoinResult::kRefused;  // conflicting write
        same = true;
        break;
      }
    }
    if (!same) all.push_back(v);
  }
  Register out;
  for (size_t i = 0; i < all.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < all.size() && !dominated; ++j) {
      if (i != j && dominates(all[j].clock, all[i].clock)) dominated = true;
    }
    if (!dominated) out.push_back(all[i]);
  }
  if (out.size() > kSiblingsMax) return JoinResult::kRefused;
  std::sort(out.begin(), out.end(),
            [](const Version& a, const Version& b) { return canonical_less(a.clock, b.clock); });
  if (out == *local) return JoinResult::kUnchanged;
  *local = std::move(out);
  return JoinResult::kChanged;
}

// A register received from a peer for a pattern this node may not hold.
bool join_into_state(StateMap* state, const Id& id, const Register& incoming) {
  auto it = state->find(id);
  if (it == state->end()) {
    state->emplace(id, incoming);  // already a valid register (decode_register checked it)
    return true;
  }
  return join_register(&it->second, incoming) == JoinResult::kChanged;
}

// ---------------------------------------------------------------------------------------------
// merged(register): the resolved view's combination of the siblings (docs/MODEL.md, "The
// resolved view"): episodes united, strength max, the summary of the greatest (exact counter
// sum, content digest), the smallest absorbed_into any sibling names; on equal pairs the first
// sibling in canonical order.
__extension__ typedef unsigned __int128 U128;

std::array<uint8_t, 16> content_digest(const Content& c) {
  Bytes in = "C";
  encode_content(&in, c);
  XXH128_hash_t h = XXH3_128bits_withSeed(in.data(), in.size(), 0);
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, h);
  std::array<uint8_t, 16> out;
  std::memcpy(out.data(), canon.digest, 16);
  return out;
}

U128 counter_sum(const Clock& c) {
  U128 s = 0;
  for (const Entry& e : c) s += e.counter;
  return s;
}

Content merged(const Register& reg) {
  Content out;
  size_t best = 0;
  U128 best_sum = counter_sum(reg[0].clock);
  std::array<uint8_t, 16> best_digest = content_digest(reg[0].content);
  for (size_t i = 1; i < reg.size(); ++i) {
    U128 s = counter_sum(reg[i].clock);
    if (s < best_sum) continue;
    std::array<uint8_t, 16> d = content_digest(reg[i].content);
    if (s > best_sum || d > best_digest) {
      best = i;
      best_sum = s;
      best_digest = d;
    }
  }
  out.summary = reg[best].content.summary;
  std::vector<uint64_t> eps;
  for (const Version& v : reg) {
    out.strength = std::max(out.strength, v.content.strength);
    if (v.content.has_absorbed && (!out.has_absorbed || v.content.absorbed < out.absorbed)) {
      out.has_absorbed = true;
      out.absorbed = v.content.absorbed;
    }
    eps.insert(eps.end(), v.content.episodes.begin(), v.content.episodes.end());
  }
  std::sort(eps.begin(), eps.end());
  eps.erase(std::unique(eps.begin(), eps.end()), eps.end());
  out.episodes = std::move(eps);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The resolved view and its edges (docs/MODEL.md, "The resolved view", "Edges", "The resolved
// view, as a node exports it"), written as a view frame (docs/WIRE_FORMAT.md, kind 8).
struct ViewPattern {
  Id id;
  Id survivor;
  Content content;  // merged: its episodes may number more than 1,024
};
struct ViewEdge {
  Id a;
  Id b;
  uint64_t weight;
};

// Every pattern's merged content and survivor, in ascending id order, and the edges.
void resolve_view(const StateMap& state, std::vector<ViewPattern>* patterns,
                  std::vector<ViewEdge>* edges) {
  const size_t n = state.size();
  patterns->clear();
  patterns->reserve(n);
  for (const auto& [id, reg] : state) patterns->push_back({id, id, merged(reg)});
  // target[i]: the index of the pattern the merged absorbed_into names, when the state holds
  // it; none (kNone) when there is no target or the smallest target named is unknown.
  constexpr size_t kNone = SIZE_MAX;
  std::vector<size_t> target(n, kNone);
  for (size_t i = 0; i < n; ++i) {
    const Content& c = (*patterns)[i].content;
    if (!c.has_absorbed) continue;
    auto it = std::lower_bound(patterns->begin(), patterns->end(), c.absorbed,
                               [](const ViewPattern& p, const Id& want) { return p.id < want; });
    if (it != patterns->end() && it->id == c.absorbed) {
      target[i] = static_cast<size_t>(it - patterns->begin());
    }
  }
  // Survivors: follow the targets (iteratively, chains may be thousands long). Indexes ascend
  // with the ids, so the smallest index on a cycle is its smallest PatternId.
  enum : uint8_t { kUnseen, kOnPath, kDone };
  std::vector<uint8_t> mark(n, kUnseen);
  std::vector<size_t> survivor(n, kNone);
  std::vector<size_t> path;
  for (size_t start = 0; start < n; ++start) {
    if (mark[start] != kUnseen) continue;
    path.clear();
    size_t at = start;
    size_t end_survivor;
    for (;;) {
      if (mark[at] == kDone) {
        end_survivor = survivor[at];
        break;
      }
      if (mark[at] == kOnPath) {
        // A cycle: the patterns of the path from `at` on. Its smallest is live and the
        // survivor of the cycle and of everything leading into it.
        auto from = std::find(path.begin(), path.end(), at);
        end_survivor = *std::min_element(from, path.end());
        break;
      }
      mark[at] = kOnPath;
      path.push_back(at);
      if (target[at] == kNone) {
        end_survivor = at;  // live: no target, or a target the state does not hold
        break;
      }
      at = target[at];
    }
    for (size_t i : path) {
      survivor[i] = end_survivor;
      mark[i] = kDone;
    }
  }
  for (size_t i = 0; i < n; ++i) (*patterns)[i].survivor = (*patterns)[survivor[i]].id;
  // Edges: live patterns a < b whose merged contents share episodes; weight = how many.
  // (episode, live pattern) pairs, sorted: each run of one episode lists its holders in
  // ascending order. (A sorted vector rather than a std::map: no std::_Rb_tree instantiation
  // to leak into the plug-in's dynamic symbols.)
  std::vector<std::pair<uint64_t, size_t>> holders;
  for (size_t i = 0; i < n; ++i) {
    if (survivor[i] != i) continue;
    for (uint64_t e : (*patterns)[i].content.episodes) holders.emplace_back(e, i);
  }
  std::sort(holders.begin(), holders.end());
  // One (a, b) pair per shared episode; sorted, each run of equal pairs is one edge.
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t lo = 0; lo < holders.size();) {
    size_t hi = lo;
    while (hi < holders.size() && holders[hi].first == holders[lo].first) ++hi;
    for (size_t x = lo; x < hi; ++x) {
      for (size_t y = x + 1; y < hi; ++y) pairs.emplace_back(holders[x].second, holders[y].second);
    }
    lo = hi;
  }
  std::sort(pairs.begin(), pairs.end());
  edges->clear();
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
    edges->push_back({(*patterns)[pairs[i].first].id, (*patterns)[pairs[i].second].id, j - i});
    i = j;
  }
}

// view := n (id survivor content){n} m (a b weight){m}, sealed as a frame of kind 8.
Bytes encode_view_frame(const StateMap& state) {
  std::vector<ViewPattern> patterns;
  std::vector<ViewEdge> edges;
  resolve_view(state, &patterns, &edges);
  Bytes out;
  out.push_back(0x67);
  out.push_back(0x01);
  out.push_back(0x08);
  put_varint(&out, patterns.size());
  for (const ViewPattern& p : patterns) {
    put_id(&out, p.id);
    put_id(&out, p.survivor);
    encode_content(&out, p.content);
  }
  put_varint(&out, edges.size());
  for (const ViewEdge& e : edges) {
    put_id(&out, e.a);
    put_id(&out, e.b);
    put_varint(&out, e.weight);
  }
  put_u32le(&out, frame_checksum(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
  return out;
}

// ---------------------------------------------------------------------------------------------
// PRNG: splitmix64, seeded from gc_init.seed only.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, k), k >= 1, by rejection (no modulo bias).
  uint64_t below(uint64_t k) {
    uint64_t threshold = (0 - k) % k;
    for (;;) {
      uint64_t r = next();
      if (r >= threshold) return r % k;
    }
  }
};

constexpr uint8_t kPush = 1;
constexpr uint8_t kPull = 2;
constexpr size_t kMessageOverhead = 2 + 1 + 8 + 4 + 4 + 8;  // header and check
constexpr size_t kEntryOverhead = 4 + 16;                     // length prefix and id

struct Answered {
  uint32_t from;
  uint64_t xid;
  uint64_t deadline;
  bool operator==(const Answered&) const = default;
};

}  // namespace naive

// ---------------------------------------------------------------------------------------------
// The node.
struct gc_node {
  // Fixed at init.
  uint32_t self = 0;
  uint64_t replica = 0;
  std::vector<uint32_t> members;  // ascending, self included
  std::vector<uint32_t> peers;    // members other than self, ascending
  gc_config config{};
  uint64_t interval = 1'000'000;
  uint64_t exchange_timeout = 1'000'000;
  uint32_t exchanges_max = 64;
  uint32_t exchanges_per_peer_max = 2;
  // Moving.
  naive::StateMap state;
  naive::Rng rng{0};
  uint64_t next_xid = 0;
  bool started = false;
  uint64_t first_tick = 0;
  uint64_t now = 0;
  uint64_t next_gossip = 0;
  std::vector<naive::Answered> answered;  // pushes answered, alive until their deadline
  std::vector<std::pair<uint32_t, naive::Bytes>> outbox;
};

namespace naive {

uint64_t message_check(const gc_node* n, const uint8_t* p, size_t size) {
  return XXH3_64bits_withSeed(p, size, n->config.cluster_seed ^ kCheckSalt);
}

Bytes message_header(uint8_t type, uint64_t xid, uint32_t chunk) {
  Bytes m;
  m.push_back(0x4e);
  m.push_back(0x76);
  m.push_back(static_cast<char>(type));
  put_u64le(&m, xid);
  put_u32le(&m, chunk);
  return m;
}

void seal_and_queue(gc_node* n, uint32_t to, Bytes header, uint32_t count, const Bytes& body) {
  Bytes m = std::move(header);
  put_u32le(&m, count);
  m.append(body);
  put_u64le(&m, message_check(n, reinterpret_cast<const uint8_t*>(m.data()), m.size()));
  n->outbox.emplace_back(to, std::move(m));
}

// The whole state to `to`, in chunks of whole registers, each message at most
// message_bytes_max. A push is sent even when it carries nothing: it asks for the pull.
void send_state(gc_node* n, uint32_t to, uint8_t type, uint64_t xid) {
  uint64_t max = n->config.message_bytes_max;
  if (max < kMessageOverhead) return;  // not even an empty message fits
  uint64_t room = max - kMessageOverhead;
  uint32_t chunk = 0;
  uint32_t count = 0;
  Bytes body;
  Bytes entry;
  for (const auto& [id, reg] : n->state) {
    entry.clear();
    encode_register(&entry, reg);
    uint64_t size = kEntryOverhead + entry.size();
    if (size > room) continue;  // alone it does not fit: never sent
    if (body.size() + size > room) {
      seal_and_queue(n, to, message_header(type, xid, chunk++), count, body);
      body.clear();
      count = 0;
    }
    put_u32le(&body, static_cast<uint32_t>(16 + entry.size()));
    put_id(&body, id);
    body.append(entry);
    ++count;
  }
  if (count > 0 || (chunk == 0 && type == kPush)) {
    seal_and_queue(n, to, message_header(type, xid, chunk), count, body);
  }
}

void gossip(gc_node* n) {
  if (n->peers.empty()) return;
  uint32_t peer = n->peers[n->rng.below(n->peers.size())];
  uint64_t xid = n->next_xid++;
  send_state(n, peer, kPush, xid);
}

bool is_member(const gc_node* n, uint32_t who) {
  return std::binary_search(n->members.begin(), n->members.end(), who);
}

void receive(gc_node* n, uint32_t from, const uint8_t* p, size_t size) {
  if (p == nullptr || size < kMessageOverhead) return;
  if (p[0] != 0x4e || p[1] != 0x76) return;
  Reader check{p + size - 8, 8};
  uint64_t sum;
  check.u64le(&sum);
  if (sum != message_check(n, p, size - 8)) return;
  Reader r{p, size - 8, 2};
  uint8_t type;
  uint64_t xid;
  uint32_t chunk, count;
  if (!r.u8(&type) || !r.u64le(&xid) || !r.u32le(&chunk) || !r.u32le(&count)) return;
  if (type != kPush && type != kPull) return;
  // Every entry is safe on its own: join each, skip the ones that fail.
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len;
    if (!r.u32le(&len) || len > r.left()) break;  // cannot find the next entry
    Reader e{r.p + r.pos, len};
    r.pos += len;
    Id id;
    Register reg;
    if (!e.id(&id) || !decode_register(e, &reg) || e.left() != 0) continue;
    join_into_state(&n->state, id, reg);
  }
  // A push is answered by a pull, once per exchange, within the exchange limits; an answer
  // is never answered.
  if (type != kPush || from == n->self || !is_member(n, from)) return;
  uint32_t of_peer = 0;
  for (const Answered& a : n->answered) {
    if (a.from == from && a.xid == xid) return;
    if (a.from == from) ++of_peer;
  }
  if (of_peer >= n->exchanges_per_peer_max || n->answered.size() >= n->exchanges_max) return;
  uint64_t deadline =
      n->now > UINT64_MAX - n->exchange_timeout ? UINT64_MAX : n->now + n->exchange_timeout;
  n->answered.push_back({from, xid, deadline});
  send_state(n, from, kPull, xid);
}

void tick(gc_node* n, uint64_t now) {
  if (now < n->now) now = n->now;  // never backwards
  n->now = now;
  if (!n->started) {
    n->started = true;
    n->first_tick = now;
    // The first interval starts at the first tick; the node gossips at the end of each.
    n->next_gossip = now > UINT64_MAX - n->interval ? UINT64_MAX : now + n->interval;
  }
  std::erase_if(n->answered, [now](const Answered& a) { return a.deadline <= now; });
  if (now >= n->next_gossip) {
    gossip(n);
    // The next interval boundary after now; the intervals slept through are skipped.
    uint64_t k = (now - n->first_tick) / n->interval + 1;
    U128 next = U128{n->first_tick} + U128{k} * n->interval;
    n->next_gossip = next > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(next);
  }
}

// ---------------------------------------------------------------------------------------------
// Local writes (docs/PROTOCOL.md, "Local writes: what each must do", "Limits of local writes").

// The content checks, in the documented order.
int32_t check_content(const Content& c) {
  if (c.summary.size() > kSummaryBytesMax) return GC_OVER_LIMIT;
  if (!utf8_ok(reinterpret_cast<const uint8_t*>(c.summary.data()), c.summary.size())) {
    return GC_INVALID;
  }
  if (c.episodes.size() > kEpisodesMax) return GC_OVER_LIMIT;
  for (size_t i = 1; i < c.episodes.size(); ++i) {
    if (c.episodes[i] <= c.episodes[i - 1]) return GC_INVALID;
  }
  return GC_OK;
}

// The clock of a version written at `reg` (null: the pattern is not held): the join of the
// siblings' clocks with the writer's entry incremented. GC_OVER_LIMIT when it cannot be.
int32_t next_clock(const gc_node* n, const Register* reg, Clock* out) {
  Clock c;
  if (reg != nullptr) {
    for (const Version& v : *reg) c = clock_join(c, v.clock);
  }
  auto it = std::lower_bound(c.begin(), c.end(), n->replica,
                             [](const Entry& e, uint64_t r) { return e.replica < r; });
  if (it != c.end() && it->replica == n->replica) {
    if (it->counter == UINT64_MAX) return GC_OVER_LIMIT;
    ++it->counter;
  } else {
    c.insert(it, Entry{n->replica, 1});
  }
  if (c.size() > kClockEntriesMax) return GC_OVER_LIMIT;
  *out = std::move(c);
  return GC_OK;
}

Content content_of(const gc_content* c) {
  Content out;
  if (c->summary_size > 0 && c->summary != nullptr) {
    out.summary.assign(reinterpret_cast<const char*>(c->summary), c->summary_size);
  }
  if (c->episode_count > 0 && c->episodes != nullptr) {
    out.episodes.assign(c->episodes, c->episodes + c->episode_count);
  }
  out.strength = c->strength;
  out.has_absorbed = c->has_absorbed_into != 0;
  if (out.has_absorbed) std::memcpy(out.absorbed.data(), c->absorbed_into, 16);
  return out;
}

Id id_of(const uint8_t b[16]) {
  Id id;
  std::memcpy(id.data(), b, 16);
  return id;
}

int32_t write(gc_node* n, const uint8_t raw_id[16], const gc_content* raw, bool create) {
  if (raw_id == nullptr || raw == nullptr) return GC_INVALID;
  Id id = id_of(raw_id);
  auto it = n->state.find(id);
  if (create && it != n->state.end()) return GC_ALREADY_EXISTS;
  if (!create && it == n->state.end()) return GC_NOT_FOUND;
  // Summary and episodes beyond their limits are refused before they are copied.
  if (raw->summary_size > kSummaryBytesMax) return GC_OVER_LIMIT;
  if (raw->summary_size > 0 && raw->summary == nullptr) return GC_INVALID;
  if (!utf8_ok(raw->summary, raw->summary_size)) return GC_INVALID;
  if (raw->episode_count > kEpisodesMax) return GC_OVER_LIMIT;
  if (raw->episode_count > 0 && raw->episodes == nullptr) return GC_INVALID;
  Version v;
  v.content = content_of(raw);
  if (int32_t rc = check_content(v.content); rc != GC_OK) return rc;
  const Register* reg = it == n->state.end() ? nullptr : &it->second;
  if (int32_t rc = next_clock(n, reg, &v.clock); rc != GC_OK) return rc;
  n->state[id] = Register{std::move(v)};
  return GC_OK;
}

int32_t absorb(gc_node* n, const uint8_t raw_a[16], const uint8_t raw_b[16]) {
  if (raw_a == nullptr || raw_b == nullptr) return GC_INVALID;
  Id a = id_of(raw_a);
  Id b = id_of(raw_b);
  if (a == b) return GC_INVALID;
  auto ia = n->state.find(a);
  if (ia == n->state.end()) return GC_NOT_FOUND;
  auto ib = n->state.find(b);
  if (ib == n->state.end()) return GC_NOT_FOUND;
  Content ma = merged(ia->second);
  Content mb = merged(ib->second);
  // b: merged(b) with merged(a)'s episodes added.
  Version vb;
  vb.content = mb;
  std::vector<uint64_t> eps;
  std::set_union(mb.episodes.begin(), mb.episodes.end(), ma.episodes.begin(), ma.episodes.end(),
                 std::back_inserter(eps));
  vb.content.episodes = std::move(eps);
  if (int32_t rc = check_content(vb.content); rc != GC_OK) return rc;
  if (int32_t rc = next_clock(n, &ib->second, &vb.clock); rc != GC_OK) return rc;
  // a: merged(a) with absorbed_into = b.
  Version va;
  va.content = ma;
  va.content.has_absorbed = true;
  va.content.absorbed = b;
  if (int32_t rc = check_content(va.content); rc != GC_OK) return rc;
  if (int32_t rc = next_clock(n, &ia->second, &va.clock); rc != GC_OK) return rc;
  ib->second = Register{std::move(vb)};
  ia->second = Register{std::move(va)};
  return GC_OK;
}

// ---------------------------------------------------------------------------------------------
// The plug-in table.

void say(gc_bytes_sink sink, void* ctx, const char* why) {
  if (sink != nullptr) sink(ctx, reinterpret_cast<const uint8_t*>(why), std::strlen(why));
}

gc_node* p_init(const gc_init* in, gc_bytes_sink error, void* ctx) {
  if (in == nullptr || in->config == nullptr) {
    say(error, ctx, "naive: no init or no config");
    return nullptr;
  }
  if (in->member_count > 0 && in->members == nullptr) {
    say(error, ctx, "naive: no members");
    return nullptr;
  }
  auto* n = new gc_node;
  n->self = in->self;
  n->replica = in->replica;
  n->members.assign(in->members, in->members + in->member_count);
  std::sort(n->members.begin(), n->members.end());
  n->members.erase(std::unique(n->members.begin(), n->members.end()), n->members.end());
  for (uint32_t m : n->members) {
    if (m != n->self) n->peers.push_back(m);
  }
  n->config = *in->config;
  n->interval = n->config.gossip_interval_us == 0 ? 1'000'000 : n->config.gossip_interval_us;
  n->exchange_timeout =
      n->config.exchange_timeout_us == 0 ? n->interval : n->config.exchange_timeout_us;
  n->exchanges_max = n->config.exchanges_max == 0 ? 64 : n->config.exchanges_max;
  n->exchanges_per_peer_max =
      n->config.exchanges_per_peer_max == 0 ? 2 : n->config.exchanges_per_peer_max;
  n->rng.s = in->seed;
  n->next_xid = n->rng.next();
  if (in->state_size > 0 || in->state != nullptr) {
    if (in->state == nullptr || !decode_state_frame(in->state, in->state_size, &n->state)) {
      say(error, ctx, "naive: the initial state is not a valid canonical state frame");
      delete n;
      return nullptr;
    }
  }
  return n;
}

void p_destroy(gc_node* n) { delete n; }

int32_t p_create(gc_node* n, const uint8_t id[16], const gc_content* c) {
  return write(n, id, c, true);
}
int32_t p_refine(gc_node* n, const uint8_t id[16], const gc_content* c) {
  return write(n, id, c, false);
}
int32_t p_absorb(gc_node* n, const uint8_t a[16], const uint8_t into[16]) {
  return absorb(n, a, into);
}
void p_tick(gc_node* n, uint64_t now) { tick(n, now); }
void p_receive(gc_node* n, uint32_t from, const uint8_t* data, size_t size) {
  receive(n, from, data, size);
}
void p_take_outbox(gc_node* n, gc_message_sink sink, void* ctx) {
  auto out = std::move(n->outbox);
  n->outbox.clear();
  for (const auto& [to, bytes] : out) {
    sink(ctx, to, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
}
uint64_t p_next_wakeup(const gc_node* n) { return n->started ? n->next_gossip : n->now; }

int32_t p_export_state(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  Bytes frame = encode_state_frame(n->state);
  if (frame.size() > kFrameBytesMax) return GC_OVER_LIMIT;
  sink(ctx, reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
  return GC_OK;
}

gc_node* p_clone(const gc_node* n) { return new gc_node(*n); }

// ABI version 2: the node's own resolved view and edges, one view frame (kind 8).
int32_t p_view(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  Bytes frame = encode_view_frame(n->state);
  if (frame.size() > kFrameBytesMax) return GC_OVER_LIMIT;
  sink(ctx, reinterpret_cast<const uint8_t*>(frame.data()), frame.size());
  return GC_OK;
}

void p_fingerprint(const gc_node* n, gc_bytes_sink sink, void* ctx) {
  Bytes f;
  put_u32le(&f, n->self);
  put_u64le(&f, n->replica);
  put_u64le(&f, n->members.size());
  for (uint32_t m : n->members) put_u32le(&f, m);
  const gc_config& c = n->config;
  for (uint64_t v : {c.cluster_seed, c.gossip_interval_us, c.exchange_timeout_us,
                     c.message_bytes_max, uint64_t{c.recent_rounds}, uint64_t{c.recent_max},
                     uint64_t{c.walk_width}, uint64_t{c.exchanges_max},
                     uint64_t{c.exchanges_per_peer_max}, uint64_t{c.messages_per_exchange_max}}) {
    put_u64le(&f, v);
  }
  put_u64le(&f, n->rng.s);
  put_u64le(&f, n->next_xid);
  f.push_back(n->started ? 1 : 0);
  put_u64le(&f, n->first_tick);
  put_u64le(&f, n->now);
  put_u64le(&f, n->next_gossip);
  put_u64le(&f, n->answered.size());
  for (const Answered& a : n->answered) {
    put_u32le(&f, a.from);
    put_u64le(&f, a.xid);
    put_u64le(&f, a.deadline);
  }
  put_u64le(&f, n->outbox.size());
  for (const auto& [to, bytes] : n->outbox) {
    put_u32le(&f, to);
    put_u64le(&f, bytes.size());
    f.append(bytes);
  }
  f.append(encode_state_frame(n->state));
  sink(ctx, reinterpret_cast<const uint8_t*>(f.data()), f.size());
}

// Every field named (C++20 designated initializers, in the declaration order of plugin.h):
// a table built positionally silently left the ABI-2 `view` field null when the header grew.
const gc_plugin kPlugin = {
    .abi_version = GOSSIPCHECK_ABI_VERSION,
    .name = "naive",
    .version = "naive full-state push-pull 1.1 (examples/naive, written from the docs alone)",
    .capabilities = GC_CAP_CLONE | GC_CAP_FINGERPRINT,
    .init = p_init,
    .destroy = p_destroy,
    .create = p_create,
    .refine = p_refine,
    .absorb = p_absorb,
    .tick = p_tick,
    .receive = p_receive,
    .take_outbox = p_take_outbox,
    .next_wakeup = p_next_wakeup,
    .export_state = p_export_state,
    .clone = p_clone,
    .fingerprint = p_fingerprint,
    .view = p_view,
};
static_assert(GOSSIPCHECK_ABI_VERSION == 2, "this table is the ABI-2 table: revisit it");

}  // namespace naive

extern "C" __attribute__((visibility("default"))) const gc_plugin* gossipcheck_plugin(void) {
  return &naive::kPlugin;
}
