// Every limit of the data model and the codec, in one place.
//
// Local operations refuse to exceed them (Status kOverLimit); the decoder rejects input
// that exceeds them before it allocates, so that memory use is bounded by a constant
// times the size of the input, and the input by kFrameBytesMax.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gossip::limits {

inline constexpr std::size_t kSummaryBytesMax = 1024;      // UTF-8 bytes of a summary
inline constexpr std::size_t kEpisodesMax = 1024;          // episodes in one version
inline constexpr std::size_t kSiblingsMax = 32;            // concurrent versions of one pattern
inline constexpr std::size_t kClockEntriesMax = 256;       // replicas in one clock
inline constexpr std::size_t kPatternsMax = 10'000'000;    // patterns in one encoded state
inline constexpr std::size_t kFrameBytesMax = 256u << 20;  // 256 MiB: one encoded frame

}  // namespace gossip::limits
