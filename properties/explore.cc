#include "properties/explore.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <unordered_set>

#include <xxhash.h>

namespace gossip::properties {
namespace {

struct Budget {
  std::uint32_t writes = 0, ticks = 0, duplicates = 0, crashes = 0;
};

Budget spend(Budget b, const Step& s) {
  switch (s.op) {
    case Op::kCreate:
    case Op::kRefine:
    case Op::kAbsorb:
      ++b.writes;
      break;
    case Op::kTick:
      ++b.ticks;
      break;
    case Op::kDuplicate:
      ++b.duplicates;
      break;
    case Op::kCrash:
    case Op::kAmnesia:
      ++b.crashes;
      break;
    default:
      break;
  }
  return b;
}

// Every step enabled in a state, in a fixed order (so that runs are deterministic).
std::vector<Step> moves(const Executor& ex, const Budget& used, const ExploreConfig& c) {
  std::vector<Step> out;
  const faultnet::Cluster& cluster = ex.cluster();
  const std::uint32_t nodes = cluster.size();
  if (used.writes < c.writes) {
    const std::uint32_t value = used.writes + 1;  // each write its own content
    for (NodeId n = 0; n < nodes; ++n) {
      const State& state = cluster.node(n).state();
      for (std::uint32_t p = 0; p < c.patterns; ++p) {
        const bool held = state.find(pattern_of(p)) != nullptr;
        out.push_back(Step{held ? Op::kRefine : Op::kCreate, n, p, 0, value});
      }
      for (std::uint32_t a = 0; a < c.patterns; ++a) {
        for (std::uint32_t b = 0; b < c.patterns; ++b) {
          if (a != b && state.find(pattern_of(a)) && state.find(pattern_of(b))) {
            out.push_back(Step{Op::kAbsorb, n, a, b, 0});
          }
        }
      }
    }
  }
  if (used.ticks < c.ticks) out.push_back(Step{Op::kTick, 0, 0, 0, 0});
  const std::uint32_t pending = static_cast<std::uint32_t>(cluster.pending().size());
  for (std::uint32_t k = 0; k < pending; ++k) {
    out.push_back(Step{Op::kDeliver, 0, 0, 0, k});
    out.push_back(Step{Op::kDrop, 0, 0, 0, k});
    if (used.duplicates < c.duplicates) out.push_back(Step{Op::kDuplicate, 0, 0, 0, k});
  }
  if (used.crashes < c.crashes) {
    for (NodeId n = 0; n < nodes; ++n) {
      out.push_back(Step{Op::kCrash, n, 0, 0, 0});
      out.push_back(Step{Op::kAmnesia, n, 0, 0, 0});
    }
  }
  return out;
}

struct Key {
  std::uint64_t lo = 0, hi = 0;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const { return static_cast<std::size_t>(k.lo); }
};

Key key_of(const Executor& ex, const Budget& b) {
  const std::array<std::uint8_t, 16> fp = ex.fingerprint();
  std::uint8_t bytes[32];
  std::copy(fp.begin(), fp.end(), bytes);
  const std::uint32_t budget[4] = {b.writes, b.ticks, b.duplicates, b.crashes};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) bytes[16 + 4 * i + j] = static_cast<std::uint8_t>(budget[i] >> (8 * j));
  }
  const XXH128_hash_t h = XXH3_128bits(bytes, sizeof bytes);
  return Key{h.low64, h.high64};
}

struct Frame {
  std::unique_ptr<Executor> ex;
  Budget used;
  std::vector<Step> moves;
  std::size_t next = 0;
};

