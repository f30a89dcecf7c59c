#include "reference/ids.h"

namespace gossip {

std::optional<ReplicaId> ReplicaId::next_incarnation() const {
  if (incarnation() == UINT32_MAX) return std::nullopt;
  return ReplicaId{value + 1};
}

PatternId PatternId::from_u64(std::uint64_t n) {
  PatternId id;
  for (int i = 0; i < 8; ++i) {
    id.bytes[static_cast<std::size_t>(15 - i)] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  return id;
}

std::string PatternId::hex() const { return to_hex(bytes); }

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<PatternId> PatternId::from_hex(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  PatternId id;
  for (std::size_t i = 0; i < 16; ++i) {
    const int hi = hex_value(text[2 * i]);
    const int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return id;
}

}  // namespace gossip
