// The subcommands of gossipcheck. Each returns the process exit code:
// 0 success, 1 a check failed, 2 bad input or arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faultnet/faults.h"

namespace gossip::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr std::uint64_t kDefaultClusterSeed = 0x676f73736970ull;  // "gossip"

struct SelfcheckOptions {
  std::uint64_t seed = 1;
  std::uint64_t cluster_seed = kDefaultClusterSeed;
  std::uint32_t replicas = 3;
  std::uint32_t writes = 2000;
};
int run_selfcheck(const SelfcheckOptions& options);

// Prints the text form of a binary frame read from `path` ("-": standard input).
int run_decode(const std::string& path, std::uint64_t cluster_seed);
// Reads the text form of a state from `path` and writes its binary frame to `out_path`.
int run_encode(const std::string& path, const std::string& out_path, std::uint64_t cluster_seed);

struct SimOptions {
  std::uint32_t nodes = 100;
  std::uint64_t patterns = 100;
  std::uint64_t writes = 1;
  std::uint32_t rounds = 0;
  std::uint64_t trials = 1;
  std::uint64_t seed = 1;
  std::uint64_t cluster_seed = kDefaultClusterSeed;
  std::uint8_t walk_width = 2;
  std::uint64_t epoch = 0;  // the nodes' clocks start this many microseconds in
  bool swarm = false;
  // Only the ideal push-pull model (no cluster): its rounds for `nodes` and the loss, over
  // `trials` trials of the model (kIdealTrialsDefault when --trials is not given).
  bool ideal_only = false;
  std::optional<std::uint64_t> only_trial;
  std::string json_path;
  faultnet::FaultProfile faults;
  std::string command_line;  // as typed, for the reproduce line
};
inline constexpr std::uint64_t kIdealTrialsDefault = 10'000;
int run_sim(const SimOptions& options);

struct MutantsOptions {
  std::string profile = "quick";
  std::uint64_t seed = 1;
  unsigned jobs = 2;
  double timeout_seconds = 300;
  // Each runner stops at its first failing property: the CI gate (every mutant killed) in a
  // fraction of the time; the matrix then shows only the properties each runner ran.
  bool fail_fast = false;
  std::vector<std::string> only;
  std::string runners_dir;  // default: ../properties/mutants beside this executable
  std::string work_dir;     // default: a new folder under the system's temporary folder
  std::string json_path;
};
int run_mutants(const MutantsOptions& options);
// The folder of the gossip-mutant-* runners: `dir` when given, else properties/mutants beside
// this executable's folder in the build tree.
std::string mutant_runners_dir(const std::string& dir);
// Replaces this process by mutant NAME's runner, running `subcommand` with the arguments that
// followed it on this command line (less --mutant and --runners). Returns 2 when it cannot.
int exec_mutant_runner(const std::string& name, const std::string& runners_dir, const std::string& subcommand,
                       int argc, char** argv);

// Proves the merge laws of the model (or refutes those of a merge mutant's encoding) with Z3.
struct ProveOptions {
  unsigned replicas_max = 4;
  unsigned siblings_max = 3;
  unsigned patterns_max = 5;
  unsigned timeout_ms = 30'000;
  unsigned attempts = 3;
  unsigned seed = 1;
  std::string mutant;     // "": the model; otherwise the mutant must be caught
  bool all_mutants = false;
  std::vector<std::string> only;
  std::string counterexamples_dir;  // where counterexample files go ("": not written)
  std::string json_path;
};
int run_prove(const ProveOptions& options);

}  // namespace gossip::cli
