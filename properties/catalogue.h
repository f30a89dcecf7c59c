// The property catalogue: every property users gate their CI on, by stable name, with its
// one-line statement, the invariant it checks and the mutant that shows it can fail
// (docs/PROPERTIES.md lists the same). RapidCheck stays inside catalogue.cc: this header is
// all a runner needs.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gossip {
class Implementation;
}
namespace gossip::properties {
struct CaseFile;
}

namespace gossip::properties {

struct Profile {
  std::string name;      // "quick", "campaign" or "smoke"
  int cases = 100;       // successful cases before a property passes (RapidCheck maxSuccess)
  int size = 100;        // RapidCheck maxSize: longest history, largest state
  int trials = 1000;     // for the statistical properties
};
Profile quick_profile();
Profile campaign_profile();
// A tenth of the quick profile: what the asan preset runs, where the point is to run every
// property's code under the sanitizers, not to search (the dev preset runs the quick profile).
Profile smoke_profile();

struct RunOptions {
  Profile profile;
  std::uint64_t seed = 1;      // the RapidCheck seed
  std::string failures_dir;    // where failing histories are written ("" : current folder)
  std::string self;            // this runner's path, for the printed commands
  // Whose nodes the properties that go through the seam (faultnet/node_under_test.h) run:
  // null, the reference.
  std::shared_ptr<const Implementation> impl;
  std::shared_ptr<const Implementation> partner;  // interop: the odd nodes' implementation
  // Certification: the histories leave I8 to in_sync_cost, so that a correct implementation
  // that is not cheap passes them.
  bool histories_check_cost = true;
  // How the printed commands start: a saved history's replay ("" : "gossipcheck replay"),
  // and a search again ("" : self --only NAME --profile P --seed S).
  std::string replay_command;
  std::string rerun_command;
  // Reproduce one saved case (a case file's "reproduce", hex) instead of searching.
  std::string reproduce;
  // The longest shrinking may take after the first failure (0: no limit); past it, the smallest
  // failure found so far is the counterexample. An implementation that fails at random (a
  // counter of its process) would otherwise keep shrinking for as long as it is let.
  double shrink_seconds = 0;
  // The implementation again, in a fresh process of its own (another hash salt, another
  // address layout): replay_deterministic compares runs across processes with it. Null: the
  // implementation runs in this process only (the reference).
  std::function<std::shared_ptr<const Implementation>()> other_process;
};

struct Outcome {
  std::string property;
  bool passed = true;
  double seconds = 0;                   // whole run, shrinking included
  double seconds_to_first_failure = 0;  // before shrinking
  int cases = 0;                        // cases that passed before the failure
  double mean_steps = 0;                // mean size of a generated case (steps, writes)
  // Of the cases that passed, the share that reached each hard case (histories: concurrent
  // siblings, absorb cycles, writes in a partition, amnesia with messages in flight).
  std::vector<std::pair<std::string, double>> coverage;
  std::size_t shrunk_steps = 0;         // length of the shrunk counterexample
  std::string message;                  // the violation, or RapidCheck's report
  // Set when the property found it cannot judge this implementation (certify: "not applicable").
  std::string not_applicable;
  std::string history_file;             // the saved counterexample: a shrunk history, or a case file
  std::string replay;                   // the one command that replays the failure
  // What the property measured, each the largest over its cases (for example the bytes of
  // the largest in-sync message): a certificate's figures.
  std::vector<std::pair<std::string, double>> figures;
};

struct Property {
  std::string name;
  std::string statement;
  std::string invariant;
  std::string mutant;  // one mutant of the catalogue it kills
  std::function<Outcome(const RunOptions&)> run;
};

const std::vector<Property>& catalogue();
Profile profile_named(const std::string& name);  // quick, campaign or smoke (anything else: quick)

// Runs a case file (replay.h) on the property of `properties` it names, with `base`'s
// implementation: prints what was seen; 0 the property holds on that case, 1 it fails again,
// 2 no such property here.
int run_case(const std::vector<Property>& properties, const CaseFile& c, RunOptions base, std::ostream& out,
             std::ostream& err);
// Prints what running a case file gave; 0 it holds (or is not applicable), 1 it failed again.
int report_case(const CaseFile& c, const Outcome& outcome, std::ostream& out);

}  // namespace gossip::properties
