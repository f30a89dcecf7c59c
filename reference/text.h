// The human-readable text form of states, registers and versions.
//
//   # gossipcheck state: 2 patterns, root 5be0...
//   pattern 00000000000000000000000000000001
//     version clock={1.0:3,2.0:1} strength=5 episodes=[1,2,3] absorbed_into=- summary="text"
//
// A replica id prints as node.incarnation (its two 32-bit halves). Summaries are quoted;
// '"' and '\' are escaped with '\', bytes below 0x20 and 0x7f as \xNN; other UTF-8 is kept.
// Lines starting with '#' are comments. parse_state() accepts exactly what format_state()
// writes (and comments, blank lines): it is strict, so a counterexample file cannot be
// misread, and parse(format(s)) == s.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reference/register.h"
#include "reference/state.h"
#include "reference/sync_message.h"
#include "reference/status.h"

namespace gossip {

std::string format_replica(ReplicaId replica);
std::string format_clock(const VectorClock& clock);
std::string format_version(const Version& version);
std::string format_register(const PatternId& id, const Register& reg);
std::string format_state(const State& state);
// A sync message, for people (not parsed back).
std::string format_sync_message(const SyncMessage& message);

// Errors name the line: "line 3: expected 'strength='".
Result<State> parse_state(std::string_view text, std::uint64_t cluster_seed);

}  // namespace gossip
