#include "model/model.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <xxhash.h>

namespace gossip::model {

Order compare(const Clock& a, const Clock& b) {
  bool a_more = false, b_more = false;
  for (const auto& [r, n] : a) {
    auto it = b.find(r);
    const std::uint64_t m = it == b.end() ? 0 : it->second;
    if (n > m) a_more = true;
    if (n < m) b_more = true;
  }
  for (const auto& [r, m] : b) {
    if (!a.count(r) && m > 0) b_more = true;
  }
  if (a_more && b_more) return Order::kConcurrent;
  if (a_more) return Order::kAfter;
  if (b_more) return Order::kBefore;
  return Order::kEqual;
}

void append_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

JoinOutcome join_checked(const Register& a, const Register& b) {
  Register all = a;
  for (const auto& [clock, content] : b) {
    auto [it, inserted] = all.emplace(clock, content);
    if (!inserted && !(it->second == content)) return {JoinOutcome::kConflict, {}};
  }
  Register out;
  for (const auto& [clock, content] : all) {
    bool dominated = false;
    for (const auto& [other, unused] : all) dominated = dominated || compare(clock, other) == Order::kBefore;
    if (!dominated) out.emplace(clock, content);
  }
  // The limit bounds the result, never a step on the way to it: the join of the same two
  // registers is refused in either order or in neither.
  if (out.size() > kSiblingsMax) return {JoinOutcome::kOverLimit, {}};
  return {JoinOutcome::kJoined, std::move(out)};
}

std::optional<Register> join(const Register& a, const Register& b) {
  JoinOutcome j = join_checked(a, b);
  if (j.result != JoinOutcome::kJoined) return std::nullopt;
  return std::move(j.joined);
}

namespace {
// The pointwise max of the clocks of `seen`: what a write over it has seen.
Clock joined_clock(const Register& seen) {
  Clock out;
  for (const auto& [clock, unused] : seen) {
    for (const auto& [r, n] : clock) out[r] = std::max(out[r], n);
  }
  return out;
}
}  // namespace

Clock write_clock(const Register& seen, Replica writer) {
  Clock out = joined_clock(seen);
  ++out[writer];
  return out;
}

std::string write_refusal(const Register& seen, Replica writer) {
  const Clock joined = joined_clock(seen);
  auto it = joined.find(writer);
  if (it != joined.end() && it->second == UINT64_MAX) return "the writer's counter is at its maximum";
  const std::size_t entries = joined.size() + (it == joined.end() ? 1 : 0);
  if (entries > kClockEntriesMax) return "the new clock would have " + std::to_string(entries) + " entries";
  return "";
}

bool valid_utf8(const std::string& bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) { len = 1; cp = b; }
    else if ((b & 0xE0) == 0xC0) { len = 2; cp = b & 0x1F; }
    else if ((b & 0xF0) == 0xE0) { len = 3; cp = b & 0x0F; }
    else if ((b & 0xF8) == 0xF0) { len = 4; cp = b & 0x07; }
    else return false;
    if (i + len > bytes.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(bytes[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kSmallest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

const char* to_string(WriteError error) {
  switch (error) {
    case WriteError::kNone: return "ok";
    case WriteError::kNotFound: return "not found";
    case WriteError::kAlreadyExists: return "already exists";
    case WriteError::kInvalid: return "invalid";
    case WriteError::kOverLimit: return "over limit";
  }
  return "?";
}

namespace {
// Why `content` cannot be written, in the order the checks are made; kNone when it can.
std::pair<WriteError, std::string> content_refusal(const Content& c) {
  if (c.summary.size() > kSummaryBytesMax) {
    return {WriteError::kOverLimit, "a summary of " + std::to_string(c.summary.size()) + " bytes"};
  }
  if (!valid_utf8(c.summary)) return {WriteError::kInvalid, "a summary that is not UTF-8"};
  if (c.episodes.size() > kEpisodesMax) {
    return {WriteError::kOverLimit, std::to_string(c.episodes.size()) + " episodes"};
  }
  return {WriteError::kNone, ""};
}
}  // namespace

ExpectedWrite expected_write(const StateMap& held, WriteOp op, Replica writer, const PatternKey& pattern,
                             const PatternKey& into, const Content& content) {
  ExpectedWrite out;
  auto refuse = [&](WriteError e, std::string why) {
    out.error = e;
    out.why = std::move(why);
    out.versions.clear();
    return out;
  };
  const auto a = held.find(pattern);
  std::vector<std::pair<PatternKey, Content>> planned;  // (pattern, content), in write order
  switch (op) {
    case WriteOp::kCreate:
      if (a != held.end()) return refuse(WriteError::kAlreadyExists, "the pattern exists");
      planned.emplace_back(pattern, content);
      break;
    case WriteOp::kRefine:
      if (a == held.end()) return refuse(WriteError::kNotFound, "no such pattern");
      planned.emplace_back(pattern, content);
      break;
    case WriteOp::kAbsorb: {
      if (pattern == into) return refuse(WriteError::kInvalid, "a pattern cannot absorb itself");
      const auto b = held.find(into);
      if (a == held.end()) return refuse(WriteError::kNotFound, "no absorbed pattern");
      if (b == held.end()) return refuse(WriteError::kNotFound, "no target pattern");
      const Content ca = merged(a->second);
      Content cb = merged(b->second);
      cb.episodes.insert(ca.episodes.begin(), ca.episodes.end());
      Content marked = ca;
      marked.absorbed_into = into;
      planned.emplace_back(into, std::move(cb));
      planned.emplace_back(pattern, std::move(marked));
      break;
    }
  }
  for (auto& [p, c] : planned) {
    auto [error, why] = content_refusal(c);
    if (error != WriteError::kNone) return refuse(error, std::move(why));
    const auto it = held.find(p);
    const Register none;
    const Register& seen = it == held.end() ? none : it->second;
    if (std::string limit = write_refusal(seen, writer); !limit.empty()) {
      return refuse(WriteError::kOverLimit, std::move(limit));
    }
    out.versions.emplace_back(p, Version{write_clock(seen, writer), std::move(c)});
  }
  return out;
}

std::string to_string(const Clock& clock) {
  std::ostringstream out;
  out << '{';
  const char* sep = "";
  for (const auto& [r, n] : clock) {
    out << sep << (r >> 32) << '.' << (r & 0xFFFFFFFFu) << ':' << n;
    sep = ", ";
  }
  out << '}';
  return out.str();
}

namespace {


// Exact: 256 entries of at most 2^64 - 1 need 72 bits; a sum that wraps would rank a clock
// of huge counters below a clock of small ones.
__extension__ typedef unsigned __int128 Sum128;
Sum128 counter_sum(const Clock& clock) {
  Sum128 sum = 0;
  for (const auto& [r, n] : clock) sum += n;
  return sum;
}

using Digest16 = std::array<std::uint8_t, 16>;

Digest16 hash(std::uint64_t seed, const std::string& bytes) {
  const XXH128_hash_t h = XXH3_128bits_withSeed(bytes.data(), bytes.size(), seed);
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  Digest16 out;
  std::copy(std::begin(canonical.digest), std::end(canonical.digest), out.begin());
  return out;
}

void append_content(std::string& bytes, const Content& c) {
  append_varint(bytes, c.summary.size());
  bytes += c.summary;
  append_varint(bytes, c.episodes.size());
  std::uint64_t previous = 0;
  bool first = true;
  for (std::uint64_t e : c.episodes) {
    append_varint(bytes, first ? e : e - previous);
    previous = e;
    first = false;
  }
  append_varint(bytes, c.strength);
  bytes.push_back(c.absorbed_into ? 1 : 0);
  if (c.absorbed_into) bytes.append(c.absorbed_into->begin(), c.absorbed_into->end());
}

void append(std::string& bytes, const Digest16& d) { bytes.append(d.begin(), d.end()); }

struct TreeEntry {
  Digest16 key;
  PatternKey id;
  Digest16 digest;
};

Digest16 subtree(std::uint64_t seed, const std::vector<TreeEntry>& entries, std::size_t depth) {
  constexpr std::size_t kLeafCapacity = 8, kDepthMax = 32, kFanout = 16;
  std::string bytes;
  if (entries.size() <= kLeafCapacity || depth == kDepthMax) {
    bytes = "L";
    for (const TreeEntry& e : entries) append(bytes, e.digest);
    return hash(seed, bytes);
  }
  std::vector<TreeEntry> parts[kFanout];
  for (const TreeEntry& e : entries) {
    const std::uint8_t byte = e.key[depth / 2];
    parts[depth % 2 == 0 ? byte >> 4 : byte & 0x0F].push_back(e);
  }
  bytes = "I";
  for (const auto& part : parts) append(bytes, part.empty() ? Digest16{} : subtree(seed, part, depth + 1));
  return hash(seed, bytes);
}

}  // namespace

std::array<std::uint8_t, 16> content_digest(const Content& c) {
  std::string bytes = "C";
  append_content(bytes, c);
  return hash(0, bytes);
}

std::string encode_content(const Content& c) {
  std::string out;
  append_content(out, c);
  return out;
}

std::string encode_register(const Register& reg) {
  std::string e;
  append_varint(e, reg.size());
  for (const auto& [clock, content] : reg) {  // by clock: the canonical sibling order
    append_varint(e, clock.size());
    std::uint64_t previous = 0;
    bool first = true;
    for (const auto& [replica, counter] : clock) {
      append_varint(e, first ? replica : replica - previous);
      append_varint(e, counter);
      previous = replica;
      first = false;
    }
    append_content(e, content);
  }
  return e;
}

std::string frame(std::uint8_t kind, const std::string& payload) {
  std::string out;
  out.reserve(payload.size() + 7);
  out += "g\x01";
  out.push_back(static_cast<char>(kind));
  out += payload;
  const std::uint32_t checksum = static_cast<std::uint32_t>(XXH3_64bits(out.data(), out.size()));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((checksum >> (8 * i)) & 0xFF));
  return out;
}

std::array<std::uint8_t, 16> merkle_root(const StateMap& state, std::uint64_t seed) {
  std::vector<TreeEntry> entries;
  for (const auto& [id, reg] : state) {
    std::string p = "P";
    p.append(id.begin(), id.end());
    std::string e = "E";
    e.append(id.begin(), id.end());
    e += encode_register(reg);
    entries.push_back(TreeEntry{hash(seed, p), id, hash(seed, e)});
  }
  if (entries.empty()) return Digest16{};
  std::sort(entries.begin(), entries.end(), [](const TreeEntry& a, const TreeEntry& b) {
    return a.key != b.key ? a.key < b.key : a.id < b.id;
  });
  return subtree(seed, entries, 0);
}

Content merged(const Register& reg) {
  Content out;
  std::pair<Sum128, std::array<std::uint8_t, 16>> best{0, {}};
  bool any = false;
  for (const auto& [clock, c] : reg) {
    out.episodes.insert(c.episodes.begin(), c.episodes.end());
    out.strength = std::max(out.strength, c.strength);
    if (c.absorbed_into && (!out.absorbed_into || *c.absorbed_into < *out.absorbed_into)) {
      out.absorbed_into = c.absorbed_into;
    }
    auto rank = std::make_pair(counter_sum(clock), content_digest(c));
    if (!any || rank > best) {
      best = rank;
      out.summary = c.summary;
      any = true;
    }
  }
  return out;
}

View resolve(const StateMap& state) {
  View view;
  for (const auto& [id, reg] : state) {
    ResolvedPattern p;
    p.survivor = id;
    p.content = merged(reg);
    view.emplace(id, p);
  }
  // Survivors: follow absorbed_into through known patterns until a live one or a cycle. Every
  // pattern on one path leads to the same end, so each path's survivor is remembered for all
  // of it (chains thousands long stay cheap).
  std::map<PatternKey, PatternKey> known;
  for (auto& [id, p] : view) {
    std::vector<PatternKey> path{id};
    std::set<PatternKey> on_path{id};
    PatternKey at = id;
    PatternKey survivor;
    for (;;) {
      if (auto k = known.find(at); k != known.end()) {
        survivor = k->second;
        break;
      }
      const auto& target = view.at(at).content.absorbed_into;
      if (!target || !view.count(*target)) {
        survivor = at;
        break;
      }
      if (on_path.count(*target)) {  // a cycle: from *target to the end of the path
        auto again = std::find(path.begin(), path.end(), *target);
        survivor = *std::min_element(again, path.end());
        break;
      }
      at = *target;
      path.push_back(at);
      on_path.insert(at);
    }
    for (const PatternKey& k : path) known.emplace(k, survivor);
    p.survivor = survivor;
  }
  for (auto& [id, p] : view) p.live = p.survivor == id;
  return view;
}

std::vector<Edge> edges(const View& view) {
  std::vector<Edge> out;
  for (auto a = view.begin(); a != view.end(); ++a) {
    if (!a->second.live) continue;
    for (auto b = std::next(a); b != view.end(); ++b) {
      if (!b->second.live) continue;
      std::uint32_t shared = 0;
      for (std::uint64_t e : a->second.content.episodes) {
        shared += b->second.content.episodes.count(e) ? 1u : 0u;
      }
      if (shared > 0) out.push_back(Edge{a->first, b->first, shared});
    }
  }
  return out;
}

std::string Oracle::write(const PatternKey& pattern, const Clock& clock, const Content& content,
                          const std::vector<Clock>& seen) {
  auto& writes = writes_by_pattern_[pattern];
  if (writes.count(clock)) {
    return "clock " + to_string(clock) + " issued twice for one pattern (a counter reused)";
  }
  Write w;
  w.content = content;
  for (const Clock& s : seen) {
    auto it = writes.find(s);
    if (it == writes.end()) return "the writer held " + to_string(s) + ", which was never written";
    w.past.insert(s);
    w.past.insert(it->second.past.begin(), it->second.past.end());
  }
  // Every earlier version is either in the new one's past (its clock must be below) or
  // concurrent with it (its clock must be concurrent): the new version cannot be in an
  // earlier one's past.
  for (const auto& [other, unused] : writes) {
    const Order o = compare(other, clock);
    const bool saw = w.past.count(other) > 0;
    if (saw && o != Order::kBefore) {
      return "new clock " + to_string(clock) + " does not dominate " + to_string(other) +
             ", which its writer saw";
    }
    if (!saw && o != Order::kConcurrent) {
      return "new clock " + to_string(clock) + " is ordered against " + to_string(other) +
             ", which its writer never saw";
    }
  }
  writes.emplace(clock, std::move(w));
  ++writes_;
  return "";
}

bool Oracle::written(const PatternKey& pattern, const Clock& clock) const {
  return content(pattern, clock) != nullptr;
}

const Content* Oracle::content(const PatternKey& pattern, const Clock& clock) const {
  auto p = writes_by_pattern_.find(pattern);
  if (p == writes_by_pattern_.end()) return nullptr;
  auto it = p->second.find(clock);
  return it == p->second.end() ? nullptr : &it->second.content;
}

bool Oracle::precedes(const PatternKey& pattern, const Clock& earlier, const Clock& later) const {
  auto p = writes_by_pattern_.find(pattern);
  if (p == writes_by_pattern_.end()) return false;
  auto w = p->second.find(later);
  return w != p->second.end() && w->second.past.count(earlier) > 0;
}

StateMap Oracle::maximal(const std::map<PatternKey, std::set<Clock>>& versions) const {
  StateMap out;
  for (const auto& [pattern, clocks] : versions) {
    for (const Clock& c : clocks) {
      bool dominated = false;
      for (const Clock& d : clocks) dominated = dominated || (d != c && precedes(pattern, c, d));
      if (!dominated) out[pattern].emplace(c, *content(pattern, c));
    }
  }
  return out;
}

std::set<PatternKey> Oracle::patterns() const {
  std::set<PatternKey> out;
  for (const auto& [p, unused] : writes_by_pattern_) out.insert(p);
  return out;
}

void Oracle::append_fingerprint(std::string* out) const {
  auto clock = [&](const Clock& c) {
    append_varint(*out, c.size());
    for (const auto& [r, n] : c) {
      append_varint(*out, r);
      append_varint(*out, n);
    }
  };
  for (const auto& [p, writes] : writes_by_pattern_) {
    out->append(p.begin(), p.end());
    append_varint(*out, writes.size());
    for (const auto& [c, w] : writes) {
      clock(c);
      append_content(*out, w.content);
      append_varint(*out, w.past.size());
      for (const Clock& seen : w.past) clock(seen);
    }
  }
}

}  // namespace gossip::model
