// Byte-level encoding: Writer, Reader and the canonical encodings of values.
//
// Integers are unsigned LEB128 varints in their shortest form; the Reader rejects any
// other form (kNonCanonical), so every value has exactly one encoding (I11). Sets and maps
// are written in ascending order, strictly, and as deltas where that makes a repeat
// impossible to express. The layouts are specified in docs/WIRE_FORMAT.md.
//
// Reader is total: every method either succeeds or records the first error (with the
// byte offset and what was being read) and fails; it never reads past its input and
// never allocates more than the remaining input can justify.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/content.h"
#include "reference/ids.h"
#include "reference/limits.h"
#include "reference/register.h"
#include "reference/status.h"
#include "reference/vector_clock.h"

namespace gossip {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

class Writer {
 public:
  void reserve(std::size_t n) { out_.reserve(n); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void varint(std::uint64_t v);
  void u32_le(std::uint32_t v);
  void raw(ByteView bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  void raw(std::string_view bytes);

  const Bytes& bytes() const { return out_; }
  Bytes take() { return std::move(out_); }
  void clear() { out_.clear(); }

 private:
  Bytes out_;
};

class Reader {
 public:
  // `base_offset` is added to offsets in error messages (the payload's place in its frame).
  explicit Reader(ByteView input, std::size_t base_offset = 0)
      : in_(input), base_offset_(base_offset) {}

  // Each returns false, after recording an error naming `what`, when it cannot read.
  bool u8(std::uint8_t* out, const char* what);
  bool varint(std::uint64_t* out, const char* what);
  bool u32_le(std::uint32_t* out, const char* what);
  bool raw(std::size_t n, ByteView* out, const char* what);
  // A count that will be followed by at least `min_bytes_each` bytes per element: fails with
  // kOverLimit above `max`, and with kTruncated when the rest of the input cannot hold it
  // (so a claimed count never drives an allocation the input does not pay for).
  bool count(std::size_t max, std::size_t min_bytes_each, std::size_t* out, const char* what);

  // Records an error at the current offset and returns false.
  bool fail(Status::Code code, const std::string& message);

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  bool ok() const { return status_.is_ok(); }
  const Status& status() const { return status_; }

 private:
  ByteView in_;
  std::size_t base_offset_ = 0;
  std::size_t pos_ = 0;
  Status status_;
};

// Value encodings (no framing). The same bytes feed the Merkle digests, so every semantic
// field is hashed exactly when it is encoded (I7).
void encode_pattern_id(Writer& w, const PatternId& id);
void encode_clock(Writer& w, const VectorClock& clock);
void encode_content(Writer& w, const Content& content);
void encode_version(Writer& w, const Version& version);
void encode_register(Writer& w, const Register& reg);

// The exact number of bytes each encoder above writes, computed without writing (a node
// keeps its messages within a byte budget with these).
std::size_t varint_bytes(std::uint64_t v);
std::size_t clock_bytes(const VectorClock& clock);
std::size_t content_bytes(const Content& content);
std::size_t register_bytes(const Register& reg);

bool decode_pattern_id(Reader& r, PatternId* out);
bool decode_clock(Reader& r, VectorClock* out);
// `episodes_max`: a version's limit; a resolved view's merged content may hold the union of 32.
bool decode_content(Reader& r, Content* out, std::size_t episodes_max = limits::kEpisodesMax);
bool decode_version(Reader& r, Version* out);
bool decode_register(Reader& r, std::optional<Register>* out);

}  // namespace gossip
