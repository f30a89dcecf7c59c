// gossip-node-process: the reference node over the process protocol of docs/CERTIFY.md, so that
// `gossipcheck certify --impl-cmd` is tested on a known-good node and its overhead measured.
// Reads one JSON request per line on stdin, writes one JSON answer per line on stdout, hosts
// every node of the run (by the handle the suite gives), exits at the end of its input.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "reference/codec.h"
#include "reference/node.h"

namespace {

using json = nlohmann::json;
using namespace gossip;

std::optional<Bytes> from_hex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    unsigned v = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = text[2 * i + static_cast<std::size_t>(k)];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else return std::nullopt;
    }
    out[i] = static_cast<std::uint8_t>(v);
  }
  return out;
}

PatternId id_of(const json& j) {
  const std::optional<PatternId> id = PatternId::from_hex(j.get<std::string>());
  if (!id) throw std::runtime_error("not a pattern id: " + j.dump());
  return *id;
}

Content content_of(const json& j) {
  Content c;
  c.summary = j.at("summary").get<std::string>();
  c.episodes = j.at("episodes").get<std::vector<EpisodeId>>();
  const std::uint64_t strength = j.at("strength").get<std::uint64_t>();
  if (strength > 0xFFFFFFFFu) throw std::runtime_error("strength " + std::to_string(strength) + " is not a u32");
  c.strength = static_cast<std::uint32_t>(strength);
  if (!j.at("absorbed_into").is_null()) c.absorbed_into = id_of(j.at("absorbed_into"));
  return c;
}

std::string status_name(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk: return "ok";
    case Status::Code::kNotFound: return "not_found";
    case Status::Code::kAlreadyExists: return "already_exists";
    case Status::Code::kOverLimit: return "over_limit";
    default: return "invalid";
  }
}

class Host {
 public:
  json handle(const json& r) {
    const std::string op = r.at("op").get<std::string>();
    if (op == "hello") {
      return {{"ok", true}, {"protocol", 1}, {"name", "reference"}, {"version", "gossipcheck reference node (process)"},
              {"capabilities", {"clone", "fingerprint", "wire"}}};
    }
    const std::uint64_t h = r.at("node").get<std::uint64_t>();
    if (op == "init") {
      const json& c = r.at("config");
      NodeConfig config;
      config.cluster_seed = c.at("cluster_seed").get<std::uint64_t>();
      config.gossip_interval = c.at("gossip_interval_us").get<std::uint64_t>();
      config.exchange_timeout = c.at("exchange_timeout_us").get<std::uint64_t>();
      config.message_bytes_max = c.at("message_bytes_max").get<std::size_t>();
      config.recent_rounds = c.at("recent_rounds").get<std::uint32_t>();
      config.recent_max = c.at("recent_max").get<std::size_t>();
      config.walk_width = c.at("walk_width").get<std::uint8_t>();
      config.exchanges_max = c.at("exchanges_max").get<std::size_t>();
      config.exchanges_per_peer_max = c.at("exchanges_per_peer_max").get<std::size_t>();
      config.messages_per_exchange_max = c.at("messages_per_exchange_max").get<std::uint32_t>();
      const std::optional<Bytes> frame = from_hex(r.at("state").get<std::string>());
      if (!frame) return fail("state is not hex");
      Result<State> state = decode_state_frame(*frame, config.cluster_seed);
      if (!state.is_ok()) return fail("the initial state does not decode: " + state.status().message());
      auto members = std::make_shared<const std::vector<NodeId>>(r.at("members").get<std::vector<NodeId>>());
      nodes_.insert_or_assign(h, std::make_unique<Node>(r.at("self").get<NodeId>(), ReplicaId{r.at("replica").get<std::uint64_t>()},
                                                        members, config, r.at("seed").get<std::uint64_t>(),
                                                        std::move(state).value()));
      return {{"ok", true}};
    }
    auto it = nodes_.find(h);
    if (it == nodes_.end()) return fail("no node " + std::to_string(h));
    Node& n = *it->second;
    if (op == "destroy") {
      nodes_.erase(it);
      return {{"ok", true}};
    }
    if (op == "create") return {{"ok", true}, {"status", status_name(n.create(id_of(r.at("id")), content_of(r.at("content"))))}};
    if (op == "refine") return {{"ok", true}, {"status", status_name(n.refine(id_of(r.at("id")), content_of(r.at("content"))))}};
    if (op == "absorb") return {{"ok", true}, {"status", status_name(n.absorb(id_of(r.at("a")), id_of(r.at("into"))))}};
    if (op == "tick") {
      n.tick(r.at("now").get<Time>());
      return {{"ok", true}};
    }
    if (op == "receive") {
      const std::optional<Bytes> b = from_hex(r.at("bytes").get<std::string>());
      if (!b) return fail("bytes are not hex");
      n.receive(r.at("from").get<NodeId>(), *b);
      return {{"ok", true}};
    }
    if (op == "outbox") {
      json messages = json::array();
      for (const Outgoing& m : n.take_outbox()) messages.push_back({{"to", m.to}, {"bytes", to_hex(m.bytes)}});
      return {{"ok", true}, {"messages", messages}};
    }
    if (op == "wakeup") {
      const Time t = n.next_wakeup();
      return {{"ok", true}, {"at", t == ~Time{0} ? json(nullptr) : json(t)}};
    }
    if (op == "export") return {{"ok", true}, {"state", to_hex(encode_state_frame(n.state()))}};
    if (op == "clone") {
      nodes_.insert_or_assign(r.at("new").get<std::uint64_t>(), std::make_unique<Node>(n));
      return {{"ok", true}};
    }
    if (op == "fingerprint") {
      std::string bytes;
      n.append_fingerprint(&bytes);
      return {{"ok", true}, {"bytes", to_hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()))}};
    }
    return fail("unknown op " + op);
  }

 private:
  static json fail(const std::string& why) { return {{"ok", false}, {"error", why}}; }
  std::map<std::uint64_t, std::unique_ptr<Node>> nodes_;
};

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  Host host;
  for (std::string line; std::getline(std::cin, line);) {
    json answer;
    try {
      answer = host.handle(json::parse(line));
    } catch (const std::exception& e) {
      answer = {{"ok", false}, {"error", e.what()}};
    }
    std::cout << answer.dump() << '\n' << std::flush;
  }
  return 0;
}
