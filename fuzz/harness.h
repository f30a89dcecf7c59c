// What the fuzz targets share: reading structured choices out of the fuzzer's bytes, the
// checks every target makes after a merge, a meter of the heap a call allocates, and the fixed
// states and messages the targets start from (the same ones the seed corpus is made of).
//
// A failed check prints what was wrong and aborts: to libFuzzer that is a crash, saved with
// the input that caused it; to the replay main (replay_main.cc) it is a failed ctest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/codec.h"
#include "reference/node.h"
#include "reference/rng.h"
#include "reference/state.h"
#include "reference/sync_message.h"

extern "C" {
// libFuzzer's entry points (replay_main.cc gives the same ones when libFuzzer is absent).
int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);
}

namespace gossip::fuzz {

// Aborts the process with `what` (and the check's place) on stderr.
[[noreturn]] void fail(const char* file, int line, const std::string& what);
#define FUZZ_CHECK(cond, what)                                    \
  do {                                                            \
    if (!(cond)) ::gossip::fuzz::fail(__FILE__, __LINE__, (what)); \
  } while (0)

// The fuzzer's bytes read as choices. Every read is total: past the end it gives zeros (or
// an empty span), so any input is a valid sequence of choices.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  bool flag() { return (byte() & 1) != 0; }
  std::size_t below(std::size_t bound) { return bound == 0 ? 0 : u16() % bound; }
  ByteView bytes(std::size_t n);  // at most n, fewer at the end
  ByteView rest() { return bytes(remaining()); }
  std::size_t remaining() const { return size_ - pos_; }
  bool empty() const { return pos_ == size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Two byte strings out of one input: a u16 little-endian length, then the first, then the
// second (the decode-then-merge and differential targets take two states this way).
struct Pair {
  ByteView first;
  ByteView second;
};
Pair split_pair(ByteView input);
Bytes join_pair(ByteView first, ByteView second);
// Both halves of split_pair decoded as state frames (under kClusterSeed); nullopt unless both
// decode.
struct StatePair {
  State first;
  State second;
};
std::optional<StatePair> decode_state_pair(ByteView input);

// Peak heap bytes allocated (and still live) on this thread between start() and stop(), seen
// through the sanitizer allocator's hooks. Without a sanitizer (the gcc replay build) it
// measures nothing and available() is false; the checks that use it are then skipped.
class AllocationMeter {
 public:
  static bool available();
  void start();
  std::size_t stop();  // the peak, in bytes
};

// A decoder's allocation allowance: a constant times its input, plus a constant (codec.h's
// promise; the constant was measured with the fuzzers, docs/PERFORMANCE.md).
inline constexpr std::size_t kAllocPerInputByte = 64;
inline constexpr std::size_t kAllocSlackBytes = 64 * 1024;
// Checks the peak of a decode of `input_bytes` against the allowance.
void check_decode_allocation(std::size_t peak, std::size_t input_bytes, const char* what);

inline constexpr std::uint64_t kClusterSeed = 0x5eed;

// Whatever a frame decodes to, by kind; every field empty when nothing decoded.
struct Decoded {
  std::optional<FrameKind> kind;  // set when some decoder accepted the bytes
  std::optional<VersionFrame> version;
  std::optional<RegisterFrame> reg;
  std::optional<State> state;
  std::optional<Digest> digest;
  std::optional<SyncMessage> sync;
  std::optional<ViewFrame> view;
};
// Runs the decoder the frame's kind byte names (each decoder refuses every other kind).
Decoded decode_any(ByteView bytes);
// The canonical encoding of what was decoded (REQUIRES: decoded.kind).
Bytes encode_any(const Decoded& decoded);
// Decoding is canonical: what was decoded from `input` re-encodes to exactly `input`.
void check_canonical(const Decoded& decoded, ByteView input);

// The checks after `after` = `before` joined with `remote` (MergeReport `report`):
//  - inflation and nothing local lost: every pattern of before is in after, every version of
//    before is in after or dominated there; a rejected pattern keeps before's register;
//  - every version of remote is in after or dominated, unless its pattern was rejected;
//  - nothing invented: every version of after is one of before's or remote's;
//  - the incremental tree: verify(), and its root equals the from-scratch build's;
//  - joining either input again changes nothing (idempotence).
void check_join(const State& before, const State& remote, const State& after,
                const MergeReport& report);
// Every version of `before` is in `after` or dominated there, pattern by pattern.
void check_inflation(const State& before, const State& after, const char* what);
// Every (id, register) of a state, ascending.
std::vector<std::pair<PatternId, Register>> registers_of(const State& s);

// The fixed data the targets and the seed corpus start from, built once, deterministically:
// replicas of one workload (diverged: each holds writes the others lack, concurrent siblings,
// absorb cycles).
const std::vector<State>& base_states();
// The messages of a few sync exchanges between nodes holding base_states(), in send order.
const std::vector<Bytes>& base_messages();

// A random edit of one field of a decoded value, re-encoded canonically (lengths and the
// checksum come right by construction); nullopt when the edit made something the encoder
// cannot express (the mutator then tries again). `donors` lend registers and ids.
std::optional<Bytes> mutate_decoded(const Decoded& decoded, Rng& rng,
                                    const std::vector<State>& donors);
// One edit of a register's versions: a clock, a content, a sibling dropped, a concurrent
// sibling added, or a donor's version of the same pattern (with its clock, so an equal clock
// may come with different content: a forgery). nullopt when the result is no register.
std::optional<Register> mutate_register(const PatternId& id, const Register& reg, Rng& rng,
                                        const std::vector<State>& donors);
// An id some donor holds.
PatternId donor_id(Rng& rng, const std::vector<State>& donors);
// A custom mutator's step (LLVMFuzzerCustomMutator): when the bytes decode, one field of what
// they decode to is edited (mutate_decoded) and encoded again; otherwise the payload inside the
// frame is mutated by libFuzzer and sealed again (a right checksum); otherwise the bytes are
// mutated as they are. Returns the new size (at most max_size).
std::size_t mutate_frame(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                         const std::vector<State>& donors);
// The same for a split_pair input of two states: one side is mutated, with the other side's
// patterns as the first donor.
std::size_t mutate_pair(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed);
// Makes a sync message canonical (sorted, unique, sections non-empty, sizes consistent),
// so that encode_sync_message accepts it; false when nothing can be said (an empty walk).
bool canonicalize(SyncMessage& m);

}  // namespace gossip::fuzz
