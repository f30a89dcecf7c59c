// The sync protocol's three messages and their wire form (docs/WIRE_FORMAT.md, "Sync").
//
// One layout serves all three kinds; sections are present when their flag is set:
//
//   payload := xid varint | flags u8 (bit 4: a walk message sent by the exchange's initiator)
//              | [root 16 bytes]                              flag kRoot
//              | [registers: count varint, (id, register)*]  flag kRegisters
//              | [width u8, probes: count varint, probe*]     flag kProbes
//              | [wants: count varint, want*]                 flag kWants
//   path    := depth u8 (<= 32) | ceil(depth / 2) bytes, nibbles high first, a spare low
//              nibble zero
//   probe   := path | 0 | present u16 (big-endian, non-zero) | popcount(present) * width bytes
//            | path | 1 | count varint | count * tag u32 (little-endian, strictly ascending)
//   want    := path | count varint (>= 1) | count * tag u32 (strictly ascending)
//
// Hello (kind 5) carries the root and maybe registers; Reply (kind 6) the root and maybe
// registers and probes; Walk (kind 7) at least one of registers, probes and wants. Decoding
// is total and canonical like the rest of the codec: registers strictly ascending by id,
// probes strictly ascending by path, wants strictly ascending by path, no empty section.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "reference/codec.h"

namespace gossip {

struct SyncPath {
  std::vector<std::uint8_t> nibbles;  // child indexes from the root, each < 16
  bool operator==(const SyncPath&) const = default;
  // Lexicographic, a prefix first. (Written out: gcc 12's -Wstringop-overread misfires on
  // the defaulted <=> over a byte vector.)
  friend bool operator<(const SyncPath& a, const SyncPath& b) {
    const std::size_t n = std::min(a.nibbles.size(), b.nibbles.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (a.nibbles[i] != b.nibbles[i]) return a.nibbles[i] < b.nibbles[i];
    }
    return a.nibbles.size() < b.nibbles.size();
  }
};

struct SyncProbe {
  SyncPath path;
  bool inner = false;
  std::uint16_t present = 0;         // inner: bit i set when child i is not empty
  std::vector<std::uint8_t> digests;  // inner: `width` bytes per present child, in child order
  std::vector<std::uint32_t> tags;    // leaf set: one tag per entry of the subtree, ascending
};

struct SyncWant {
  SyncPath path;
  std::vector<std::uint32_t> tags;  // ascending
};

struct SyncItem {
  PatternId id;
  Register reg;
};

struct SyncMessage {
  FrameKind kind = FrameKind::kHello;
  std::uint64_t xid = 0;         // with the initiator's NodeId, names the exchange
  bool from_initiator = false;   // walk messages only: which side of the exchange sent it
  std::optional<Digest> root;
  std::vector<SyncItem> registers;  // ascending id
  std::uint8_t width = 0;           // bytes of an inner probe's child digests, 1 to 8
  std::vector<SyncProbe> probes;    // ascending path
  std::vector<SyncWant> wants;      // ascending path
};

inline constexpr std::uint8_t kSyncWidthMax = 8;
inline constexpr std::size_t kSyncTagsMax = 1u << 20;  // tags in one leaf set or want

// The salted hashes of a walk (docs/WIRE_FORMAT.md, "Walk hashes"). An exchange's salt is
// XXH3-64 under the cluster seed of initiator (u32, little-endian) || xid (u64,
// little-endian); a child digest in an inner probe is the first `width` bytes of
// XXH3-64(salt, child digest) in little-endian order; an entry tag is the low 32 bits of
// XXH3-64(salt ^ 0x5bd1e9955bd1e995, entry digest).
std::uint64_t sync_salt(std::uint64_t cluster_seed, std::uint32_t initiator, std::uint64_t xid);
void sync_child_tag(std::uint64_t salt, const Digest& child, std::uint8_t width, std::uint8_t* out);
std::uint32_t sync_entry_tag(std::uint64_t salt, const Digest& entry_digest);

// Exact encoded sizes, computed without encoding, so that a node keeps every message within
// its byte budget: sync_message_bytes(m) == encode_sync_message(m).size().
std::size_t sync_item_bytes(const SyncItem& item);
std::size_t sync_probe_bytes(const SyncProbe& probe, std::uint8_t width);
std::size_t sync_want_bytes(const SyncWant& want);
std::size_t sync_message_bytes(const SyncMessage& m);

// REQUIRES: the canonical orders above, and the sections the kind needs (Hello and Reply:
// root; Walk: something to say).
Bytes encode_sync_message(const SyncMessage& message);
// Total and bounded; the kind is the frame's.
Result<SyncMessage> decode_sync_message(ByteView bytes);

}  // namespace gossip
