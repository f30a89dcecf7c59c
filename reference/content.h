// Content: the payload of one pattern version (docs/MODEL.md, "Content").
//
// Exact fields only: no floating point takes part in a merge. A valid Content has
//   (1) a summary of at most limits::kSummaryBytesMax bytes of well-formed UTF-8;
//   (2) episodes sorted strictly ascending (a set), at most limits::kEpisodesMax of them.
// validate() checks both; local operations and the decoder refuse invalid content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/ids.h"
#include "reference/status.h"

namespace gossip {

struct Content {
  std::string summary;
  std::vector<EpisodeId> episodes;  // sorted, unique
  std::uint32_t strength = 0;
  std::optional<PatternId> absorbed_into;

  bool operator==(const Content&) const = default;
};

Status validate(const Content& content);

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

// The sorted union of two sorted sets.
std::vector<EpisodeId> episode_union(const std::vector<EpisodeId>& a,
                                     const std::vector<EpisodeId>& b);

}  // namespace gossip
