// Replaying a saved history: step by step, what each replica held after each step, every
// message's fate, and the invariant that broke where; optionally a message sequence diagram
// as SVG. Used by `gossipcheck replay` and by each mutant's runner (`--replay`), since a
// failure found on a mutant replays only on that mutant.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "properties/history.h"

namespace gossip::properties {

struct ReplayOptions {
  bool verbose = true;    // print every step and the replicas after it
  std::string svg_file;   // when set, write the sequence diagram there
  ExecutorOptions executor;  // whose nodes (a history of "interop" also gets reference partners)
};

// Returns the violation, if the history has one. Writes the SVG even when it has none.
std::optional<Violation> replay(const History& history, std::ostream& out,
                                const ReplayOptions& options);

// Reads a history file and replays it (or a counterexample file of `gossipcheck prove`, whose
// law it checks on this implementation: laws.h). Returns 0 when no invariant broke, 1 when one did (the
// failure reproduced), 2 when the file cannot be read or is not a history (said on `err`).
int replay_file(const std::string& path, const std::string& svg_file, bool quiet, std::ostream& out,
                std::ostream& err, const ExecutorOptions& executor = {});

}  // namespace gossip::properties
