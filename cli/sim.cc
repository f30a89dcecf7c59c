// gossipcheck sim: runs trials of a cluster on faultnet and reports propagation, bytes,
// faults and convergence.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "faultnet/sim.h"

namespace gossip::cli {
namespace {

using faultnet::TrialResult;

struct Percentiles {
  std::uint32_t p50 = 0, p99 = 0, p999 = 0, max = 0;
  std::size_t count = 0;
};

Percentiles percentiles(std::vector<std::uint32_t> v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {  // nearest rank
    std::size_t k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(k, 1, v.size()) - 1];
  };
  p.p50 = rank(0.5);
  p.p99 = rank(0.99);
  p.p999 = rank(0.999);
  p.max = v.back();
  return p;
}

nlohmann::json to_json(const Percentiles& p) {
  return {{"p50", p.p50}, {"p99", p.p99}, {"p999", p.p999}, {"max", p.max}, {"count", p.count}};
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string with_commas(std::uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

// --ideal-only: the ideal push-pull model alone (docs/PERFORMANCE.md, "Ideal push-pull").
int run_ideal(const SimOptions& o) {
  if (o.trials > UINT32_MAX) {
    std::cerr << "gossipcheck: --ideal-only runs at most " << UINT32_MAX << " trials\n";
    return kExitBadInput;
  }
  if (!o.json_path.empty() && !std::ofstream(o.json_path)) {
    std::cerr << "gossipcheck: cannot write " << o.json_path << "\n";
    return kExitBadInput;
  }
  const auto start = std::chrono::steady_clock::now();
  const Percentiles ideal = percentiles(
      faultnet::ideal_push_pull(o.nodes, o.faults.loss_ppm, static_cast<std::uint32_t>(o.trials), o.seed));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "gossipcheck sim --ideal-only: ideal push-pull, " << o.nodes << " nodes, loss "
            << fixed(static_cast<double>(o.faults.loss_ppm) / 1e6, 2) << " per exchange, " << with_commas(o.trials)
            << (o.trials == 1 ? " trial" : " trials") << ", seed " << o.seed << "\n"
            << "rounds until one write reaches all " << o.nodes << " nodes:  p50 " << ideal.p50 << "  p99 "
            << ideal.p99 << "  p99.9 " << ideal.p999 << "  max " << ideal.max << "\n"
            << "wall time " << fixed(seconds, 2) << " s\n";
  if (!o.json_path.empty()) {
    nlohmann::json j;
    j["config"] = {{"nodes", o.nodes}, {"loss_ppm", o.faults.loss_ppm}, {"trials", o.trials}, {"seed", o.seed}};
    j["ideal_rounds_to_full"] = to_json(ideal);
    j["wall_seconds"] = seconds;
    std::ofstream out(o.json_path);
    out << j.dump(2) << "\n";
    if (!out) {
      std::cerr << "gossipcheck: cannot write " << o.json_path << "\n";
      return kExitBadInput;
    }
  }
  return kExitOk;
}

}  // namespace

int run_sim(const SimOptions& o) {
  if (o.ideal_only) return run_ideal(o);
  faultnet::SimConfig base;
  base.nodes = o.nodes;
  base.patterns = o.patterns;
  base.writes = o.writes;
  base.rounds = o.rounds;
  base.node.cluster_seed = o.cluster_seed;
  base.node.walk_width = o.walk_width;
  base.epoch = o.epoch;
  base.faults = o.faults;
  const bool tty = isatty(2) != 0;
  if (!o.json_path.empty() && !std::ofstream(o.json_path)) {  // fail before the run, not after
    std::cerr << "gossipcheck: cannot write " << o.json_path << "\n";
    return kExitBadInput;
  }

  std::vector<std::uint32_t> rounds, healed;  // healed: rounds after healing, per converged trial
  faultnet::ExchangeBytes in_sync, quiet, diverged;
  std::map<std::string, std::uint64_t> fired, counters;
  std::uint64_t messages = 0, delivered = 0, bytes = 0, trace = 0, writes_missing = 0,
                lost_with_origin = 0, versions = 0, writes_failed = 0;
  std::uint32_t converged = 0, liveness_max = 0;
  std::vector<std::string> failures;
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t first = o.only_trial ? *o.only_trial : 0;
  const std::uint64_t last = o.only_trial ? *o.only_trial + 1 : o.trials;
  for (std::uint64_t t = first; t < last; ++t) {
    faultnet::SimConfig c = base;
    c.seed = faultnet::trial_seed(o.seed, t);
    if (o.swarm) {
      Rng rng = Rng(c.seed).fork("swarm");
      const std::uint32_t r = c.rounds ? c.rounds : 24;
      c.rounds = r;
      c.faults = faultnet::swarm_profile(c.nodes, Time{r} * c.node.gossip_interval,
                                         c.node.gossip_interval, rng);
    }
    std::function<void(std::uint32_t, std::uint32_t)> progress;
    if (tty && last - first == 1) {
      progress = [&](std::uint32_t r, std::uint32_t total) {
        std::fprintf(stderr, "\r  round %u (at most %u)   ", r, total);
      };
    }
    TrialResult r = faultnet::run_trial(c, progress);
    if (tty) {
      const std::uint64_t done = t - first + 1, all = last - first;
      const int width = 30, filled = static_cast<int>(width * done / all);
      std::fprintf(stderr, "\r  [%.*s%*s] %llu/%llu trials", filled,
                   "##############################", width - filled, "",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(all));
      if (done == all) std::fprintf(stderr, "\r%60s\r", "");
    }
    rounds.insert(rounds.end(), r.rounds_to_full.begin(), r.rounds_to_full.end());
    in_sync.merge(r.in_sync);
    quiet.merge(r.in_sync_quiescent);
    diverged.merge(r.diverged);
    for (const auto& [k, v] : r.faults_fired) fired[k] += v;
    for (const auto& [k, v] : r.node_counters) counters[k] += v;
    messages += r.messages_sent;
    delivered += r.messages_delivered;
    bytes += r.bytes_total;
    writes_missing += r.writes_missing;
    lost_with_origin += r.writes_lost_with_origin;
    versions += r.versions_tracked;
    writes_failed += r.writes_failed;
    trace = hash64(trace, ByteView(reinterpret_cast<const std::uint8_t*>(&r.trace_hash), 8));
    if (r.converged) {
      ++converged;
      healed.push_back(r.liveness_rounds);
    }
    liveness_max = std::max(liveness_max, r.liveness_rounds);
    if (!r.failure.empty() && failures.size() < 5) {
      failures.push_back("trial " + std::to_string(t) + ": " + r.failure +
                         (o.swarm ? " under " + c.faults.describe() : ""));
      failures.back() += "\n    reproduce: " + o.command_line + " --only-trial " + std::to_string(t);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::uint64_t trials = last - first;
  const bool ok = converged == trials && writes_missing == 0;

  // The ideal: the same N and loss, in the ideal push-pull model (docs/PERFORMANCE.md).
  const Percentiles measured = percentiles(rounds);
  Percentiles ideal;
  const bool compare_ideal = o.nodes >= 2 && !o.swarm;
  if (compare_ideal) {
    ideal = percentiles(faultnet::ideal_push_pull(
        o.nodes, o.faults.loss_ppm, static_cast<std::uint32_t>(std::max<std::uint64_t>(trials, 1000)),
        o.seed));
  }

  std::cout << "gossipcheck sim: " << o.nodes << " nodes, " << o.patterns << " patterns, "
            << o.writes << (o.writes == 1 ? " write" : " writes") << " per trial, " << trials
            << (trials == 1 ? " trial" : " trials") << ", seed " << o.seed << "\n";
  std::cout << "faults: " << (o.swarm ? std::string("swarm (drawn per trial)") : o.faults.describe())
            << "\n\n";
  std::cout << "rounds until a write reaches every replica (" << measured.count
            << " writes; an absorb counts as two):\n"
            << "  measured               p50 " << measured.p50 << "  p99 " << measured.p99
            << "  p99.9 " << measured.p999 << "  max " << measured.max << "\n";
  if (compare_ideal) {
    std::cout << "  ideal push-pull        p50 " << ideal.p50 << "  p99 " << ideal.p99 << "  p99.9 "
              << ideal.p999 << "  max " << ideal.max << "   (same N and loss, "
              << ideal.count << " trials of the model)\n";
  }
  std::cout << "\nbytes per exchange:\n"
            << "  in sync, no fresh write  mean " << fixed(quiet.mean(), 1) << "  max " << quiet.max
            << "  (" << with_commas(quiet.count) << " exchanges; I8 bound 32)\n"
            << "  in sync, pushing a write mean " << fixed(in_sync.mean(), 1) << "  max "
            << in_sync.max << "  (" << with_commas(in_sync.count) << " exchanges in sync in all)\n"
            << "  diverged                 mean " << fixed(diverged.mean(), 1) << "  max "
            << diverged.max << "  (" << with_commas(diverged.count) << " exchanges)\n";
  std::cout << "messages " << with_commas(messages) << " sent, " << with_commas(delivered)
            << " delivered; " << with_commas(bytes) << " bytes\n";
  std::string fired_list;
  for (const auto& [k, v] : fired) {
    if (v) fired_list += (fired_list.empty() ? "" : ", ") + k + " " + with_commas(v);
  }
  std::cout << "faults fired: " << (fired_list.empty() ? "none" : fired_list) << "\n";
  std::cout << "converged: " << (converged == trials ? "yes" : "NO") << ", " << converged << " of "
            << trials << " trials (at most " << liveness_max << " rounds after healing); "
            << "writes lost: " << writes_missing << "\n";
  // Only where something heals: a partition, a clog, a crash, or a swarm's faults.
  const bool heals = o.swarm || !o.faults.partitions.empty() || !o.faults.clogs.empty() || !o.faults.crashes.empty();
  const Percentiles healing = percentiles(healed);
  if (heals) {
    std::cout << "rounds after healing until every live node agreed: p50 " << healing.p50 << "  p99 "
              << healing.p99 << "  max " << healing.max;
  }
  if (heals && compare_ideal && !o.faults.partitions.empty()) {
    // After a partition each side's writes start at about half the nodes: the yardstick is the
    // ideal rumour from n/2 informed nodes (the property healing_bound allows its p99 + 1).
    const Percentiles from_half = percentiles(faultnet::ideal_push_pull(
        o.nodes, 0, static_cast<std::uint32_t>(std::max<std::uint64_t>(trials, 1000)), o.seed, o.nodes / 2));
    std::cout << "   (ideal push-pull from half the nodes: p50 " << from_half.p50 << "  p99 " << from_half.p99
              << "  max " << from_half.max << ")";
  }
  if (heals) std::cout << "\n";
  std::cout << "trace hash " << hex64(trace) << "\n";
  std::cout << "wall time " << fixed(seconds, 2) << " s, "
            << fixed(static_cast<double>(delivered) / seconds / 1e6, 2)
            << " M delivered messages/s\n";
  for (const std::string& f : failures) std::cout << "FAIL " << f << "\n";
  std::cout << (ok ? "OK" : "FAILED") << "\n";

  if (!o.json_path.empty()) {
    nlohmann::json j;
    j["config"] = {{"nodes", o.nodes},     {"patterns", o.patterns}, {"writes", o.writes},
                   {"rounds", o.rounds},   {"trials", trials},       {"seed", o.seed},
                   {"swarm", o.swarm},     {"faults", o.swarm ? "swarm" : o.faults.describe()},
                   {"walk_width", o.walk_width}};
    j["rounds_to_full"] = to_json(measured);
    if (compare_ideal) j["ideal_rounds_to_full"] = to_json(ideal);
    j["bytes_per_exchange"] = {{"in_sync", quiet.mean()},
                               {"in_sync_max", quiet.max},
                               {"in_sync_count", quiet.count},
                               {"in_sync_with_fresh_write", in_sync.mean()},
                               {"diverged", diverged.mean()},
                               {"diverged_max", diverged.max},
                               {"diverged_count", diverged.count}};
    j["bytes_total"] = bytes;
    j["messages"] = messages;
    j["messages_delivered"] = delivered;
    j["faults_fired"] = fired;
    j["node_counters"] = counters;
    j["converged"] = converged == trials;
    j["trials_converged"] = converged;
    j["rounds_after_healing"] = to_json(healing);
    j["writes_versions"] = versions;
    j["writes_failed"] = writes_failed;
    j["writes_lost"] = writes_missing;
    j["writes_lost_with_origin"] = lost_with_origin;
    j["trace_hash"] = hex64(trace);
    j["wall_seconds"] = seconds;
    j["delivered_per_second"] = static_cast<double>(delivered) / seconds;
    j["failures"] = failures;
    std::ofstream out(o.json_path);
    out << j.dump(2) << "\n";
    if (!out) {
      std::cerr << "gossipcheck: cannot write " << o.json_path << "\n";
      return kExitBadInput;
    }
  }
  return ok ? kExitOk : kExitCheckFailed;
}

}  // namespace gossip::cli
