// gossipd: one replica of the reference node (reference/node.h) on a real network.
//
// One thread, one Boost.Asio io_context: the node is sans-IO and single-threaded, so the
// daemon is its driver exactly as faultnet's simulator is, with the real clock for time and
// UDP for the network (ARCHITECTURE.md, decision 53; docs/GOSSIPD.md for operators).
// Asio stays in daemon.cc: this header is all that main.cc and the tests include.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gossipd/envelope.h"

namespace gossip::gossipd {

enum class LogLevel : std::uint8_t { kError, kWarn, kInfo, kDebug };
std::optional<LogLevel> parse_log_level(std::string_view text);

struct PeerConfig {
  std::uint32_t id = 0;
  std::string address;  // HOST:PORT
};

struct DaemonConfig {
  std::uint32_t id = 0;
  std::string listen;  // HOST:PORT, UDP
  std::vector<PeerConfig> peers;
  std::filesystem::path data;
  std::uint64_t cluster_seed = 0;
  std::optional<Key> key;
  std::uint64_t interval_ms = 1000;
  std::uint16_t admin_port = 0;    // 127.0.0.1 only; 0: no admin interface
  std::uint16_t metrics_port = 0;  // 127.0.0.1 only; 0: no metrics
  std::size_t message_bytes_max = 0;  // 0: the largest that fits a datagram with the envelope
  std::uint64_t snapshot_every = 10'000;  // log records between snapshots
  LogLevel log_level = LogLevel::kInfo;
};

// "" when the configuration can run, else what is wrong with it (exit 2).
std::string check_config(const DaemonConfig& config);

// Runs until SIGTERM or SIGINT (exit 0 after a snapshot), or a failure: 1 when the daemon
// cannot start (a corrupt log, a port in use) or its disk fails under a write.
int run_daemon(const DaemonConfig& config);

}  // namespace gossip::gossipd
