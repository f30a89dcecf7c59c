// Every refusal rule of docs/WIRE_FORMAT.md, through the seam (rules_properties.cc): a frame
// that breaks exactly one rule leaves no trace at a node, and the same message made right is
// joined and answered.
#pragma once

#include <string>
#include <vector>

#include "properties/catalogue.h"

namespace gossip::properties {

Outcome refused_rules_leave_no_trace(const RunOptions& o);
// The walk's salted hashes (docs/WIRE_FORMAT.md, "Walk hashes"), exactly, in two exchanges.
Outcome walk_hashes_as_specified(const RunOptions& o);
// The rules it breaks, by the names docs/claims.json ("WIRE.rule.<id>") and the decoder's
// rule hooks use.
std::vector<std::string> decode_rule_ids();

}  // namespace gossip::properties
