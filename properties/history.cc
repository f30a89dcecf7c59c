#include "properties/history.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <sstream>

#include "reference/codec.h"
#include "reference/operations.h"
#include "reference/resolve.h"
#include "reference/text.h"

namespace gossip::properties {

namespace {

constexpr std::string_view kHeader = "# gossipcheck history 1";

struct OpName {
  Op op;
  std::string_view name;
};
constexpr OpName kOps[] = {
    {Op::kCreate, "create"}, {Op::kRefine, "refine"},   {Op::kAbsorb, "absorb"},
    {Op::kTick, "tick"},     {Op::kDeliver, "deliver"}, {Op::kDrop, "drop"},
    {Op::kDuplicate, "dup"}, {Op::kDelay, "delay"},     {Op::kPartition, "partition"},
    {Op::kHeal, "heal"},     {Op::kCrash, "crash"},     {Op::kAmnesia, "amnesia"},
    {Op::kPause, "pause"},   {Op::kResume, "resume"},
};

std::string_view name_of(Op op) {
  for (const OpName& o : kOps) {
    if (o.op == op) return o.name;
  }
  return "?";
}

model::PatternKey key_of(const PatternId& id) { return id.bytes; }

model::Clock clock_of(const VectorClock& clock) {
  model::Clock out;
  for (const VectorClock::Entry& e : clock.entries()) out[e.replica.value] = e.counter;
  return out;
}


std::string pattern_name(const model::PatternKey& key) {
  std::uint64_t n = 0;
  for (std::size_t i = 8; i < 16; ++i) n = (n << 8) | key[i];
  bool small = std::all_of(key.begin(), key.begin() + 8, [](std::uint8_t b) { return b == 0; });
  // p<i> is how a history names PatternId::from_u64(i + 1); the end of the hex id beside it is
  // how an implementation's own logs name it.
  const std::string hex = PatternId{key}.hex();
  return small && n > 0 ? "p" + std::to_string(n - 1) + " (…" + hex.substr(hex.size() - 4) + ")" : hex;
}

std::string describe_content(const model::Content& c) {
  std::ostringstream out;
  out << '"' << c.summary << "\" e{";
  const char* sep = "";
  for (std::uint64_t e : c.episodes) {
    out << sep << e;
    sep = ",";
  }
  out << "} s" << c.strength;
  if (c.absorbed_into) out << " ->" << pattern_name(*c.absorbed_into);
  return out.str();
}

std::string describe_version(const model::PatternKey& p, const model::Clock& clock) {
  return pattern_name(p) + "@" + model::to_string(clock);
}

// The model's name for a refusal of a local write.
model::WriteError write_error(Status::Code code) {
  switch (code) {
    case Status::Code::kNotFound: return model::WriteError::kNotFound;
    case Status::Code::kAlreadyExists: return model::WriteError::kAlreadyExists;
    case Status::Code::kInvalid: return model::WriteError::kInvalid;
    case Status::Code::kOverLimit: return model::WriteError::kOverLimit;
    default: return model::WriteError::kNone;  // no local write may answer with another code
  }
}

}  // namespace

model::Content to_model_content(const Content& c) {
  model::Content out;
  out.summary = c.summary;
  out.episodes.insert(c.episodes.begin(), c.episodes.end());
  out.strength = c.strength;
  if (c.absorbed_into) out.absorbed_into = c.absorbed_into->bytes;
  return out;
}

model::Register register_of(const Register& reg) {
  model::Register out;
  for (const Version& v : reg.siblings()) out.emplace(clock_of(v.clock), to_model_content(v.content));
  return out;
}

model::StateMap to_model(const State& state) {
  model::StateMap out;
  state.for_each([&](const PatternId& id, const Register& reg) { out[key_of(id)] = register_of(reg); });
  return out;
}

std::string view_difference(const ResolvedView& view, const model::View& want) {
  for (const auto& [id, p] : view) {
    auto it = want.find(key_of(id));
    if (it == want.end() || !(to_model_content(p.content) == it->second.content) ||
        p.survivor.bytes != it->second.survivor || p.live != it->second.live) {
      return pattern_name(key_of(id)) + " resolves to " + describe_content(to_model_content(p.content)) +
             " survivor " + pattern_name(p.survivor.bytes) + (p.live ? " (live)" : "") + "; the model says " +
             (it == want.end() ? std::string("nothing")
                               : describe_content(it->second.content) + " survivor " +
                                     pattern_name(it->second.survivor) + (it->second.live ? " (live)" : ""));
    }
  }
  if (view.size() != want.size()) {
    return "the view has " + std::to_string(view.size()) + " patterns, the model's " + std::to_string(want.size());
  }
  return "";
}

std::string view_frame_difference(const ViewFrame& got, const model::StateMap& state) {
  const model::View want = model::resolve(state);
  if (std::string d = view_difference(got.view, want); !d.empty()) return d;
  const std::vector<model::Edge> want_edges = model::edges(want);
  std::map<std::pair<model::PatternKey, model::PatternKey>, std::uint32_t> w, g;
  for (const model::Edge& e : want_edges) w[{e.a, e.b}] = e.weight;
  for (const Edge& e : got.edges) g[{e.a.bytes, e.b.bytes}] = e.weight;
  for (const auto& [pair, weight] : w) {
    auto it = g.find(pair);
    if (it == g.end()) {
      return "the edge " + pattern_name(pair.first) + " - " + pattern_name(pair.second) + " (weight " +
             std::to_string(weight) + ") is missing (" + std::to_string(got.edges.size()) + " edges against the model's " +
             std::to_string(want_edges.size()) + ")";
    }
    if (it->second != weight) {
      return "the edge " + pattern_name(pair.first) + " - " + pattern_name(pair.second) + " has weight " +
             std::to_string(it->second) + ", the model says " + std::to_string(weight);
    }
  }
  for (const auto& [pair, weight] : g) {
    if (!w.count(pair)) {
      return "the edge " + pattern_name(pair.first) + " - " + pattern_name(pair.second) + " (weight " +
             std::to_string(weight) + ") should not be there (" + std::to_string(got.edges.size()) +
             " edges against the model's " + std::to_string(want_edges.size()) + ")";
    }
  }
  return "";
}

Result<State> from_model(const model::StateMap& state, std::uint64_t cluster_seed) {
  std::vector<std::pair<PatternId, Register>> regs;
  for (const auto& [key, reg] : state) {
    std::vector<Version> versions;
    for (const auto& [clock, content] : reg) {
      std::vector<VectorClock::Entry> entries;
      for (const auto& [r, n] : clock) entries.push_back(VectorClock::Entry{ReplicaId{r}, n});
      versions.push_back(Version{VectorClock(std::move(entries)), from_model_content(content)});
    }
    Result<Register> r = Register::from_versions(std::move(versions));
    if (!r.is_ok()) return r.status();
    regs.emplace_back(PatternId{key}, std::move(r).value());
  }
  return State::from_registers(cluster_seed, std::move(regs));
}

Content from_model_content(const model::Content& content) {
  Content c;
  c.summary = content.summary;
  c.episodes.assign(content.episodes.begin(), content.episodes.end());
  c.strength = content.strength;
  if (content.absorbed_into) c.absorbed_into = PatternId{*content.absorbed_into};
  return c;
}

WriteJudgement judge_write(const model::ExpectedWrite& want, const Status& status,
                           const model::StateMap& before, const model::StateMap& after) {
  const std::string answer = status.is_ok() ? std::string("succeeded") : "refused (" + status.message() + ")";
  if (want.error != model::WriteError::kNone) {
    if (status.is_ok() || write_error(status.code()) != want.error) {
      return {"write", answer + "; the model refuses it with '" + model::to_string(want.error) + "' (" + want.why + ")"};
    }
    if (after != before) return {"I2", "a refused write (" + status.message() + ") changed the state"};
    return {};
  }
  if (!status.is_ok()) return {"write", answer + "; the model says it must succeed"};
  for (const auto& [p, version] : want.versions) {
    const auto it = after.find(p);
    const std::size_t versions = it == after.end() ? 0 : it->second.size();
    if (versions != 1) {
      return {"I3", pattern_name(p) + ": the write left " + std::to_string(versions) +
                        " versions, not the one that replaces what it saw"};
    }
    const auto& [clock, content] = *it->second.begin();
    if (clock != version.clock || !(content == version.content)) {
      return {"write", pattern_name(p) + ": wrote " + describe_version(p, clock) + " " + describe_content(content) +
                           "; the model writes " + describe_version(p, version.clock) + " " +
                           describe_content(version.content)};
    }
  }
  return {};
}

Content content_of(std::uint32_t value) {
  Content c;
  c.summary = "s" + std::to_string(value);
  c.episodes = {value % 4, 4 + value % 3};
  c.strength = value;
  return c;
}

PatternId pattern_of(std::uint32_t index) { return PatternId::from_u64(std::uint64_t{index} + 1); }

State genesis_state(std::uint64_t n, std::uint64_t cluster_seed) {
  State s(cluster_seed);
  for (std::uint64_t i = 0; i < n; ++i) {
    Content c;
    c.summary = "pattern " + std::to_string(i);
    c.episodes = {i, i + 1'000'000};
    const Status st = create(s, kGenesisWriter, PatternId::from_u64(i + 1), c);
    GOSSIP_ASSERT(st.is_ok());
  }
  return s;
}

void diverge(State& s, ReplicaId writer, Rng& r, std::size_t writes, std::uint32_t patterns) {
  for (std::size_t k = 0; k < writes; ++k) {
    const auto p = static_cast<std::uint32_t>(r.below(patterns + 8));
    const auto v = static_cast<std::uint32_t>(r.below(1000));
    switch (r.below(4)) {
      case 0: (void)create(s, writer, pattern_of(p), content_of(v)); break;
      case 1:
      case 2: (void)refine(s, writer, pattern_of(p), content_of(v)); break;
      default: (void)absorb(s, writer, pattern_of(p), pattern_of(static_cast<std::uint32_t>(r.below(patterns + 8)))); break;
    }
  }
}

std::string to_text(const Step& s) {
  std::string out(name_of(s.op));
  switch (s.op) {
    case Op::kCreate:
    case Op::kRefine:
      out += " n" + std::to_string(s.node) + " p" + std::to_string(s.pattern) + " v" +
             std::to_string(s.value);
      break;
    case Op::kAbsorb:
      out += " n" + std::to_string(s.node) + " p" + std::to_string(s.pattern) + " p" +
             std::to_string(s.into);
      break;
    case Op::kDeliver:
    case Op::kDrop:
    case Op::kDuplicate:
    case Op::kDelay:
      out += " " + std::to_string(s.value);
      break;
    case Op::kPartition: {
      out += " ";
      for (std::uint32_t n = 0; n < 32; ++n) {
        if ((s.value >> n) & 1u) out += "n" + std::to_string(n) + ",";
      }
      if (out.back() == ',') out.pop_back();
      break;
    }
    case Op::kCrash:
    case Op::kAmnesia:
    case Op::kPause:
    case Op::kResume:
      out += " n" + std::to_string(s.node);
      break;
    case Op::kTick:
    case Op::kHeal:
      break;
  }
  return out;
}

void append_trace(std::string* trace, const std::vector<faultnet::Delivery>& log) {
  for (const faultnet::Delivery& d : log) {
    *trace += std::to_string(d.message.from) + ">" + std::to_string(d.message.to) + ":" + to_hex(d.message.bytes) + ";";
  }
}

std::string trace_digest(std::string_view trace) {
  const std::uint64_t h = hash64(0, std::span(reinterpret_cast<const std::uint8_t*>(trace.data()), trace.size()));
  static const char* kDigits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) out[static_cast<std::size_t>(i)] = kDigits[(h >> (60 - 4 * i)) & 0xF];
  return out;
}

