// The JSON form of a node's resolved view (docs/MODEL.md, "The resolved view, as a node
// exports it"): what a process answers to "view", what gossipctl view prints. The same fields
// as a view frame (docs/WIRE_FORMAT.md, kind 8), with "live" spelled out.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "reference/codec.h"
#include "reference/status.h"

namespace gossip::certify {

// {"patterns": [{"id", "live", "survivor", "summary", "episodes", "strength", "absorbed_into"}, ...],
//  "edges": [{"a", "b", "weight"}, ...]}: patterns in ascending id order, edges in ascending
// (a, b) order, ids as 32 lowercase hex digits.
nlohmann::json view_to_json(const ResolvedView& view, const std::vector<Edge>& edges);
// One pattern of it: {"id", "live", "survivor", "summary", "episodes", "strength", "absorbed_into"}.
nlohmann::json pattern_to_json(const PatternId& id, const ResolvedPattern& p);
// The JSON form read back, held to the same rules as a view frame (canonical order, live
// exactly when the survivor is the pattern itself, weights of at least 1, content within
// the data model's limits); an error says which rule broke where.
Result<ViewFrame> view_from_json(const nlohmann::json& j);

}  // namespace gossip::certify
