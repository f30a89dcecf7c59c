// Digest: 16 bytes of XXH3-128, the hash of everything gossipcheck compares.
//
// The hash is specified, not "whatever std::hash gives": XXH3-128 (xxHash 0.8) with a
// 64-bit seed, its output written big-endian (XXH128_canonicalFromHash). The seed is the
// cluster's, so an outsider who does not know it cannot aim collisions at the Merkle tree.
// XXH3 is not a MAC: a peer that knows the seed can still forge; authentication is out of
// scope of the reference (see ARCHITECTURE.md, "Design decisions").
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>

#include "reference/bytes.h"

namespace gossip {

struct Digest {
  std::array<std::uint8_t, 16> bytes{};

  bool is_zero() const;
  std::string hex() const;
  auto operator<=>(const Digest&) const = default;
  bool operator==(const Digest& other) const { return equal16(bytes.data(), other.bytes.data()); }
};

// XXH3-128 of `data` under `seed`, canonical (big-endian) bytes.
Digest hash128(std::uint64_t seed, std::span<const std::uint8_t> data);
// XXH3-64 of data under seed (the sync protocol's salted short tags).
std::uint64_t hash64(std::uint64_t seed, std::span<const std::uint8_t> data);

// Low 32 bits of XXH3-64 (seed 0): the frame checksum of the codec.
std::uint32_t checksum32(std::span<const std::uint8_t> data);

}  // namespace gossip