std::string to_text(const History& h) {
  std::ostringstream out;
  out << kHeader << '\n';
  out << "property " << h.property << '\n';
  out << "nodes " << h.config.nodes << '\n';
  out << "seed " << h.config.seed << '\n';
  out << "message_bytes_max " << h.config.message_bytes_max << '\n';
  out << "exchanges_max " << h.config.exchanges_max << '\n';
  out << "walk_width " << unsigned{h.config.walk_width} << '\n';
  if (h.config.initial_patterns > 0) {
    out << "initial_patterns " << h.config.initial_patterns << '\n';
    out << "initial_nodes " << h.config.initial_nodes << '\n';
  }
  if (h.config.epoch != 0) out << "epoch " << h.config.epoch << '\n';
  if (!h.trace.empty()) out << "trace " << h.trace << '\n';
  if (!h.implementation.empty()) out << "implementation " << h.implementation << '\n';
  out << "steps " << h.steps.size() << '\n';
  for (const Step& s : h.steps) out << to_text(s) << '\n';
  return out.str();
}

namespace {

Status bad(std::size_t line, const std::string& what) {
  return Status::error(Status::Code::kInvalid, "line " + std::to_string(line) + ": " + what);
}

template <typename T>
bool number(std::string_view word, T* out) {
  if (word.empty()) return false;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), *out);
  return ec == std::errc() && end == word.data() + word.size();
}

