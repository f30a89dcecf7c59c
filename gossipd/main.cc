// gossipd: flags and config file (CLI11) to a DaemonConfig, then the daemon (daemon.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "gossipd/daemon.h"

int main(int argc, char** argv) {
  using namespace gossip::gossipd;
  CLI::App app{"gossipd: one replica of the gossipcheck reference node on a real network (docs/GOSSIPD.md)"};
  app.set_config("--config", "", "a config file: `key = value` lines named as the flags (peer = [\"2=host:port\", ...])");
  DaemonConfig c;
  std::vector<std::string> peers;
  std::string key_file, level = "info";
  app.add_option("--id", c.id, "this node's id (u32), unique in the cluster")->required();
  app.add_option("--listen", c.listen, "UDP gossip address HOST:PORT")->required();
  app.add_option("--peer", peers, "another member: ID=HOST:PORT (repeat for each; the static list)");
  app.add_option("--data", c.data, "data directory (created if missing)")->required();
  app.add_option("--cluster-seed", c.cluster_seed, "the cluster's seed (the same on every node)");
  app.add_option("--key-file", key_file, "the cluster key, 64 hex digits (gossipctl keygen FILE); none: unauthenticated");
  app.add_option("--interval-ms", c.interval_ms, "gossip interval in milliseconds")->capture_default_str();
  app.add_option("--admin-port", c.admin_port, "admin interface on 127.0.0.1 (gossipctl); 0: none");
  app.add_option("--metrics-port", c.metrics_port, "Prometheus metrics on 127.0.0.1:PORT/metrics; 0: none");
  app.add_option("--message-bytes-max", c.message_bytes_max, "largest protocol message; 0: what fits one datagram")
      ->capture_default_str();
  app.add_option("--snapshot-every", c.snapshot_every, "log records between snapshots")->capture_default_str();
  app.add_option("--log-level", level, "error, warn, info or debug")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  const auto lvl = parse_log_level(level);
  if (!lvl) {
    std::cerr << "gossipd: --log-level must be error, warn, info or debug, not '" << level << "'\n";
    return 2;
  }
  c.log_level = *lvl;
  for (const std::string& p : peers) {
    const std::size_t eq = p.find('=');
    std::uint32_t id = 0;
    try {
      std::size_t used = 0;
      const unsigned long v = eq == std::string::npos ? 0 : std::stoul(p.substr(0, eq), &used);
      if (eq == std::string::npos || used != eq || v > UINT32_MAX) throw std::invalid_argument("id");
      id = static_cast<std::uint32_t>(v);
    } catch (const std::exception&) {
      std::cerr << "gossipd: --peer '" << p << "' is not ID=HOST:PORT\n";
      return 2;
    }
    c.peers.push_back({id, p.substr(eq + 1)});
  }
  if (!key_file.empty()) {
    std::string error;
    c.key = read_key_file(key_file, &error);
    if (!c.key) {
      std::cerr << "gossipd: " << error << "\n";
      return 2;
    }
  }
  if (const std::string error = check_config(c); !error.empty()) {
    std::cerr << "gossipd: " << error << "\n";
    return 2;
  }
  return run_daemon(c);
}
