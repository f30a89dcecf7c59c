// model/: the oracle. An executable specification of the consolidation state (docs/MODEL.md),
// small enough to be read in one sitting, that shares no code with reference/.
//
// It knows a history by its writes: each write names the pattern, the clock and content the
// writer gave the new version, and the versions the writer held of that pattern just before
// (the ones the write saw, and so replaces). From that alone it gives:
//   - the causal order between versions: v precedes w when w's writer saw v, directly or
//     through versions it saw (transitively). This is the truth the clocks must agree with;
//   - the expected register of a set of versions: its maximal elements under that order;
//   - the resolved view and the edges of a state, by the rules of docs/MODEL.md.
// Plain ordered containers and quadratic loops throughout: clarity over speed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gossip::model {

using PatternKey = std::array<std::uint8_t, 16>;
using Replica = std::uint64_t;
using Clock = std::map<Replica, std::uint64_t>;  // entries are never zero

enum class Order { kEqual, kBefore, kAfter, kConcurrent };
Order compare(const Clock& a, const Clock& b);

struct Content {
  std::string summary;
  std::set<std::uint64_t> episodes;
  std::uint32_t strength = 0;
  std::optional<PatternKey> absorbed_into;
  bool operator==(const Content&) const = default;
};

struct Version {
  Clock clock;
  Content content;
  bool operator==(const Version&) const = default;
};

using Register = std::map<Clock, Content>;  // the siblings, by clock
using StateMap = std::map<PatternKey, Register>;

struct ResolvedPattern {
  Content content;
  PatternKey survivor{};
  bool live = true;
  bool operator==(const ResolvedPattern&) const = default;
};
using View = std::map<PatternKey, ResolvedPattern>;

struct Edge {
  PatternKey a{}, b{};  // a < b
  std::uint32_t weight = 0;
  bool operator==(const Edge&) const = default;
};

// The limits of the data model that decide an operation's outcome (docs/WIRE_FORMAT.md,
// "Limits"): the oracle's own copy, so that it does not read reference/.
inline constexpr std::size_t kSiblingsMax = 32;       // versions of one register
inline constexpr std::size_t kClockEntriesMax = 256;  // entries of one clock
inline constexpr std::size_t kSummaryBytesMax = 1024; // UTF-8 bytes of one summary
inline constexpr std::size_t kEpisodesMax = 1024;     // episodes of one version
inline constexpr std::size_t kPatternsMax = 10'000'000;  // patterns of one state frame
inline constexpr std::size_t kFrameBytesMax = std::size_t{256} << 20;  // one frame

// The join of two registers with the reason it is refused, if it is: two versions with equal
// clocks and different content (corruption), or a result of more than kSiblingsMax siblings.
struct JoinOutcome {
  enum Result { kJoined, kConflict, kOverLimit } result = kJoined;
  Register joined;  // kJoined only
};
JoinOutcome join_checked(const Register& a, const Register& b);

// The lattice join of two registers (docs/MODEL.md, "Registers"): the maximal elements of their
// union under clock order. nullopt when two versions have equal clocks and different content
// (corruption, never silently resolved) or when the result exceeds kSiblingsMax. The merge the
// Z3 proofs (prove.h) are about.
std::optional<Register> join(const Register& a, const Register& b);
// The clock of a write at `writer` to a pattern whose siblings were `seen` (docs/MODEL.md, "Local
// writes"): the pointwise max of their clocks, writer's entry incremented.
Clock write_clock(const Register& seen, Replica writer);
// Why a write at `writer` over `seen` must be refused (the operation fails, nothing changes),
// or "" when it must succeed: the writer's entry is already 2^64 - 1, or the new clock would
// have more than kClockEntriesMax entries.
std::string write_refusal(const Register& seen, Replica writer);

// Well-formed UTF-8 (RFC 3629: shortest forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(const std::string& bytes);