// "<prefix><number>", the number below `limit`.
bool prefixed(std::string_view word, char prefix, std::uint32_t limit, std::uint32_t* out) {
  return word.size() > 1 && word[0] == prefix && number(word.substr(1), out) && *out < limit;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

constexpr std::uint32_t kNodesMax = 32;
constexpr std::uint32_t kPatternsMax = 1u << 20;
constexpr std::size_t kStepsMax = 1u << 20;

}  // namespace

Result<History> parse_history(std::string_view text) {
  History h;
  std::size_t line_no = 0;
  bool header = false, in_steps = false;
  std::size_t declared = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!header) {
      if (line != kHeader) return bad(line_no, "not a gossipcheck history (first line must be '" + std::string(kHeader) + "')");
      header = true;
      continue;
    }
    const auto w = words(line);
    if (w.empty() || w[0][0] == '#') continue;
    if (!in_steps) {
      if (w.size() != 2) return bad(line_no, "expected '<field> <value>'");
      std::uint64_t v = 0;
      auto hex_word = [](std::string_view x, std::size_t digits) {
        return x.size() == digits && x.find_first_not_of("0123456789abcdef") == std::string_view::npos;
      };
      if (w[0] == "property") {
        h.property = std::string(w[1]);
      } else if (w[0] == "trace") {
        if (!hex_word(w[1], 16)) return bad(line_no, "trace must be 16 lowercase hex digits");
        h.trace = std::string(w[1]);
      } else if (w[0] == "implementation") {
        if (!hex_word(w[1], 64)) return bad(line_no, "implementation must be 64 lowercase hex digits (a SHA-256)");
        h.implementation = std::string(w[1]);
      } else if (!number(w[1], &v)) {
        return bad(line_no, "'" + std::string(w[1]) + "' is not a number");
      } else if (w[0] == "nodes") {
        if (v < 1 || v > kNodesMax) return bad(line_no, "nodes must be 1 to 32");
        h.config.nodes = static_cast<std::uint32_t>(v);
      } else if (w[0] == "seed") {
        h.config.seed = v;
      } else if (w[0] == "message_bytes_max") {
        if (v < 64 || v > (1u << 24)) return bad(line_no, "message_bytes_max must be 64 to 16777216");
        h.config.message_bytes_max = v;
      } else if (w[0] == "exchanges_max") {
        if (v < 1 || v > 4096) return bad(line_no, "exchanges_max must be 1 to 4096");
        h.config.exchanges_max = v;
      } else if (w[0] == "walk_width") {
        if (v < 1 || v > 8) return bad(line_no, "walk_width must be 1 to 8");
        h.config.walk_width = static_cast<std::uint8_t>(v);
      } else if (w[0] == "initial_patterns") {
        if (v > 10'000) return bad(line_no, "initial_patterns must be 0 to 10000");
        h.config.initial_patterns = static_cast<std::uint32_t>(v);
      } else if (w[0] == "initial_nodes") {
        if (v >= (std::uint64_t{1} << h.config.nodes)) return bad(line_no, "initial_nodes names a node that is not there");
        h.config.initial_nodes = static_cast<std::uint32_t>(v);
      } else if (w[0] == "epoch") {
        if (v > (std::uint64_t{1} << 62)) return bad(line_no, "epoch must be at most 2^62 microseconds");
        h.config.epoch = v;
      } else if (w[0] == "steps") {
        if (v > kStepsMax) return bad(line_no, "too many steps");
        declared = v;
        in_steps = true;
      } else {
        return bad(line_no, "unknown field '" + std::string(w[0]) + "'");
      }
      continue;
    }
    Step s;
    const OpName* op = std::find_if(std::begin(kOps), std::end(kOps),
                                    [&](const OpName& o) { return o.name == w[0]; });
    if (op == std::end(kOps)) return bad(line_no, "unknown step '" + std::string(w[0]) + "'");
    s.op = op->op;
    const std::uint32_t nodes = h.config.nodes;
    bool ok = false;
    switch (s.op) {
      case Op::kCreate:
      case Op::kRefine:
        ok = w.size() == 4 && prefixed(w[1], 'n', nodes, &s.node) &&
             prefixed(w[2], 'p', kPatternsMax, &s.pattern) && prefixed(w[3], 'v', ~0u, &s.value);
        break;
      case Op::kAbsorb:
        ok = w.size() == 4 && prefixed(w[1], 'n', nodes, &s.node) &&
             prefixed(w[2], 'p', kPatternsMax, &s.pattern) && prefixed(w[3], 'p', kPatternsMax, &s.into);
        break;
      case Op::kDeliver:
      case Op::kDrop:
      case Op::kDuplicate:
      case Op::kDelay:
        ok = w.size() == 2 && number(w[1], &s.value);
        break;
      case Op::kPartition: {
        ok = w.size() == 2;
        std::string_view rest = ok ? w[1] : std::string_view{};
        while (ok && !rest.empty()) {
          const std::size_t comma = rest.find(',');
          std::uint32_t n = 0;
          ok = prefixed(rest.substr(0, comma), 'n', nodes, &n);
          s.value |= 1u << n;
          rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        break;
      }
      case Op::kCrash:
      case Op::kAmnesia:
      case Op::kPause:
      case Op::kResume:
        ok = w.size() == 2 && prefixed(w[1], 'n', nodes, &s.node);
        break;
      case Op::kTick:
      case Op::kHeal:
        ok = w.size() == 1;
        break;
    }
    if (!ok) return bad(line_no, "malformed step '" + std::string(line) + "' (see docs/PROPERTIES.md, History files)");
    if (h.steps.size() == kStepsMax) return bad(line_no, "too many steps");
    h.steps.push_back(s);
  }
  if (!header) return bad(1, "empty file: not a gossipcheck history");
  if (!in_steps) return bad(line_no, "no 'steps' line");
  if (h.steps.size() != declared) {
    return bad(line_no, "'steps " + std::to_string(declared) + "' but " +
                            std::to_string(h.steps.size()) + " steps follow (truncated file?)");
  }
  return h;
}

