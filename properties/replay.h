// Replaying a saved history: step by step, what each replica held after each step, every
// message's fate, and the invariant that broke where; optionally a message sequence diagram
// as SVG. Used by `gossipcheck replay` and by each mutant's runner (`--replay`), since a
// failure found on a mutant replays only on that mutant.
#pragma once

#include <functional>
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

// Returns the violation, if the history has one. Writes the SVG even when it has none. When
// `trace` is given, the run's trace goes there (the same as run_traced(..., true) gives).
std::optional<Violation> replay(const History& history, std::ostream& out,
                                const ReplayOptions& options, std::string* trace = nullptr);

// A counterexample of a property that is not a history (gossipcheck certify, the catalogue):
// the property, the profile and seed it ran with, and RapidCheck's reproduction of the one
// failing case (its random state, size and shrink path), so that the case runs alone.
struct CaseFile {
  std::string property;
  std::string profile;
  std::uint64_t seed = 1;
  std::string reproduce;    // hex
  std::string violation;    // what was seen, for people (comment lines in the file)
};
inline constexpr const char* kCaseHeader = "# gossipcheck case 1";
std::string to_text(const CaseFile& c);
Result<CaseFile> parse_case(std::string_view text);

struct ReplayFileOptions {
  std::string svg_file;
  bool quiet = false;
  ExecutorOptions executor;        // whose nodes
  std::string implementation;      // their identity digest, when known: checked against a
                                   // history's recorded one before its trace is compared
  // Runs a case file's property on its one case (the caller knows the properties): 0 it
  // holds, 1 it fails again (said on out), 2 it cannot be run.
  std::function<int(const CaseFile&, std::ostream& out, std::ostream& err)> run_case;
};

// Reads a counterexample file and replays it: a history, a case file (through run_case), or
// a counterexample of `gossipcheck prove` (whose law it checks on this implementation:
// laws.h). Returns 0 when no invariant broke, 1 when one did (the failure reproduced), 2 when
// the file cannot be read or is not a counterexample (said on `err`), 3 when a history that
// recorded its run's trace for this very implementation ran otherwise this time and held (the
// implementation is not deterministic: the replay does not reproduce what was recorded).
int replay_file(const std::string& path, std::ostream& out, std::ostream& err, const ReplayFileOptions& options);

}  // namespace gossip::properties
