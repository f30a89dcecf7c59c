// Identifiers of the data model (docs/MODEL.md, "Identifiers").
//
// ReplicaId: never reused. A replica that restarts without its durable state comes back
//   under a new ReplicaId (node id, incarnation), so no clock entry is issued twice.
// PatternId: 16 opaque bytes, ordered bytewise.
// EpisodeId: a u64.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reference/bytes.h"

namespace gossip {

using EpisodeId = std::uint64_t;

struct ReplicaId {
  std::uint64_t value = 0;

  // The conventional layout: node id in the high half, incarnation in the low half.
  static constexpr ReplicaId of(std::uint32_t node, std::uint32_t incarnation) {
    return ReplicaId{(std::uint64_t{node} << 32) | incarnation};
  }
  std::uint32_t node() const { return static_cast<std::uint32_t>(value >> 32); }
  std::uint32_t incarnation() const { return static_cast<std::uint32_t>(value); }
  // The id the same node takes when it restarts without its durable state (amnesia): the
  // next incarnation, never used before, so none of its clock entries is issued twice.
  // nullopt when the incarnations are used up: value + 1 would be node + 1's first id.
  std::optional<ReplicaId> next_incarnation() const;
  auto operator<=>(const ReplicaId&) const = default;
};

struct PatternId {
  std::array<std::uint8_t, 16> bytes{};

  // A readable id for tests and examples: the u64 in the last 8 bytes, big-endian.
  static PatternId from_u64(std::uint64_t n);
  // 32 lowercase hex digits.
  std::string hex() const;
  // Parses 32 hex digits (either case); nullopt for anything else.
  static std::optional<PatternId> from_hex(std::string_view text);

  auto operator<=>(const PatternId&) const = default;
  bool operator==(const PatternId& other) const {
    return equal16(bytes.data(), other.bytes.data());
  }
};

}  // namespace gossip