bool below(const State& a, const State& b) {
  bool ok = true;
  a.for_each([&](const PatternId& id, const Register& reg) {
    const Register* other = b.find(id);
    for (const Version& v : reg.siblings()) ok = ok && other != nullptr && other->covers(v);
  });
  return ok;
}

std::string first_lost(const State& a, const State& b) {
  std::string lost;
  a.for_each([&](const PatternId& id, const Register& reg) {
    if (!lost.empty()) return;
    const Register* other = b.find(id);
    for (const Version& v : reg.siblings()) {
      if (other == nullptr || !other->covers(v)) {
        lost = "pattern " + id.hex() + " " + format_version(v) + (other == nullptr ? " (the pattern is gone)" : "");
        return;
      }
    }
  });
  return lost;
}

std::string in_sync_excess(faultnet::Cluster& cluster) {
  std::map<NodeId, std::size_t> sent;
  std::set<std::uint64_t> hellos;
  for (const faultnet::Pending& m : cluster.pending()) {
    if (m.bytes.size() > 32) {
      return "in sync, n" + std::to_string(m.from) + " sent a " + std::to_string(m.bytes.size()) +
             "-byte message (at most 32)";
    }
    if (++sent[m.from] > 1) return "in sync, n" + std::to_string(m.from) + " sent more than one message in one interval";
    hellos.insert(m.id);
  }
  (void)cluster.take_log();
  cluster.deliver_all();
  for (const faultnet::Delivery& d : cluster.take_log()) {
    if (hellos.count(d.message.id) == 0) {
      return "in sync, n" + std::to_string(d.message.from) + " answered a message (" +
             std::to_string(d.message.bytes.size()) + " bytes)";
    }
  }
  if (!cluster.pending().empty()) {
    return "in sync, n" + std::to_string(cluster.pending()[0].from) + " answered a message";
  }
  return "";
}