// The outcome of a local write, decided from the operation, its arguments and what the writer
// held, by the rules of docs/MODEL.md ("Local writes", "Limits of local writes"):
//   create(p, c):   refused kAlreadyExists when p is held; else writes c.
//   refine(p, c):   refused kNotFound when p is not held; else writes c over p's register.
//   absorb(a, b):   refused kInvalid when a == b, kNotFound when a, then b, is not held; else
//                   writes b: merged(b) with episodes(merged(b)) ∪ episodes(merged(a)), then
//                   a: merged(a) with absorbed_into = b.
// Each version written must have valid content (summary of at most kSummaryBytesMax bytes,
// kOverLimit; well-formed UTF-8, kInvalid; at most kEpisodesMax episodes, kOverLimit) and a
// write clock within the limits (write_refusal, kOverLimit); the first check that fails, in
// that order and version by version (absorb: b first), refuses the whole operation, which then
// changes nothing. The clock of each version written is write_clock(the writer's register).
enum class WriteOp { kCreate, kRefine, kAbsorb };
enum class WriteError { kNone, kNotFound, kAlreadyExists, kInvalid, kOverLimit };
struct ExpectedWrite {
  WriteError error = WriteError::kNone;
  std::string why;  // when refused
  std::vector<std::pair<PatternKey, Version>> versions;  // when not: written, in this order
};
ExpectedWrite expected_write(const StateMap& held, WriteOp op, Replica writer, const PatternKey& pattern,
                             const PatternKey& into, const Content& content);
const char* to_string(WriteError error);

// The siblings of one register merged (the first half of the resolved view, below): episodes
// = union, strength = max, summary of the sibling with the greatest (sum of counters, content
// digest), absorbed_into = the smallest target any sibling names.
Content merged(const Register& reg);

// The resolved view (docs/MODEL.md): per pattern, episodes = union, strength = max, summary of
// the sibling with the greatest (sum of counters, content digest), absorbed_into = the
// smallest target any sibling names; absorbed_into chains followed to a live survivor, a
// cycle resolved to its smallest id, an unknown target leaves the pattern live.
View resolve(const StateMap& state);
// Two live patterns sharing episodes, weight = how many; ascending (a, b).
std::vector<Edge> edges(const View& view);
// XXH3-128, seed 0, of 'C' followed by the content's canonical encoding (docs/WIRE_FORMAT.md),
// big-endian: the tie-break of the summary.
std::array<std::uint8_t, 16> content_digest(const Content& content);

// The Merkle root of a state under a cluster seed, computed from scratch from the definition
// in docs/WIRE_FORMAT.md ("Digests"): placement keys, entry digests over the register's
// encoding, a 16-way trie on the keys with leaves of at most 8 entries. An independent second
// computation: the reference's incremental tree and its from-scratch build share their digest
// code, this shares none of it.
std::array<std::uint8_t, 16> merkle_root(const StateMap& state, std::uint64_t cluster_seed);

// The wire encoding of docs/WIRE_FORMAT.md, written again from the document and without any of
// its limits, so that a property can build input exactly at a limit and one past it: the
// register (siblings by clock), and a frame around a payload (magic, version, kind, checksum).
std::string encode_register(const Register& reg);
std::string encode_content(const Content& content);
void append_varint(std::string& out, std::uint64_t v);
std::string frame(std::uint8_t kind, const std::string& payload);

class Oracle {
 public:
  // Records a write. `seen`: the clocks of the pattern's versions the writer held just
  // before. Returns what is wrong with the write, or "" when nothing is: a clock already
  // issued for this pattern (a counter reused: I3), a seen version that was never written,
  // or a clock whose order against an earlier version disagrees with causality.
  std::string write(const PatternKey& pattern, const Clock& clock, const Content& content,
                    const std::vector<Clock>& seen);

  bool written(const PatternKey& pattern, const Clock& clock) const;
  const Content* content(const PatternKey& pattern, const Clock& clock) const;
  // `later`'s writer saw `earlier`, directly or transitively (false when `later` was never
  // written).
  bool precedes(const PatternKey& pattern, const Clock& earlier, const Clock& later) const;
  // The maximal elements of `versions` (pattern -> written clocks) under causal order.
  StateMap maximal(const std::map<PatternKey, std::set<Clock>>& versions) const;
  std::size_t writes() const { return writes_; }
  // Appends every write (pattern, clock, content, what it saw) as bytes, in a canonical order.
  void append_fingerprint(std::string* out) const;
  std::set<PatternKey> patterns() const;

 private:
  struct Write {
    Content content;
    std::set<Clock> past;  // every version it saw, transitively
  };
  std::map<PatternKey, std::map<Clock, Write>> writes_by_pattern_;
  std::size_t writes_ = 0;
};

std::string to_string(const Clock& clock);

}  // namespace gossip::model
