#include "certify/view_json.h"

#include <nlohmann/json.hpp>

#include "reference/limits.h"

namespace gossip::certify {

using json = nlohmann::json;

json pattern_to_json(const PatternId& id, const ResolvedPattern& p) {
  json out = {{"id", id.hex()},
              {"live", p.live},
              {"survivor", p.survivor.hex()},
              {"summary", p.content.summary},
              {"episodes", p.content.episodes},
              {"strength", p.content.strength}};
  out["absorbed_into"] = p.content.absorbed_into ? json(p.content.absorbed_into->hex()) : json(nullptr);
  return out;
}

json view_to_json(const ResolvedView& view, const std::vector<Edge>& edges) {
  json patterns = json::array();
  for (const auto& [id, p] : view) patterns.push_back(pattern_to_json(id, p));
  json edge_list = json::array();
  for (const Edge& e : edges) edge_list.push_back({{"a", e.a.hex()}, {"b", e.b.hex()}, {"weight", e.weight}});
  return {{"patterns", patterns}, {"edges", edge_list}};
}

namespace {

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& field(const json& o, const char* name, const std::string& where) {
  if (!o.is_object() || !o.contains(name)) throw Bad(where + " has no \"" + name + "\"");
  return o.at(name);
}

PatternId id_of(const json& j, const std::string& where) {
  const std::optional<PatternId> id = j.is_string() ? PatternId::from_hex(j.get<std::string>()) : std::nullopt;
  if (!id || id->hex() != j.get<std::string>()) throw Bad(where + " is not 32 lowercase hex digits");
  return *id;
}

std::uint64_t number(const json& j, const std::string& where) {
  if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<std::int64_t>() >= 0)) {
    throw Bad(where + " is not a non-negative integer");
  }
  return j.get<std::uint64_t>();
}

}  // namespace

Result<ViewFrame> view_from_json(const json& j) {
  try {
    ViewFrame f;
    const json& patterns = field(j, "patterns", "the view");
    const json& edges = field(j, "edges", "the view");
    if (!patterns.is_array() || !edges.is_array()) throw Bad("the view's patterns and edges must be arrays");
    std::optional<PatternId> last;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      const std::string where = "pattern " + std::to_string(i);
      const json& p = patterns[i];
      const PatternId id = id_of(field(p, "id", where), where + "'s id");
      if (last && !(*last < id)) throw Bad(where + ": ids not strictly ascending");
      last = id;
      ResolvedPattern rp;
      rp.survivor = id_of(field(p, "survivor", where), where + "'s survivor");
      const json& live = field(p, "live", where);
      if (!live.is_boolean()) throw Bad(where + "'s live is not a boolean");
      rp.live = live.get<bool>();
      if (rp.live != (rp.survivor == id)) throw Bad(where + ": live must be true exactly when the survivor is the pattern itself");
      const json& summary = field(p, "summary", where);
      if (!summary.is_string()) throw Bad(where + "'s summary is not a string");
      rp.content.summary = summary.get<std::string>();
      const json& episodes = field(p, "episodes", where);
      if (!episodes.is_array()) throw Bad(where + "'s episodes are not an array");
      for (const json& e : episodes) {
        const std::uint64_t v = number(e, where + "'s episode");
        if (!rp.content.episodes.empty() && v <= rp.content.episodes.back()) {
          throw Bad(where + "'s episodes are not strictly ascending");
        }
        rp.content.episodes.push_back(v);
      }
      const std::uint64_t strength = number(field(p, "strength", where), where + "'s strength");
      if (strength > 0xFFFFFFFFu) throw Bad(where + "'s strength is above 2^32 - 1");
      rp.content.strength = static_cast<std::uint32_t>(strength);
      const json& into = field(p, "absorbed_into", where);
      if (!into.is_null()) rp.content.absorbed_into = id_of(into, where + "'s absorbed_into");
      // A version's rules but the number of episodes: a merged content unites up to 32.
      if (rp.content.episodes.size() > limits::kSiblingsMax * limits::kEpisodesMax) {
        throw Bad(where + " has more episodes than 32 siblings can hold");
      }
      Content rules = rp.content;
      rules.episodes.clear();
      if (const Status s = validate(rules); !s.is_ok()) throw Bad(where + ": " + s.message());
      f.view.emplace_hint(f.view.end(), id, std::move(rp));
    }
    for (std::size_t i = 0; i < edges.size(); ++i) {
      const std::string where = "edge " + std::to_string(i);
      Edge e;
      e.a = id_of(field(edges[i], "a", where), where + "'s a");
      e.b = id_of(field(edges[i], "b", where), where + "'s b");
      if (!(e.a < e.b)) throw Bad(where + ": a must be the smaller id");
      if (!f.edges.empty() && !(std::pair(f.edges.back().a, f.edges.back().b) < std::pair(e.a, e.b))) {
        throw Bad(where + ": edges not strictly ascending");
      }
      const std::uint64_t w = number(field(edges[i], "weight", where), where + "'s weight");
      if (w == 0 || w > 0xFFFFFFFFu) throw Bad(where + "'s weight must be 1 to 2^32 - 1");
      e.weight = static_cast<std::uint32_t>(w);
      f.edges.push_back(e);
    }
    return f;
  } catch (const Bad& b) {
    return Status::error(Status::Code::kInvalid, b.what());
  } catch (const json::exception& e) {
    return Status::error(Status::Code::kInvalid, std::string("the view is not the JSON form: ") + e.what());
  }
}

}  // namespace gossip::certify