std::string to_text(const Violation& v) {
  return v.invariant + " after step " + std::to_string(v.step + 1) + ": " + v.detail;
}

// ---------------------------------------------------------------------------------------

struct Executor::Impl {
  Impl(const HistoryConfig& c, const ExecutorOptions& o) : config(c), options(o), cluster(cluster_config(c, o)) {
    held.resize(c.nodes);
    record_genesis();
    delivered.resize(c.nodes);
    snapshots.resize(c.nodes, State(c.seed));
    snapshot_bytes.resize(c.nodes);
    for (NodeId n = 0; n < c.nodes; ++n) take_snapshot(n);
  }

  // The genesis patterns are writes like any other: the oracle knows them (none saw anything),
  // and the nodes that start with them have held them.
  void record_genesis() {
    if (config.initial_patterns == 0 || config.initial_nodes == 0) return;
    const model::StateMap genesis = to_model(genesis_state(config.initial_patterns, config.seed));
    for (const auto& [p, reg] : genesis) {
      for (const auto& [clock, content] : reg) {
        const std::string problem = oracle.write(p, clock, content, {});
        GOSSIP_ASSERT(problem.empty());
        for (NodeId n = 0; n < config.nodes; ++n) {
          if ((config.initial_nodes >> n) & 1u) held[n][p].insert(clock);
        }
      }
    }
  }

  static faultnet::ClusterConfig cluster_config(const HistoryConfig& c, const ExecutorOptions& o) {
    faultnet::ClusterConfig out;
    if (o.impl || o.partner) out.impl = {o.impl ? o.impl : reference_implementation()};
    if (o.partner) out.impl.push_back(o.partner);
    if (c.initial_patterns > 0 && c.initial_nodes != 0) {
      const State genesis = genesis_state(c.initial_patterns, c.seed);
      for (NodeId n = 0; n < c.nodes; ++n) {
        out.initial.push_back((c.initial_nodes >> n) & 1u ? genesis : State(c.seed));
      }
    }
    out.nodes = c.nodes;
    out.seed = c.seed;
    out.node.cluster_seed = c.seed;
    out.epoch = c.epoch;
    out.node.message_bytes_max = c.message_bytes_max;
    out.node.exchanges_max = c.exchanges_max;
    out.node.walk_width = c.walk_width;
    return out;
  }

  void take_snapshot(NodeId n) {
    snapshots[n] = cluster.node(n).state();
    snapshot_bytes[n] = encode_state_frame(snapshots[n]);
  }

  std::optional<Violation> violation(std::string invariant, std::string detail) const {
    return Violation{step, std::move(invariant), std::move(detail)};
  }

  // A write, judged against the model (model::expected_write): from the operation, its
  // arguments and what the writer held, the model says whether it must be refused, with which
  // error, and otherwise which versions it writes (clock and content). Each new version must
  // then be the only version of its pattern, and the oracle must accept its clock against the
  // causal order of the history.
  std::optional<Violation> write(const Step& s) {
    NodeUnderTest& node = cluster.node(s.node);
    if (cluster.paused(s.node)) return std::nullopt;  // a paused process does nothing
    const PatternId a = pattern_of(s.pattern);
    const PatternId b = pattern_of(s.into);
    // What the writer held of the patterns the write names, before and after it.
    auto named = [&] {
      model::StateMap out;
      for (const PatternId& id : {a, b}) {
        if (const Register* r = node.state().find(id)) out[key_of(id)] = register_of(*r);
      }
      return out;
    };
    const model::StateMap seen = named();
    const Content content = content_of(s.value);
    const model::WriteOp op = s.op == Op::kCreate ? model::WriteOp::kCreate
                              : s.op == Op::kRefine ? model::WriteOp::kRefine
                                                    : model::WriteOp::kAbsorb;
    const model::ExpectedWrite want =
        model::expected_write(seen, op, node.replica().value, key_of(a), key_of(b), to_model_content(content));
    Status st;
    if (s.op == Op::kCreate) st = node.create(a, content);
    if (s.op == Op::kRefine) st = node.refine(a, content);
    if (s.op == Op::kAbsorb) st = node.absorb(a, b);
    const WriteJudgement judged = judge_write(want, st, seen, named());
    if (!judged.ok()) return violation(judged.invariant, "n" + std::to_string(s.node) + " " + to_text(s) + ": " + judged.detail);
    // The oracle learns each version written, with what its writer saw.
    for (const auto& [p, version] : want.versions) {
      std::vector<model::Clock> saw;
      if (auto it = seen.find(p); it != seen.end()) {
        for (const auto& [c, unused] : it->second) saw.push_back(c);
      }
      const std::string problem = oracle.write(p, version.clock, version.content, saw);
      if (!problem.empty()) return violation("I3", "n" + std::to_string(s.node) + " " + to_text(s) + ", " + pattern_name(p) + ": " + problem);
    }
    return std::nullopt;
  }

