// The wire codec: framed, versioned, checksummed encodings of versions, registers, states
// and digests (layout: docs/WIRE_FORMAT.md).
//
//   frame := magic 0x67 | format 0x01 | kind u8 | payload | checksum u32 (little-endian)
//   checksum = low 32 bits of XXH3-64 (seed 0) of every byte before it.
//
// Decoding is total and bounded (I11): any byte string gives a value or a Status naming what
// was wrong and where (truncated, unknown tag, over a limit, non-canonical, checksum
// mismatch, equal clocks with different content, invalid); it never reads out of bounds and
// never allocates more than a constant times the input, which is at most
// limits::kFrameBytesMax. Decoding is canonical: accepted bytes re-encode to themselves.
#pragma once

#include <cstdint>

#include "reference/digest.h"
#include "reference/encoding.h"
#include "reference/resolve.h"
#include "reference/state.h"

namespace gossip {

inline constexpr std::uint8_t kFrameMagic = 0x67;  // 'g'
inline constexpr std::uint8_t kFormatVersion = 1;
inline constexpr std::size_t kFrameOverheadBytes = 3 + 4;

enum class FrameKind : std::uint8_t {
  kVersion = 1,
  kRegister = 2,
  kState = 3,
  kDigest = 4,
  // The sync protocol's messages (reference/sync_message.h).
  kHello = 5,
  kReply = 6,
  kWalk = 7,
  // What a node's readers see (docs/MODEL.md, "The resolved view"): exported, never sent.
  kView = 8,
};

struct Frame {
  FrameKind kind;
  ByteView payload;  // points into the input
};

// Wraps a payload. REQUIRES: payload.size() + kFrameOverheadBytes <= limits::kFrameBytesMax.
Bytes seal_frame(FrameKind kind, ByteView payload);
// Checks magic, format, checksum and kind; the payload is not decoded.
Result<Frame> open_frame(ByteView bytes);

struct VersionFrame {
  PatternId id;
  Version version;
};
struct RegisterFrame {
  PatternId id;
  Register reg;
};

// The resolved view and the edges of a state, as a node exports them (docs/WIRE_FORMAT.md,
// kind 8): patterns in ascending id order, each with its survivor and merged content; edges
// in ascending (a, b) order.
struct ViewFrame {
  ResolvedView view;
  std::vector<Edge> edges;
  bool operator==(const ViewFrame&) const = default;
};

Bytes encode_version_frame(const PatternId& id, const Version& version);
Bytes encode_register_frame(const PatternId& id, const Register& reg);
Bytes encode_state_frame(const State& state);
Bytes encode_digest_frame(const Digest& digest);
Bytes encode_view_frame(const ResolvedView& view, const std::vector<Edge>& edges);

Result<VersionFrame> decode_version_frame(ByteView bytes);
Result<RegisterFrame> decode_register_frame(ByteView bytes);
Result<State> decode_state_frame(ByteView bytes, std::uint64_t cluster_seed);
Result<Digest> decode_digest_frame(ByteView bytes);
// Canonical: ids strictly ascending; each pattern live exactly when its survivor is itself;
// edges strictly ascending with a < b and a weight of at least 1. Whether the view is the one
// its state resolves to is not the decoder's to say.
Result<ViewFrame> decode_view_frame(ByteView bytes);

}  // namespace gossip
