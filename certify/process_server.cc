#include "certify/process_server.h"

#include <iostream>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "certify/external_node.h"
#include "certify/plugin.h"
#include "certify/view_json.h"
#include "reference/codec.h"

namespace gossip::certify {
namespace {

using json = nlohmann::json;

struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Bytes bytes_of(const json& j, const char* what) {
  const std::string text = j.get<std::string>();
  Bytes out(text.size() / 2);
  if (text.size() % 2 != 0 || !from_hex(text, out)) throw Refused(std::string(what) + " is not hex");
  return out;
}

PatternId id_of(const json& j) {
  const std::optional<PatternId> id = PatternId::from_hex(j.get<std::string>());
  if (!id) throw Refused("not a pattern id: " + j.dump());
  return *id;
}

Content content_of(const json& j) {
  Content c;
  c.summary = j.at("summary").get<std::string>();
  c.episodes = j.at("episodes").get<std::vector<EpisodeId>>();
  const std::uint64_t strength = j.at("strength").get<std::uint64_t>();
  if (strength > 0xFFFFFFFFu) throw Refused("strength " + std::to_string(strength) + " is not a u32");
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

NodeConfig config_of(const json& c) {
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
  return config;
}

class Server {
 public:
  Server(std::shared_ptr<const Implementation> impl, ServeOptions options)
      : impl_(std::move(impl)), options_(std::move(options)) {}

  json handle(const json& r) {
    const std::string op = r.at("op").get<std::string>();
    if (op == "hello") {
      const Capabilities c = impl_->capabilities();
      json caps = json::array();
      if (c.clone) caps.push_back("clone");
      if (c.fingerprint) caps.push_back("fingerprint");
      if (c.wire) caps.push_back("wire");
      if (c.view) caps.push_back("view");
      return {{"ok", true},
              {"protocol", 1},
              {"name", options_.name.empty() ? impl_->name() : options_.name},
              {"version", options_.version.empty() ? impl_->version() : options_.version},
              {"capabilities", caps}};
    }
    const std::uint64_t h = r.at("node").get<std::uint64_t>();
    if (op == "init") {
      NodeInit init;
      init.config = config_of(r.at("config"));
      Result<State> state = decode_state_frame(bytes_of(r.at("state"), "state"), init.config.cluster_seed);
      if (!state.is_ok()) return fail("the initial state does not decode: " + state.status().message());
      init.self = r.at("self").get<NodeId>();
      init.replica = ReplicaId{r.at("replica").get<std::uint64_t>()};
      init.members = std::make_shared<const std::vector<NodeId>>(r.at("members").get<std::vector<NodeId>>());
      init.seed = r.at("seed").get<std::uint64_t>();
      init.state = std::move(state).value();
      nodes_.insert_or_assign(h, impl_->make(init));
      return {{"ok", true}};
    }
    auto it = nodes_.find(h);
    if (it == nodes_.end()) return fail("no node " + std::to_string(h));
    NodeUnderTest& n = *it->second;
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
      n.receive(r.at("from").get<NodeId>(), bytes_of(r.at("bytes"), "bytes"));
      return {{"ok", true}};
    }
    if (op == "outbox") {
      std::vector<Outgoing> out;
      n.take_outbox(&out);
      json messages = json::array();
      for (const Outgoing& m : out) messages.push_back({{"to", m.to}, {"bytes", to_hex(m.bytes)}});
      return {{"ok", true}, {"messages", messages}};
    }
    if (op == "wakeup") {
      const Time t = n.next_wakeup();
      return {{"ok", true}, {"at", t == ~Time{0} ? json(nullptr) : json(t)}};
    }
    if (op == "export") {
      // A plug-in's export passes through as it was given: its bytes are what is judged.
      if (const auto* external = dynamic_cast<const ExternalNode*>(&n)) {
        const ExternalNode::Export e = external->raw_export();
        if (e.text) return {{"ok", true}, {"state_text", *e.text}};
        return {{"ok", true}, {"state", to_hex(e.frame)}};
      }
      return {{"ok", true}, {"state", to_hex(encode_state_frame(n.state()))}};
    }
    if (op == "view") {
      ViewFrame f;
      if (!n.export_view(&f)) return fail("this implementation gives no view");
      return {{"ok", true}, {"view", view_to_json(f.view, f.edges)}};
    }
    if (op == "clone") {
      std::unique_ptr<NodeUnderTest> copy = n.clone();
      if (!copy) return fail("this implementation cannot clone");
      nodes_.insert_or_assign(r.at("new").get<std::uint64_t>(), std::move(copy));
      return {{"ok", true}};
    }
    if (op == "fingerprint") {
      std::string bytes;
      if (!n.append_fingerprint(&bytes)) return fail("this implementation has no fingerprint");
      return {{"ok", true}, {"bytes", to_hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()))}};
    }
    return fail("unknown op " + op);
  }

 private:
  static json fail(const std::string& why) { return {{"ok", false}, {"error", why}}; }
  std::shared_ptr<const Implementation> impl_;
  ServeOptions options_;
  std::map<std::uint64_t, std::unique_ptr<NodeUnderTest>> nodes_;
};

}  // namespace

int serve_process_protocol(std::shared_ptr<const Implementation> impl, std::istream& in, std::ostream& out,
                           const ServeOptions& options) {
  Server server(std::move(impl), options);
  for (std::string line; std::getline(in, line);) {
    json answer;
    try {
      answer = server.handle(json::parse(line));
    } catch (const std::exception& e) {
      answer = {{"ok", false}, {"error", e.what()}};
    }
    out << answer.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
  }
  return 0;
}

int run_plugin_host(const std::string& plugin_path) {
  Result<std::shared_ptr<const Implementation>> impl = load_plugin(plugin_path);
  if (!impl.is_ok()) {
    std::cerr << "gossip-plugin-host: " << impl.status().message() << "\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  return serve_process_protocol(impl.value(), std::cin, std::cout);
}

}  // namespace gossip::certify
