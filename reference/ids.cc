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

std::optional<PatternId> PatternId::from_hex(std::string_view text) {
  PatternId id;
  if (!gossip::from_hex(text, id.bytes)) return std::nullopt;
  return id;
}

}  // namespace gossip
