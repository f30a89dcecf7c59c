// Small helpers over fixed byte arrays, shared by the 16-byte identifiers and digests.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace gossip {

// Lowercase hex, two digits a byte.
std::string to_hex(std::span<const std::uint8_t> bytes);
// Parses exactly 2 * out.size() hex digits (either case) into out; false for anything else
// (out then unspecified).
bool from_hex(std::string_view text, std::span<std::uint8_t> out);

// Appends v as 8 bytes, little-endian: the fingerprints of exhaustive exploration
// (Rng::append_state, Node::append_fingerprint, Cluster::append_fingerprint).
inline void append_u64(std::string* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// Equality of two 16-byte arrays as two 8-byte compares (no memcmp call): ids and digests
// are compared on every tree lookup.
inline bool equal16(const std::uint8_t* a, const std::uint8_t* b) {
  std::uint64_t x[2];
  std::uint64_t y[2];
  std::memcpy(x, a, 16);
  std::memcpy(y, b, 16);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

}  // namespace gossip
