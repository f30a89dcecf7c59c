#include "tests/docs/wire_json.h"

#include "certify/view_json.h"

#include <string>

#include "reference/bytes.h"
#include "reference/codec.h"
#include "reference/sync_message.h"

namespace gossip::docs {
namespace {

using nlohmann::json;

json version_json(const Version& v) {
  json clock = json::array();
  for (const VectorClock::Entry& e : v.clock.entries()) clock.push_back({e.replica.value, e.counter});
  const Content& c = v.content;
  return json{{"clock", clock},
              {"summary", c.summary},
              {"episodes", c.episodes},
              {"strength", c.strength},
              {"absorbed_into", c.absorbed_into ? json(c.absorbed_into->hex()) : json(nullptr)}};
}

json register_json(const Register& reg) {
  json out = json::array();
  for (const Version& v : reg.siblings()) out.push_back(version_json(v));
  return out;
}

json item_json(const PatternId& id, const Register& reg) {
  return json{{"id", id.hex()}, {"register", register_json(reg)}};
}

std::string path_text(const SyncPath& path) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (std::uint8_t n : path.nibbles) out.push_back(kHex[n]);
  return out;
}

json error_json(const Status& s) { return json{{"error", std::string(code_name(s.code()))}}; }

const char* kind_name(FrameKind kind) {
  switch (kind) {
    case FrameKind::kVersion: return "version";
    case FrameKind::kRegister: return "register";
    case FrameKind::kState: return "state";
    case FrameKind::kDigest: return "digest";
    case FrameKind::kHello: return "hello";
    case FrameKind::kReply: return "reply";
    case FrameKind::kWalk: return "walk";
    case FrameKind::kView: return "view";
  }
  return "?";
}

}  // namespace

json frame_json(ByteView bytes, std::uint64_t cluster_seed) {
  Result<Frame> frame = open_frame(bytes);
  if (!frame.is_ok()) return error_json(frame.status());
  const FrameKind kind = frame.value().kind;
  json out{{"kind", kind_name(kind)}};
  switch (kind) {
    case FrameKind::kVersion: {
      auto v = decode_version_frame(bytes);
      if (!v.is_ok()) return error_json(v.status());
      out["id"] = v.value().id.hex();
      out["version"] = version_json(v.value().version);
      return out;
    }
    case FrameKind::kRegister: {
      auto r = decode_register_frame(bytes);
      if (!r.is_ok()) return error_json(r.status());
      out["id"] = r.value().id.hex();
      out["register"] = register_json(r.value().reg);
      return out;
    }
    case FrameKind::kState: {
      auto s = decode_state_frame(bytes, cluster_seed);
      if (!s.is_ok()) return error_json(s.status());
      json patterns = json::array();
      s.value().for_each([&](const PatternId& id, const Register& reg) { patterns.push_back(item_json(id, reg)); });
      out["patterns"] = patterns;
      out["root"] = s.value().root().hex();
      return out;
    }
    case FrameKind::kDigest: {
      auto d = decode_digest_frame(bytes);
      if (!d.is_ok()) return error_json(d.status());
      out["digest"] = d.value().hex();
      return out;
    }
    case FrameKind::kView: {
      auto v = decode_view_frame(bytes);
      if (!v.is_ok()) return error_json(v.status());
      json view = certify::view_to_json(v.value().view, v.value().edges);
      out["patterns"] = view["patterns"];
      out["edges"] = view["edges"];
      return out;
    }
    case FrameKind::kHello:
    case FrameKind::kReply:
    case FrameKind::kWalk: {
      auto m = decode_sync_message(bytes);
      if (!m.is_ok()) return error_json(m.status());
      const SyncMessage& s = m.value();
      out["xid"] = s.xid;
      out["from_initiator"] = s.from_initiator;
      out["root"] = s.root ? json(s.root->hex()) : json(nullptr);
      json registers = json::array();
      for (const SyncItem& item : s.registers) registers.push_back(item_json(item.id, item.reg));
      out["registers"] = registers;
      out["width"] = s.probes.empty() ? 0 : s.width;
      json probes = json::array();
      for (const SyncProbe& p : s.probes) {
        json probe{{"path", path_text(p.path)}};
        if (p.inner) {
          probe["present"] = p.present;
          probe["digests"] = to_hex(p.digests);
        } else {
          probe["tags"] = p.tags;
        }
        probes.push_back(probe);
      }
      out["probes"] = probes;
      json wants = json::array();
      for (const SyncWant& w : s.wants) wants.push_back(json{{"path", path_text(w.path)}, {"tags", w.tags}});
      out["wants"] = wants;
      return out;
    }
  }
  return error_json(Status::error(Status::Code::kUnknownTag, "unreachable"));
}

}  // namespace gossip::docs
