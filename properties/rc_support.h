// What every file of the catalogue shares: the Recorder that keeps a failing case, the
// GOSSIP_PROP_FAIL macro, run_property (one RapidCheck property with the runner's
// parameters, seed and a quiet listener), and the generators of single steps. RapidCheck is
// included here: only the catalogue's .cc files include this header, never a header.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>

#include <rapidcheck.h>

#include "properties/catalogue.h"
#include "properties/history.h"
#include "properties/replay.h"
#include "reference/sync_message.h"

namespace gossip::properties::support {

using Clock = std::chrono::steady_clock;

// The implementation whose nodes a property drives: the one under certification, or the
// reference.
inline const Implementation& implementation(const RunOptions& o) {
  return o.impl ? *o.impl : *reference_implementation();
}

// A node of that implementation, replica (self, incarnation 0).
inline std::unique_ptr<NodeUnderTest> seam_node(const RunOptions& o, NodeId self,
                                                std::shared_ptr<const std::vector<NodeId>> members,
                                                const NodeConfig& config, std::uint64_t seed, State state) {
  return gossip::make_node(implementation(o), self, ReplicaId::of(self, 0), std::move(members), config, seed, std::move(state));
}

// A node of the implementation started from `state` (a node of two members, cluster seed of
// the state), asked for its own resolved view: "" when it is the model's view of the state
// the node exports, else the first difference. Throws ImplementationError when the node gives
// no view (a property that needs one runs only on implementations that have it).
inline std::string node_view_difference(const RunOptions& o, const State& state) {
  auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{0, 1});
  NodeConfig config;
  config.cluster_seed = state.cluster_seed();
  const auto node = seam_node(o, 0, std::move(members), config, 1, state);
  ViewFrame got;
  if (!node->export_view(&got)) throw ImplementationError("the node exports no view");
  return view_frame_difference(got, to_model(node->state()));
}

// A Hello with no fresh register: what a peer (or a liar) sends to start an exchange.
inline Bytes encode_hello(std::uint64_t xid, const Digest& root) {
  SyncMessage m;
  m.kind = FrameKind::kHello;
  m.xid = xid;
  m.root = root;
  return encode_sync_message(m);
}

// What a node just sent, into a fresh vector.
inline std::vector<Outgoing> outbox(NodeUnderTest& n) {
  std::vector<Outgoing> out;
  n.take_outbox(&out);
  return out;
}

struct Recorder {
  Clock::time_point start = Clock::now();
  bool failed = false;
  double first_failure = 0;
  std::size_t steps = 0;
  std::optional<History> history;
  std::string message;
  std::uint64_t cases = 0, steps_generated = 0;  // to report the mean size of a case

  std::size_t last_size = 0;
  bool shrink_cut = false;  // shrinking stopped at its time budget
  std::map<std::string, double> figures;  // the largest value of each measured figure

  void figure(const std::string& name, double value) {
    auto [it, fresh] = figures.emplace(name, value);
    if (!fresh && value > it->second) it->second = value;
  }

  void note_case(std::size_t n) {
    ++cases;
    steps_generated += n;
    last_size = n;
  }

  void fail(std::size_t shrunk_steps, std::string why, std::optional<History> h = std::nullopt) {
    if (!failed) first_failure = std::chrono::duration<double>(Clock::now() - start).count();
    failed = true;
    steps = shrunk_steps;
    message = std::move(why);
    history = std::move(h);
  }
};
inline Recorder* recorder = nullptr;

