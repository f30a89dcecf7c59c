#include "properties/laws.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "properties/history.h"
#include "reference/operations.h"
#include "reference/resolve.h"
#include "reference/text.h"

namespace gossip::properties {
namespace {

const std::vector<std::string> kLaws = {
    "join_commutative", "join_associative", "join_idempotent",        "join_inflationary",
    "join_no_loss",     "join_antichain",   "conflict_never_resolved", "refine_dominates",
    "join_limit_commutative", "view_order_independent", "view_cycles", "view_unique"};

// How many named states each law takes.
std::vector<std::string> inputs_of(const std::string& law) {
  if (law == "join_associative") return {"a", "b", "c"};
  if (law == "join_idempotent" || law.rfind("view_", 0) == 0) return {"a"};
  if (law == "refine_dominates") return {"a", "write"};
  return {"a", "b"};
}

struct Joined {
  State state;
  bool rejected = false;
};

// The implementation's merge at two levels: State::join (pointwise, skipping subtrees whose
// digests agree) and Register::join pattern by pattern (every register merged, even equal
// ones: a merge that is not idempotent shows only here when the inputs are equal).
enum class Level { kState, kRegister };

Joined join_at(Level level, const State& a, const State& b) {
  if (level == Level::kState) {
    Joined j{a, false};
    j.rejected = !j.state.join(b).rejected.empty();
    return j;
  }
  std::map<PatternId, Register> regs;
  a.for_each([&](const PatternId& id, const Register& r) { regs.emplace(id, r); });
  bool rejected = false;
  b.for_each([&](const PatternId& id, const Register& r) {
    auto it = regs.find(id);
    if (it == regs.end()) {
      regs.emplace(id, r);
      return;
    }
    Register next = it->second;
    bool changed = false;
    if (next.join(r, &changed).is_ok()) {
      it->second = next;
    } else {
      rejected = true;  // the local register stays
    }
  });
  return Joined{State::from_registers(a.cluster_seed(), {regs.begin(), regs.end()}), rejected};
}

std::string text(const State& s) { return format_state(s); }

// `what` must hold between x and y: equal states.
std::string same(const State& x, const State& y, const std::string& what) {
  if (x == y) return "";
  return what + " differ:\n" + text(x) + "against\n" + text(y);
}

std::string check(const LawCase& c, Level level) {
  auto join = [&](const State& x, const State& y) { return join_at(level, x, y); };
  auto get = [&](const std::string& name) -> const State& {
    for (const auto& [n, s] : c.states) {
      if (n == name) return s;
    }
    throw std::logic_error("no state " + name);  // parse_law_case saw them all
  };
  const std::string& law = c.law;
  if (law == "join_commutative") {
    return same(join(get("a"), get("b")).state, join(get("b"), get("a")).state, "a join b and b join a");
  }
  if (law == "join_limit_commutative") {  // at the implementation's own sibling limit
    const Joined ab = join(get("a"), get("b")), ba = join(get("b"), get("a"));
    if (ab.rejected != ba.rejected) return "a join b and b join a: refused in one order only";
    return same(ab.state, ba.state, "a join b and b join a");
  }
  if (law == "join_associative") {
    const State& a = get("a");
    const State& b = get("b");
    const State& cc = get("c");
    return same(join(join(a, b).state, cc).state, join(a, join(b, cc).state).state,
                "(a join b) join c and a join (b join c)");
  }
  if (law == "join_idempotent") return same(join(get("a"), get("a")).state, get("a"), "a join a and a");
  if (law == "join_inflationary") {
    const State j = join(get("a"), get("b")).state;
    std::string out = same(join(get("a"), j).state, j, "a join (a join b) and a join b");
    if (out.empty()) out = same(join(get("b"), j).state, j, "b join (a join b) and a join b");
    return out;
  }
  const model::StateMap a = to_model(get("a"));
  if (law == "join_no_loss" || law == "join_antichain" || law == "conflict_never_resolved") {
    const Joined joined = join(get("a"), get("b"));
    const model::StateMap b = to_model(get("b"));
    const model::StateMap j = to_model(joined.state);
    std::ostringstream out;
    for (const auto& [p, reg] : j) {
      for (const auto& [clock, content] : reg) {
        for (const auto& [other, unused] : reg) {
          if (law == "join_antichain" && model::compare(clock, other) == model::Order::kBefore) {
            out << "a join b holds " << model::to_string(clock) << " beside "
                << model::to_string(other) << ", which dominates it\n";
          }
        }
        bool from_input = false;
        for (const model::StateMap* in : {&a, &b}) {
          auto it = in->find(p);
          if (it == in->end()) continue;
          auto v = it->second.find(clock);
          if (v == it->second.end()) continue;
          if (v->second == content) from_input = true;
          if (law == "conflict_never_resolved" && !joined.rejected && !(v->second == content)) {
            out << "a join b holds " << model::to_string(clock)
                << " with a content other than an input's under the same clock, and reported no "
                   "conflict\n";
          }
        }
        if (law == "join_no_loss" && !from_input) {
          out << "a join b holds " << model::to_string(clock) << " with a content no input has\n";
        }
      }
    }
    if (law == "join_no_loss") {
      for (const model::StateMap* in : {&a, &b}) {
        for (const auto& [p, reg] : *in) {
          for (const auto& [clock, unused] : reg) {
            bool kept = false;
            auto it = j.find(p);
            if (it != j.end()) {
              for (const auto& [other, unused2] : it->second) {
                kept = kept || other == clock || model::compare(clock, other) == model::Order::kBefore;
              }
            }
            if (!kept) out << "a join b lost " << model::to_string(clock) << "\n";
          }
        }
      }
    }
    return out.str();
  }
  if (law == "refine_dominates") {
    const model::StateMap w = to_model(get("write"));
    if (w.size() != 1 || w.begin()->second.size() != 1 || w.begin()->second.begin()->first.size() != 1) {
      return "state write must hold one pattern with one version whose clock names the writer";
    }
    const auto& [key, reg] = *w.begin();
    const PatternId id{key};
    const ReplicaId writer{reg.begin()->first.begin()->first};
    const Version& v = get("write").find(id)->siblings()[0];
    State s = get("a");
    const Status st = s.find(id) ? refine(s, writer, id, v.content) : create(s, writer, id, v.content);
    if (!st.is_ok()) return "the write was refused: " + st.message();
    const model::StateMap after = to_model(s);
    const model::Register& now = after.at(key);
    if (now.size() != 1) {
      return "after the write the register holds " + std::to_string(now.size()) +
             " versions, not the one that replaces what it saw:\n" + text(s);
    }
    const model::Clock& written = now.begin()->first;
    auto before = a.find(key);
    if (before != a.end()) {
      for (const auto& [clock, unused] : before->second) {
        if (model::compare(clock, written) != model::Order::kBefore) {
          return "the write's clock " + model::to_string(written) + " does not dominate " +
                 model::to_string(clock) + ", a sibling it saw";
        }
      }
    }
    return "";
  }
  // The view laws: the implementation's resolved view is the model's.
  return view_difference(resolve(get("a")), model::resolve(a));
}

Status bad(std::size_t line, const std::string& what) {
  return Status::error(Status::Code::kInvalid, "line " + std::to_string(line) + ": " + what);
}

}  // namespace

const std::vector<std::string>& checkable_laws() { return kLaws; }

std::string to_text(const LawCase& c) {
  std::string out = std::string(kLawCaseHeader) + "\n";
  std::istringstream comment(c.comment);
  for (std::string line; std::getline(comment, line);) out += "# " + line + "\n";
  out += "law " + c.law + "\n";
  out += "cluster_seed " + std::to_string(c.cluster_seed) + "\n";
  for (const auto& [name, state] : c.states) out += "state " + name + "\n" + format_state(state);
  return out;
}

Result<LawCase> parse_law_case(std::string_view text) {
  LawCase c;
  std::vector<std::string> lines;
  {
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      lines.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
  }
  if (lines.empty() || lines[0] != kLawCaseHeader) {
    return bad(1, "expected '" + std::string(kLawCaseHeader) + "'");
  }
  std::size_t i = 1;
  auto skip_comments = [&] {
    while (i < lines.size() && (lines[i].empty() || lines[i][0] == '#')) ++i;
  };
  skip_comments();
  if (i >= lines.size() || lines[i].rfind("law ", 0) != 0) return bad(i + 1, "expected 'law NAME'");
  c.law = lines[i].substr(4);
  if (std::find(kLaws.begin(), kLaws.end(), c.law) == kLaws.end()) return bad(i + 1, "no law named '" + c.law + "'");
  ++i;
  skip_comments();
  if (i >= lines.size() || lines[i].rfind("cluster_seed ", 0) != 0) return bad(i + 1, "expected 'cluster_seed N'");
  {
    const std::string n = lines[i].substr(13);
    std::size_t used = 0;
    try {
      c.cluster_seed = std::stoull(n, &used);
    } catch (...) {
      used = 0;
    }
    if (n.empty() || used != n.size() || n[0] == '-' || n[0] == '+') return bad(i + 1, "expected a number after 'cluster_seed'");
  }
  ++i;
  skip_comments();
  while (i < lines.size()) {
    if (lines[i].rfind("state ", 0) != 0) return bad(i + 1, "expected 'state NAME'");
    const std::string name = lines[i].substr(6);
    const std::size_t first = i + 1;
    std::string body;
    for (++i; i < lines.size() && lines[i].rfind("state ", 0) != 0; ++i) body += lines[i] + "\n";
    Result<State> s = parse_state(body, c.cluster_seed);
    if (!s.is_ok()) {
      return bad(first, "in state " + name + " (lines counted from the one after 'state'): " + s.status().message());
    }
    for (const auto& [n, unused] : c.states) {
      if (n == name) return bad(first - 1, "state " + name + " given twice");
    }
    c.states.emplace_back(name, std::move(s).value());
  }
  for (const std::string& want : inputs_of(c.law)) {
    if (std::none_of(c.states.begin(), c.states.end(), [&](const auto& s) { return s.first == want; })) {
      return bad(lines.size(), "law " + c.law + " needs a state named " + want);
    }
  }
  return c;
}

std::string check_law(const LawCase& c) {
  ThrowingAsserts guard;
  try {
    for (Level l : {Level::kState, Level::kRegister}) {
      const std::string broken = check(c, l);
      if (!broken.empty()) {
        return (l == Level::kState ? "State::join: " : "Register::join: ") + broken;
      }
    }
    return "";
  } catch (const AssertionFailure& e) {
    return std::string("the implementation failed an assertion: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("the implementation threw: ") + e.what();
  }
}

}  // namespace gossip::properties