  std::optional<Violation> deliver(const Step& s) {
    const auto& pending = cluster.pending();
    if (pending.empty()) return std::nullopt;
    const faultnet::Pending& m = pending[s.value % pending.size()];
    const NodeId to = m.to;
    const bool arrives = !cluster.cut(m.from, m.to);  // a cut message never arrived
    const bool again = arrives && delivered[to].count(m.id) > 0;
    const std::uint64_t id = m.id;
    const State before = cluster.node(to).state();
    if (!cluster.deliver(s.value)) return std::nullopt;
    if (arrives) delivered[to].insert(id);
    if (again && !(cluster.node(to).state() == before)) {
      return violation("I13", "n" + std::to_string(to) +
                                  ": a message delivered a second time changed the state");
    }
    return std::nullopt;
  }

  std::optional<Violation> check_node(NodeId n) {
    const State& state = cluster.node(n).state();
    const std::string who = "n" + std::to_string(n);
    // I6: the incremental tree equals the one built from scratch; the last snapshot is
    // untouched by everything since.
    std::vector<std::pair<PatternId, Register>> regs;
    state.for_each([&](const PatternId& id, const Register& r) { regs.emplace_back(id, r); });
    const State scratch = State::from_registers(state.cluster_seed(), regs);
    if (!(scratch.root() == state.root())) {
      return violation("I6", who + ": incremental root " + state.root().hex() +
                                 " differs from the root built from scratch " + scratch.root().hex());
    }
    if (encode_state_frame(snapshots[n]) != snapshot_bytes[n]) {
      return violation("I6", who + ": a snapshot taken before this step changed");
    }
    const model::StateMap now = to_model(state);
    // I5, I6: the root is the one the wire format defines for this state, computed again by
    // the model with none of the reference's digest code.
    if (model::merkle_root(now, state.cluster_seed()) != state.root().bytes) {
      return violation("I6", who + ": root " + state.root().hex() +
                                 " is not the root the wire format defines for its state");
    }
    // I3 and I2 against the oracle's causal order.
    for (const auto& [p, reg] : now) {
      for (const auto& [clock, content] : reg) {
        const model::Content* written = oracle.content(p, clock);
        if (written == nullptr) {
          return violation("I3", who + " holds " + describe_version(p, clock) + ", never written");
        }
        if (!(*written == content)) {
          return violation("I3", who + " holds " + describe_version(p, clock) +
                                     " with content other than written");
        }
      }
    }
    for (const auto& [p, reg] : now) {  // every version here was written (above)
      for (const auto& [clock, content] : reg) {
        for (const auto& [other, unused] : reg) {
          if (other != clock && oracle.precedes(p, clock, other)) {
            return violation("I3", who + " holds " + describe_version(p, clock) +
                                       " beside " + describe_version(p, other) + ", which dominates it");
          }
        }
      }
    }
    // The node's own resolved view and edges, when it exports them: what its readers see.
    if (ViewFrame seen; cluster.node(n).export_view(&seen)) {
      if (std::string d = view_frame_difference(seen, now); !d.empty()) {
        return violation("view", who + "'s own view: " + d);
      }
    }
    auto& ever = held[n];
    for (const auto& [p, reg] : now) {
      for (const auto& [clock, unused] : reg) {
        for (const model::Clock& old : ever[p]) {
          if (old != clock && oracle.precedes(p, clock, old)) {
            return violation("I3", who + " holds " + describe_version(p, clock) + " again after " +
                                       describe_version(p, old) + " replaced it (resurrection)");
          }
        }
      }
    }
    for (const auto& [p, clocks] : ever) {
      auto it = now.find(p);
      for (const model::Clock& old : clocks) {
        bool kept = false;
        if (it != now.end()) {
          for (const auto& [clock, unused] : it->second) {
            kept = kept || clock == old || oracle.precedes(p, old, clock);
          }
        }
        if (!kept) {
          return violation("I2", who + " lost " + describe_version(p, old) +
                                     " (neither held nor dominated by what it holds)");
        }
      }
    }
    for (const auto& [p, reg] : now) {
      for (const auto& [clock, unused] : reg) ever[p].insert(clock);
    }
    return std::nullopt;
  }

