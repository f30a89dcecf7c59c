// gossipctl: the operator's command for one gossipd, over its admin interface (JSON lines
// on 127.0.0.1:ADMIN_PORT, docs/GOSSIPD.md). Prints the daemon's answer as JSON.
// Exit: 0 done; 1 the daemon refused ("ok": false); 2 a usage error; 3 no answer (no daemon
// at the port, or none within the timeout: a write then may or may not have been made durable).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "gossipd/envelope.h"

namespace {

using json = nlohmann::json;

// One request, one answer line; nullopt with *error when the daemon cannot be reached or does
// not answer within the timeout.
std::optional<std::string> ask(std::uint16_t port, const std::string& request, int timeout_ms, std::string* error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto fail = [&](const std::string& what) {
    *error = what + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  };
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return fail("cannot reach gossipd's admin interface at 127.0.0.1:" + std::to_string(port));
  }
  const std::string line = request + "\n";
  for (std::size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot send the request");
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  while (answer.find('\n') == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      errno = ETIMEDOUT;
      return fail("no answer within " + std::to_string(timeout_ms) + " ms");
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("no answer");
    if (n == 0) {
      errno = ECONNRESET;
      return fail("the daemon closed the connection before answering");
    }
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer.substr(0, answer.find('\n'));
}

// "1,2,3" to [1,2,3].
std::optional<std::vector<std::uint64_t>> parse_episodes(const std::string& text) {
  std::vector<std::uint64_t> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, comma - at);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || item.size() > 20) return std::nullopt;
    errno = 0;
    const unsigned long long v = std::strtoull(item.c_str(), nullptr, 10);
    if (errno == ERANGE) return std::nullopt;
    out.push_back(v);
    at = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gossipctl: ask one gossipd (its admin interface on 127.0.0.1) to write or read patterns, or for its stats"};
  app.require_subcommand(1);
  std::uint16_t port = 0;
  int timeout_ms = 5000;
  app.add_option("--admin,-a", port, "the daemon's --admin-port");
  app.add_option("--timeout-ms", timeout_ms, "how long to wait for the answer")
      ->capture_default_str()
      ->check(CLI::Range(1, 3'600'000));

  json request;
  std::string id, into, summary, episodes, key_path;
  std::uint32_t strength = 0;
  auto content = [&](CLI::App* sub) {
    sub->add_option("ID", id, "a decimal number or 32 hex digits")->required();
    sub->add_option("--summary,-s", summary, "the summary (UTF-8, at most 1024 bytes)")->required();
    sub->add_option("--episodes,-e", episodes, "episode ids, comma-separated");
    sub->add_option("--strength", strength, "strength (u32)");
  };
  CLI::App* create = app.add_subcommand("create", "create a pattern (answers once it is durable)");
  content(create);
  CLI::App* refine = app.add_subcommand("refine", "write a new version of a pattern (answers once it is durable)");
  content(refine);
  CLI::App* absorb = app.add_subcommand("absorb", "absorb pattern ID into INTO (answers once it is durable)");
  absorb->add_option("ID", id)->required();
  absorb->add_option("INTO", into)->required();
  CLI::App* get = app.add_subcommand("get", "one pattern as the resolved view shows it");
  get->add_option("ID", id)->required();
  app.add_subcommand("view", "the resolved view: every pattern and the edges");
  app.add_subcommand("root", "the root digest of the state");
  app.add_subcommand("stats", "exchanges, bytes, datagrams dropped by cause, peers and when each was last heard");
  CLI::App* keygen = app.add_subcommand("keygen", "write a new cluster key to FILE (mode 0600; FILE must not exist)");
  keygen->add_option("FILE", key_path)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (keygen->parsed()) {
    const std::string err = gossip::gossipd::write_new_key_file(key_path);
    if (!err.empty()) {
      std::cerr << "gossipctl: " << err << "\n";
      return 2;
    }
    std::cout << json{{"ok", true}, {"key_file", key_path}}.dump(2) << "\n";
    return 0;
  }
  if (port == 0) {
    std::cerr << "gossipctl: --admin PORT is required (the daemon's --admin-port)\n";
    return 2;
  }
  const std::string op = app.get_subcommands().front()->get_name();
  request = {{"op", op}};
  if (!id.empty()) request["id"] = id;
  if (!into.empty()) request["into"] = into;
  if (create->parsed() || refine->parsed()) {
    const auto eps = parse_episodes(episodes);
    if (!eps) {
      std::cerr << "gossipctl: --episodes '" << episodes << "' is not a comma-separated list of numbers\n";
      return 2;
    }
    request["summary"] = summary;
    request["episodes"] = *eps;
    request["strength"] = strength;
  }
  std::string error;
  const auto answer = ask(port, request.dump(), timeout_ms, &error);
  if (!answer) {
    std::cerr << "gossipctl: " << error << "\n";
    return 3;
  }
  json reply;
  try {
    reply = json::parse(*answer);
  } catch (const json::exception&) {
    std::cerr << "gossipctl: the daemon answered something that is not JSON: " << answer->substr(0, 200) << "\n";
    return 3;
  }
  std::cout << reply.dump(2) << "\n";
  return reply.value("ok", false) ? 0 : 1;
}
