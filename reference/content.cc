#include "reference/content.h"

#include <algorithm>
#include <iterator>

#include "reference/decode_rules.h"
#include "reference/limits.h"

namespace gossip {

bool is_valid_utf8(std::string_view bytes) {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  while (i < n) {
    const auto b0 = static_cast<std::uint8_t>(bytes[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t min_cp = 0;
    std::uint32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
      len = 2, min_cp = 0x80, cp = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, min_cp = 0x800, cp = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, min_cp = 0x10000, cp = b0 & 0x07u;
    } else {
      if (GOSSIP_RULE("utf8.lead", true)) return false;  // a continuation byte or 0xF8..0xFF first
      ++i;
      continue;
    }
    if (GOSSIP_RULE("utf8.cut", n - i < len)) return false;
    if (n - i < len) break;  // skipped: the rest taken as it is
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<std::uint8_t>(bytes[i + k]);
      if (GOSSIP_RULE("utf8.continuation", (b & 0xC0) != 0x80)) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (GOSSIP_RULE("utf8.overlong", cp < min_cp)) return false;
    if (GOSSIP_RULE("utf8.above-max", cp > 0x10FFFF)) return false;
    if (GOSSIP_RULE("utf8.surrogate", cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

Status validate(const Content& content) {
  if (GOSSIP_RULE_OF("count.over-limit", "summary length", content.summary.size() > limits::kSummaryBytesMax)) {
    return Status::error(Status::Code::kOverLimit,
                         "summary of " + std::to_string(content.summary.size()) +
                             " bytes exceeds " + std::to_string(limits::kSummaryBytesMax));
  }
  if (!is_valid_utf8(content.summary)) {
    return Status::error(Status::Code::kInvalid, "summary is not well-formed UTF-8");
  }
  if (GOSSIP_RULE_OF("count.over-limit", "episode count", content.episodes.size() > limits::kEpisodesMax)) {
    return Status::error(Status::Code::kOverLimit, std::to_string(content.episodes.size()) +
                                                       " episodes exceed " +
                                                       std::to_string(limits::kEpisodesMax));
  }
  for (std::size_t i = 1; i < content.episodes.size(); ++i) {
    if (GOSSIP_RULE("episodes.order", content.episodes[i - 1] >= content.episodes[i])) {
      return Status::error(Status::Code::kInvalid, "episodes are not a sorted set");
    }
  }
  return Status::ok();
}

std::vector<EpisodeId> episode_union(const std::vector<EpisodeId>& a,
                                     const std::vector<EpisodeId>& b) {
  std::vector<EpisodeId> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace gossip