  std::optional<Violation> check_all() {
    if (!cluster.misaddressed().empty()) return violation("address", cluster.misaddressed());
    // The configuration's byte budget binds every message (docs/PROTOCOL.md, "Configuration").
    if (cluster.largest_sent() > config.message_bytes_max) {
      return violation("budget", "n" + std::to_string(cluster.largest_sender()) + " sent a " +
                                     std::to_string(cluster.largest_sent()) + "-byte message; the budget is " +
                                     std::to_string(config.message_bytes_max) + " bytes");
    }
    for (NodeId n = 0; n < config.nodes; ++n) {
      if (auto v = check_node(n)) return v;
    }
    // I5: equal states have equal roots.
    for (NodeId a = 0; a < config.nodes; ++a) {
      for (NodeId b = a + 1; b < config.nodes; ++b) {
        const State& sa = cluster.node(a).state();
        const State& sb = cluster.node(b).state();
        if (sa == sb && !(sa.root() == sb.root())) {
          return violation("I5", "n" + std::to_string(a) + " and n" + std::to_string(b) +
                                     " hold the same state under different roots");
        }
      }
    }
    for (NodeId n = 0; n < config.nodes; ++n) take_snapshot(n);
    return std::nullopt;
  }

  std::optional<Violation> apply(const Step& s) {
    std::optional<Violation> v;
    switch (s.op) {
      case Op::kCreate:
      case Op::kRefine:
      case Op::kAbsorb:
        v = write(s);
        break;
      case Op::kTick:
        cluster.tick();
        break;
      case Op::kDeliver:
        v = deliver(s);
        break;
      case Op::kDrop:
        cluster.drop(s.value);
        break;
      case Op::kDuplicate:
        cluster.duplicate(s.value);
        break;
      case Op::kDelay:
        cluster.delay(s.value);
        break;
      case Op::kPartition:
        cluster.partition(s.value);
        break;
      case Op::kHeal:
        cluster.heal();
        break;
      case Op::kCrash:
      case Op::kAmnesia:
        cluster.crash_restart(s.node, s.op == Op::kAmnesia);
        if (s.op == Op::kAmnesia) {
          held[s.node].clear();
          delivered[s.node].clear();
        }
        break;
      case Op::kPause:
        cluster.pause(s.node);
        break;
      case Op::kResume:
        cluster.resume(s.node);
        break;
    }
    if (!v) v = check_all();
    ++step;
    return v;
  }

  std::optional<Violation> finish() {
    const std::uint32_t bound = 4 * ceil_log2(config.nodes) + 16;
    const std::uint32_t took = cluster.run_to_quiescence(bound);
    if (auto v = check_all()) return v;
    if (took > bound) {
      std::string roots;
      for (NodeId n = 0; n < config.nodes; ++n) {
        roots += " n" + std::to_string(n) + "=" + cluster.node(n).state().root().hex().substr(0, 8);
      }
      return violation("I1", "not converged " + std::to_string(bound) +
                                 " rounds after healing; roots" + roots +
                                 (cluster.flooded() ? " (the messages never stopped: " +
                                                          std::to_string(faultnet::Cluster::kDeliverAllMax) +
                                                          " delivered without a pause)"
                                                    : std::string()));
    }
    // I2 against the model: the maximal versions of everything a live replica ever held.
    std::map<model::PatternKey, std::set<model::Clock>> surviving;
    for (const auto& ever : held) {
      for (const auto& [p, clocks] : ever) surviving[p].insert(clocks.begin(), clocks.end());
    }
    const model::StateMap expected = oracle.maximal(surviving);
    const model::StateMap got = to_model(cluster.node(0).state());
    if (got != expected) {
      std::string diff;
      for (const auto& [p, reg] : expected) {
        for (const auto& [clock, unused] : reg) {
          auto it = got.find(p);
          if (it == got.end() || !it->second.count(clock)) diff += " missing " + describe_version(p, clock) + ";";
        }
      }
      for (const auto& [p, reg] : got) {
        for (const auto& [clock, unused] : reg) {
          auto it = expected.find(p);
          if (it == expected.end() || !it->second.count(clock)) diff += " unexpected " + describe_version(p, clock) + ";";
        }
      }
      return violation("I2", "converged state differs from the model:" + diff);
    }
    // The resolved view and the edges, against the model's: every node's own, when it exports
    // one (the state being the model's, as checked above); else as the reference resolves
    // the converged state.
    for (NodeId n = 0; n < config.nodes; ++n) {
      ViewFrame seen;
      if (!cluster.node(n).export_view(&seen)) {
        if (n > 0) continue;
        seen.view = resolve(cluster.node(0).state());
        seen.edges = edges(seen.view);
      }
      if (std::string d = view_frame_difference(seen, expected); !d.empty()) {
        return violation("view", "n" + std::to_string(n) + ", converged: " + d);
      }
    }
    if (!options.check_in_sync_cost) return std::nullopt;
    // I8: once the last writes are no longer fresh (pushed eagerly for recent_rounds), one
    // more round on the converged cluster.
    for (std::uint32_t r = 0; r < 2 * ceil_log2(config.nodes) + 6; ++r) {
      cluster.tick();
      cluster.deliver_all();
    }
    (void)cluster.take_log();
    cluster.tick();
    if (std::string d = in_sync_excess(cluster); !d.empty()) return violation("I8", d);
    return std::nullopt;
  }

  std::string describe() const {
    std::ostringstream out;
    for (NodeId n = 0; n < config.nodes; ++n) {
      const NodeUnderTest& node = cluster.node(n);
      out << "  n" << n << (cluster.paused(n) ? " (paused)" : "") << " root "
          << node.state().root().hex().substr(0, 8) << ":";
      const model::StateMap s = to_model(node.state());
      if (s.empty()) out << " (empty)";
      for (const auto& [p, reg] : s) {
        out << ' ' << pattern_name(p) << '[';
        const char* sep = "";
        for (const auto& [clock, c] : reg) {
          out << sep << model::to_string(clock) << ' ' << describe_content(c);
          sep = " | ";
        }
        out << ']';
      }
      out << '\n';
    }
    return out.str();
  }

