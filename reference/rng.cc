#include "reference/rng.h"

#include "reference/assert.h"
#include "reference/bytes.h"

namespace gossip {
namespace {

__extension__ typedef unsigned __int128 U128;

std::uint64_t splitmix64(std::uint64_t& x) {
  x += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// FNV-1a: a fixed, specified hash for fork labels (no std::hash, whose output varies).
std::uint64_t label_hash(std::string_view label) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (char c : label) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

}  // namespace

Rng::Rng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t x = seed;
  for (auto& word : s_) word = splitmix64(x);
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  GOSSIP_ASSERT(bound > 0);
  // Lemire's multiply-shift with rejection (unbiased; a division only on the rare path):
  // the high half of x * bound is uniform in [0, bound) once the low half clears
  // 2^64 mod bound.
  U128 m = static_cast<U128>(next()) * bound;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<U128>(next()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::uint64_t Rng::between(std::uint64_t lo, std::uint64_t hi) {
  GOSSIP_ASSERT(lo <= hi);
  if (lo == 0 && hi == UINT64_MAX) return next();
  return lo + below(hi - lo + 1);
}

bool Rng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  GOSSIP_ASSERT(denominator > 0);
  return below(denominator) < numerator;
}

void Rng::append_state(std::string* out) const {
  for (std::uint64_t word : {seed_, s_[0], s_[1], s_[2], s_[3]}) {
    append_u64(out, word);
  }
}

Rng Rng::fork(std::string_view label) const {
  std::uint64_t x = seed_ ^ label_hash(label);
  return Rng(splitmix64(x));
}

}  // namespace gossip
