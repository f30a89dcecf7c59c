// The conformance form of a frame (docs/WIRE_FORMAT.md, "Test vectors"): what the reference
// decodes a frame to, as JSON, or the error class it refuses it with. An independent
// decoder prints the same form, so the two can be compared frame by frame.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "reference/encoding.h"

namespace gossip::docs {

// Any frame: {"kind": ..., fields} or {"error": "<code>"}. A state frame's form includes
// its root under `cluster_seed`.
nlohmann::json frame_json(ByteView frame, std::uint64_t cluster_seed);

}  // namespace gossip::docs