// One depth-first pass, each distinct state explored once. depth_limit 0: none; with a limit,
// paths are cut there (a state first reached by a long path is then not explored further
// through a shorter one: the cut pass is a fast first look, the unlimited pass is exhaustive).
ExploreResult pass(const ExploreConfig& c, std::uint32_t depth_limit,
                   const std::function<void(const ExploreResult&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  ExploreResult r;
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::unordered_set<Key, KeyHash> seen;
  std::vector<Step> path;
  std::vector<Frame> stack;
  auto found = [&](const Violation& v, const Step& last) {
    History h;
    h.property = "explore";
    h.config = c.history;
    h.steps = path;
    h.steps.push_back(last);
    r.violations.push_back(ExploreFound{v, std::move(h)});
    return r.violations.size() >= c.violations_max;
  };
  {
    auto root = std::make_unique<Executor>(c.history, c.executor);
    seen.insert(key_of(*root, Budget{}));
    r.distinct_states = 1;
    std::vector<Step> first = moves(*root, Budget{}, c);
    stack.push_back(Frame{std::move(root), Budget{}, std::move(first), 0});
  }
  bool stop = false;
  while (!stack.empty() && !stop) {
    Frame& top = stack.back();
    if (top.next == top.moves.size()) {
      stack.pop_back();
      if (!path.empty()) path.pop_back();
      continue;
    }
    const Step step = top.moves[top.next++];
    const Budget used = spend(top.used, step);
    auto child = std::make_unique<Executor>(*top.ex);
    ++r.states;
    if (std::optional<Violation> v = child->apply(step)) {
      stop = found(*v, step);
      continue;
    }
    (void)child->cluster().take_log();  // the trace is for replays; copies need not carry it
    const std::uint32_t depth = static_cast<std::uint32_t>(path.size()) + 1;
    if (!seen.insert(key_of(*child, used)).second) continue;
    {
      ++r.distinct_states;
      if (c.converge) {
        Executor healed(*child);
        ++r.convergence_checks;
        if (std::optional<Violation> v = healed.finish()) {
          stop = found(*v, step);
          continue;
        }
      }
      if (r.distinct_states >= c.states_max) {
        stop = true;
        break;
      }
      if (progress && r.distinct_states % 10'000 == 0) {
        r.seconds = elapsed();
        progress(r);
      }
    }
    if (depth_limit != 0 && depth >= depth_limit) {
      r.complete = false;  // cut: only the unlimited pass is exhaustive
      continue;
    }
    std::vector<Step> next = moves(*child, used, c);
    path.push_back(step);
    r.depth = std::max(r.depth, depth);
    stack.push_back(Frame{std::move(child), used, std::move(next), 0});
  }
  if (stop) r.complete = false;
  r.seconds = elapsed();
  return r;
}

// Deletes steps one at a time while the history still breaks the same invariant: the first
// history depth-first search finds is seldom the shortest.
void shrink(ExploreFound& f, const ExecutorOptions& options) {
  bool smaller = true;
  while (smaller) {
    smaller = false;
    for (std::size_t i = 0; i < f.history.steps.size(); ++i) {
      History h = f.history;
      h.steps.erase(h.steps.begin() + static_cast<std::ptrdiff_t>(i));
      const std::optional<Violation> v = Executor::run(h, options);
      if (v && v->invariant == f.violation.invariant) {
        f.history = std::move(h);
        f.violation = *v;
        smaller = true;
        break;
      }
    }
  }
}

ExploreResult explore_passes(const ExploreConfig& c, const std::function<void(const ExploreResult&)>& progress) {
  double before = 0;
  if (c.shallow_depth > 0) {
    ExploreResult shallow = pass(c, c.shallow_depth, {});
    if (!shallow.violations.empty()) {
      shallow.complete = false;
      shallow.shallow_pass = true;
      if (progress) progress(shallow);
      return shallow;
    }
    before = shallow.seconds;
  }
  ExploreResult r = pass(c, 0, progress);
  r.seconds += before;
  if (progress) progress(r);
  return r;
}

}  // namespace

ExploreResult explore(const ExploreConfig& c, const std::function<void(const ExploreResult&)>& progress) {
  ExploreResult r = explore_passes(c, progress);
  for (ExploreFound& f : r.violations) shrink(f, c.executor);
  return r;
}

}  // namespace gossip::properties