// Fails the current case: records it, then tells RapidCheck.
#define GOSSIP_PROP_FAIL(steps, why, ...)            \
  do {                                               \
    std::string gossip_why_ = (why);                 \
    recorder->fail((steps), gossip_why_, ##__VA_ARGS__); \
    RC_FAIL(gossip_why_);                            \
  } while (false)

// RapidCheck's reproduction of one case (random state, size, shrink path) as hex, and back.
inline std::string reproduce_to_hex(const rc::detail::Reproduce& r) {
  std::vector<std::uint8_t> bytes;
  rc::detail::serialize(r, std::back_inserter(bytes));
  return to_hex(bytes);
}
inline std::optional<rc::detail::Reproduce> reproduce_from_hex(const std::string& hex) {
  std::vector<std::uint8_t> bytes(hex.size() / 2);
  if (hex.size() % 2 != 0 || !from_hex(hex, bytes)) return std::nullopt;
  rc::detail::Reproduce r;
  try {
    const auto end = rc::detail::deserialize(bytes.begin(), bytes.end(), r);
    if (end != bytes.end()) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return r;
}

// RapidCheck's own report of a failure it found by itself (an RC_ASSERT, an exception of the
// generators), in the implementation's terms: no source path of the machine the suite was
// built on, no C++ type names.
inline std::string plain_report(const std::string& description) {
  std::istringstream in(description);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    // "path/to/file.cc:123:": where the check is in our sources
    const bool where = !line.empty() && line.back() == ':' && line.find(' ') == std::string::npos &&
                       (line.find(".cc:") != std::string::npos || line.find(".h:") != std::string::npos ||
                        line.find(".cpp:") != std::string::npos);
    if (where) continue;
    out += line + "\n";
  }
  return out;
}

template <typename Testable>
Outcome run_property(const std::string& name, const RunOptions& o, int size, Testable&& testable,
                     int cases = 0) {
  Recorder rec;
  recorder = &rec;
  rc::detail::TestParams params;
  params.seed = o.seed;
  params.maxSuccess = cases > 0 ? cases : o.profile.cases;
  params.maxSize = size;
  rc::detail::TestMetadata meta;
  meta.id = name;
  meta.description = name;
  // A listener of our own: RapidCheck's default one would print its RC_PARAMS reproduce
  // string, which does not apply to parameters given here (the runner's --seed does).
  struct Quiet final : rc::detail::TestListener {
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
  } quiet;
  // An assertion inside the implementation fails the case (and is shrunk) like any other
  // failure, instead of aborting the runner.
  auto guarded = [&testable, &o] {
    // Past the shrink budget every case passes: shrinking ends with the smallest failure so far.
    if (o.shrink_seconds > 0 && recorder->failed &&
        std::chrono::duration<double>(Clock::now() - recorder->start).count() - recorder->first_failure > o.shrink_seconds) {
      recorder->shrink_cut = true;
      return;
    }
    ThrowingAsserts throwing;
    try {
      testable();
    } catch (const AssertionFailure& e) {
      GOSSIP_PROP_FAIL(recorder->last_size, std::string("assert: ") + e.what());
    } catch (const rc::GenerationFailure&) {
      throw;  // RapidCheck's own: the case is discarded
    } catch (const std::exception& e) {
      // Anything else the implementation (or the harness) throws fails the case, recorded
      // like the rest.
      GOSSIP_PROP_FAIL(recorder->last_size, std::string("exception: ") + e.what());
    }
  };
  // A saved case runs alone: RapidCheck regenerates it from its random state and size and
  // follows its shrink path (no search).
  std::unordered_map<std::string, rc::detail::Reproduce> reproduce;
  if (!o.reproduce.empty()) {
    const std::optional<rc::detail::Reproduce> r = reproduce_from_hex(o.reproduce);
    Outcome out;
    out.property = name;
    if (!r) {
      out.passed = false;
      out.message = "the case file's reproduce line is not one this gossipcheck can read";
      recorder = nullptr;
      return out;
    }
    reproduce.emplace(name, *r);
  }
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(guarded), meta, params, quiet, reproduce);
  recorder = nullptr;

  Outcome out;
  out.property = name;
  out.seconds = std::chrono::duration<double>(Clock::now() - rec.start).count();
  out.mean_steps = rec.cases ? double(rec.steps_generated) / double(rec.cases) : 0.0;
  out.figures.assign(rec.figures.begin(), rec.figures.end());
  const std::string rerun = (o.rerun_command.empty() ? o.self : o.rerun_command) + " --only " + name +
                            " --profile " + o.profile.name + " --seed " + std::to_string(o.seed);
  if (result.template is<rc::detail::SuccessResult>()) {
    const auto& success = result.template get<rc::detail::SuccessResult>();
    out.cases = success.numSuccess;
    std::map<std::string, int> hits;
    for (const auto& [tags, count] : success.distribution) {
      for (std::string t : tags) {
        if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
        hits[t] += count;
      }
    }
    for (const auto& [tag, count] : hits) {
      out.coverage.emplace_back(tag, out.cases ? double(count) / double(out.cases) : 0.0);
    }
    return out;
  }
  out.passed = false;
  out.seconds_to_first_failure = rec.failed ? rec.first_failure : out.seconds;
  out.shrunk_steps = rec.steps;
  std::optional<rc::detail::Reproduce> failing;
  std::string report;
  if (!o.reproduce.empty() && !rec.failed && result.template is<rc::detail::Error>() &&
      result.template get<rc::detail::Error>().description.find("not a failure") != std::string::npos) {
    out.passed = true;  // the saved case, run alone, holds
    out.cases = 1;
    return out;
  }
  if (result.template is<rc::detail::FailureResult>()) {
    const auto& f = result.template get<rc::detail::FailureResult>();
    out.cases = f.numSuccess;
    failing = f.reproduce;
    if (!rec.failed) {  // RapidCheck's own check failed: its words, without paths and types
      report = plain_report(f.description);
      for (const auto& ex : f.counterExample) report += "  generated: " + ex.second + "\n";
    }
  } else {
    std::ostringstream r;
    rc::detail::printResultMessage(result, r);
    report = plain_report(r.str());
  }
  out.message = rec.failed ? rec.message + "\n" : report;
  if (rec.shrink_cut) {
    out.message += "(shrinking stopped after " + std::to_string(static_cast<int>(o.shrink_seconds)) +
                   " s, its budget: this counterexample may not be the smallest)\n";
  }
  std::filesystem::path dir = o.failures_dir.empty() ? std::filesystem::current_path()
                                                     : std::filesystem::path(o.failures_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string stem = (dir / (name + "-seed" + std::to_string(o.seed))).string();
  std::string saved;
  if (rec.history) {
    const std::filesystem::path file = std::filesystem::absolute(stem + ".history");
    std::ofstream f(file);
    f << to_text(*rec.history);
    if (f.good()) saved = file.string();
  } else if (failing) {
    // Not a history: the one failing case, as RapidCheck can reproduce it alone.
    CaseFile c;
    c.property = name;
    c.profile = o.profile.name;
    c.seed = o.seed;
    c.reproduce = reproduce_to_hex(*failing);
    c.violation = out.message;
    const std::filesystem::path file = std::filesystem::absolute(stem + ".case");
    std::ofstream f(file);
    f << to_text(c);
    if (f.good()) saved = file.string();
  }
  if (!saved.empty()) {
    out.history_file = saved;
    out.replay = (o.replay_command.empty() ? std::string("gossipcheck replay") : o.replay_command) + " " + saved;
  }
  if (out.replay.empty()) out.replay = rerun;
  out.message += "search again: " + rerun + "\n";
  return out;
}

// ---- generators -------------------------------------------------------------------------

inline rc::Gen<Step> gen_write(std::uint32_t nodes, std::uint32_t patterns) {
  return rc::gen::apply(
      [](int kind, std::uint32_t node, std::uint32_t p, std::uint32_t into, std::uint32_t v) {
        Step s;
        s.op = kind < 4 ? Op::kRefine : kind < 7 ? Op::kCreate : Op::kAbsorb;
        s.node = node;
        s.pattern = p;
        s.into = into;
        s.value = v;
        return s;
      },
      rc::gen::inRange(0, 9), rc::gen::inRange<std::uint32_t>(0, nodes),
      rc::gen::inRange<std::uint32_t>(0, patterns), rc::gen::inRange<std::uint32_t>(0, patterns),
      rc::gen::inRange<std::uint32_t>(0, 16));
}

inline rc::Gen<Step> gen_simple(Op op) {
  Step s;
  s.op = op;
  return rc::gen::just(s);
}

inline rc::Gen<Step> gen_message(Op op) {
  return rc::gen::map(rc::gen::inRange<std::uint32_t>(0, 8), [op](std::uint32_t k) {
    Step s;
    s.op = op;
    s.value = k;
    return s;
  });
}

inline rc::Gen<Step> gen_node_step(Op op, std::uint32_t nodes) {
  return rc::gen::map(rc::gen::inRange<std::uint32_t>(0, nodes), [op](std::uint32_t n) {
    Step s;
    s.op = op;
    s.node = n;
    return s;
  });
}


}  // namespace gossip::properties::support
