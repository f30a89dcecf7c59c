// The subcommands of gossipcheck. Each returns the process exit code:
// 0 success, 1 a check failed, 2 bad input or arguments.
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace gossip::cli
