#include "reference/digest.h"

#include <xxhash.h>

namespace gossip {

bool Digest::is_zero() const {
  for (std::uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

std::string Digest::hex() const { return to_hex(bytes); }

std::uint64_t hash64(std::uint64_t seed, std::span<const std::uint8_t> data) {
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

Digest hash128(std::uint64_t seed, std::span<const std::uint8_t> data) {
  const XXH128_hash_t h = XXH3_128bits_withSeed(data.data(), data.size(), seed);
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  Digest d;
  static_assert(sizeof(canonical.digest) == sizeof(d.bytes));
  for (std::size_t i = 0; i < d.bytes.size(); ++i) {
    d.bytes[i] = canonical.digest[i];
  }
  return d;
}

std::uint32_t checksum32(std::span<const std::uint8_t> data) {
  return static_cast<std::uint32_t>(XXH3_64bits(data.data(), data.size()));
}

}  // namespace gossip