  HistoryConfig config;
  ExecutorOptions options;
  faultnet::Cluster cluster;
  model::Oracle oracle;
  std::vector<std::map<model::PatternKey, std::set<model::Clock>>> held;  // per incarnation
  std::vector<std::set<std::uint64_t>> delivered;                       // message ids
  std::vector<State> snapshots;
  std::vector<Bytes> snapshot_bytes;
  std::size_t step = 0;
};

namespace {
[[noreturn]] void throw_assertion(const char* expr, const char* file, int line, const char* msg) {
  std::string what = std::string("assertion failed: ") + expr + " (" + file + ":" + std::to_string(line) + ")";
  if (msg) what += std::string(": ") + msg;
  throw AssertionFailure(what);
}
}  // namespace

ThrowingAsserts::ThrowingAsserts() : previous_(set_assert_handler(throw_assertion)) {}
ThrowingAsserts::~ThrowingAsserts() { set_assert_handler(previous_); }

Executor::Executor(const HistoryConfig& config, const ExecutorOptions& options)
    : impl_(std::make_unique<Impl>(config, options)) {}
Executor::Executor(const Executor& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Executor::~Executor() = default;

std::array<std::uint8_t, 16> Executor::fingerprint() const {
  const Impl& x = *impl_;
  std::string bytes;
  if (!x.cluster.append_fingerprint(&bytes)) {
    throw ImplementationError("this implementation's nodes give no fingerprint (exploration needs one)");
  }
  // The pending messages as a multiset (any of them can be delivered, dropped or duplicated
  // next, whatever their order), each with whether its receiver has had it before.
  std::vector<std::string> pending;
  for (const faultnet::Pending& m : x.cluster.pending()) {
    std::string p = std::to_string(m.from) + ">" + std::to_string(m.to) + ":" +
                    std::to_string(static_cast<int>(m.kind)) + (x.delivered[m.to].count(m.id) ? "+" : "-") +
                    std::to_string(m.bytes.size()) + ":";
    p.append(reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size());
    pending.push_back(std::move(p));
  }
  std::sort(pending.begin(), pending.end());
  for (const std::string& p : pending) bytes += p;
  x.oracle.append_fingerprint(&bytes);
  for (const auto& ever : x.held) {
    bytes.push_back('H');
    for (const auto& [p, clocks] : ever) {
      bytes.append(p.begin(), p.end());
      for (const model::Clock& c : clocks) bytes += model::to_string(c);
      bytes.push_back(';');
    }
  }
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  std::array<std::uint8_t, 16> out;
  std::copy(std::begin(canonical.digest), std::end(canonical.digest), out.begin());
  return out;
}

std::optional<Violation> Executor::apply(const Step& step) {
  ThrowingAsserts guard;
  try {
    return impl_->apply(step);
  } catch (const AssertionFailure& e) {
    return Violation{impl_->step++, "assert", e.what()};
  } catch (const std::exception& e) {  // whatever the implementation throws ends the history
    return Violation{impl_->step++, "exception", e.what()};
  }
}

std::optional<Violation> Executor::finish() {
  ThrowingAsserts guard;
  try {
    return impl_->finish();
  } catch (const AssertionFailure& e) {
    return Violation{impl_->step, "assert", e.what()};
  } catch (const std::exception& e) {
    return Violation{impl_->step, "exception", e.what()};
  }
}
const faultnet::Cluster& Executor::cluster() const { return impl_->cluster; }
faultnet::Cluster& Executor::cluster() { return impl_->cluster; }
const model::Oracle& Executor::oracle() const { return impl_->oracle; }
std::size_t Executor::steps_run() const { return impl_->step; }
std::string Executor::describe() const { return impl_->describe(); }

std::optional<Violation> Executor::run(const History& history, const ExecutorOptions& options) {
  Executor ex(history.config, options);
  for (const Step& s : history.steps) {
    if (auto v = ex.apply(s)) return v;
  }
  return ex.finish();
}

ExecutorOptions options_for(const History& history, ExecutorOptions given) {
  if (history.property == "interop" && given.impl && !given.partner) {
    given.partner = reference_implementation();
    given.check_in_sync_cost = true;
  }
  return given;
}

TracedRun run_traced(const History& history, const ExecutorOptions& options, bool finish) {
  TracedRun run;
  Executor ex(history.config, options_for(history, options));
  for (const Step& s : history.steps) {
    run.violation = ex.apply(s);
    append_trace(&run.trace, ex.cluster().take_log());
    if (run.violation) break;
  }
  if (!run.violation && finish) {
    run.violation = ex.finish();
    append_trace(&run.trace, ex.cluster().take_log());
  }
  run.trace += ex.describe();
  if (run.violation) run.trace += to_text(*run.violation);
  return run;
}

}  // namespace gossip::properties
