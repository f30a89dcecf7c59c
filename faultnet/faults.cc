#include "faultnet/faults.h"

#include <algorithm>
#include <cmath>

namespace faultnet {

Time Latency::sample(gossip::Rng& rng) const {
  switch (kind) {
    case Kind::kConstant:
      return lo;
    case Kind::kUniform:
      return rng.between(lo, std::max(lo, hi));
    case Kind::kExponential: {
      // Inverse transform on a 53-bit uniform: deterministic on every IEEE-754 machine.
      const double u = static_cast<double>(rng.next() >> 11) / 9007199254740992.0;
      const double mean = static_cast<double>(hi > lo ? hi - lo : 1);
      return lo + static_cast<Time>(std::min(-std::log1p(-u) * mean, mean * 50.0));
    }
    case Kind::kLongTail:
      if (rng.chance(1, 100)) return rng.between(hi, hi * 20);
      return rng.between(lo, std::max(lo, hi));
  }
  return lo;
}

std::string Latency::describe() const {
  auto ms = [](Time t) { return std::to_string(static_cast<double>(t) / 1000.0).substr(0, 5) + " ms"; };
  switch (kind) {
    case Kind::kConstant: return "constant " + ms(lo);
    case Kind::kUniform: return "uniform " + ms(lo) + " to " + ms(hi);
    case Kind::kExponential: return "exponential, " + ms(lo) + " + mean " + ms(hi - lo);
    case Kind::kLongTail: return "long tail, " + ms(lo) + " to " + ms(hi) + ", 1% up to 20x";
  }
  return "";
}

bool Partition::blocks(NodeId from, NodeId to, Time t) const {
  if (!when.contains(t)) return false;
  const bool a_from = side[from], a_to = side[to];
  if (a_from == a_to) return false;
  if (kind == Kind::kOneWay) return a_from;  // A -> B blocked, B -> A open
  return true;
}

bool FaultProfile::any() const {
  return loss_ppm || dup_ppm || reorder_ppm || corrupt_ppm || !partitions.empty() ||
         !clogs.empty() || !crashes.empty();
}

const std::vector<std::string>& fault_class_names() {
  static const std::vector<std::string> names = {
      "loss",          "duplicate",        "reorder",         "corrupt",
      "partition",     "partition_one_way", "isolate",        "split_majority_minority",
      "clog",          "crash_stop",       "restart_durable", "restart_amnesia",
      "pause"};
  return names;
}

std::string FaultProfile::describe() const {
  std::string out = "latency " + latency.describe();
  auto pct = [](std::uint32_t ppm) { return std::to_string(ppm / 10000.0).substr(0, 5) + "%"; };
  if (loss_ppm) out += ", loss " + pct(loss_ppm);
  if (dup_ppm) out += ", duplicate " + pct(dup_ppm);
  if (reorder_ppm) out += ", reorder " + pct(reorder_ppm);
  if (corrupt_ppm) out += ", corrupt " + pct(corrupt_ppm);
  static const char* kPartition[] = {"partition", "one-way partition", "isolation",
                                     "majority/minority split"};
  for (const Partition& p : partitions) out += std::string(", ") + kPartition[int(p.kind)];
  if (!clogs.empty()) out += ", " + std::to_string(clogs.size()) + " clogged links";
  static const char* kCrash[] = {"crash-stop", "crash-restart", "crash-restart with amnesia",
                                 "pause"};
  for (const Crash& c : crashes) {
    out += std::string(", ") + kCrash[int(c.kind)] + " of node " + std::to_string(c.node);
  }
  return out;
}

Partition make_partition(Partition::Kind kind, std::uint32_t nodes, Window when,
                         gossip::Rng& rng) {
  Partition p;
  p.kind = kind;
  p.when = when;
  p.side.assign(nodes, false);
  std::vector<NodeId> order(nodes);
  for (NodeId i = 0; i < nodes; ++i) order[i] = i;
  for (std::size_t i = nodes; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::size_t a = nodes / 2;
  if (kind == Partition::Kind::kIsolate) a = 1;
  if (kind == Partition::Kind::kMajorityMinority) a = std::max<std::size_t>(1, (nodes - 1) / 2);
  for (std::size_t i = 0; i < a && i < nodes; ++i) p.side[order[i]] = true;
  return p;
}

FaultProfile swarm_profile(std::uint32_t nodes, Time phase, Time interval, gossip::Rng& rng) {
  FaultProfile f;
  auto coin = [&] { return rng.chance(1, 2); };
  auto window = [&] {
    const Time start = rng.below(phase / 2 + 1);
    return Window{start, start + interval * rng.between(2, 8)};
  };
  f.latency.kind = static_cast<Latency::Kind>(rng.below(4));
  f.latency.lo = rng.between(500, 5'000);
  f.latency.hi = f.latency.lo + rng.between(1'000, 50'000);
  if (coin()) f.loss_ppm = static_cast<std::uint32_t>(rng.between(10'000, 300'000));
  if (coin()) f.dup_ppm = static_cast<std::uint32_t>(rng.between(10'000, 200'000));
  if (coin()) f.reorder_ppm = static_cast<std::uint32_t>(rng.between(10'000, 300'000));
  if (coin()) f.corrupt_ppm = static_cast<std::uint32_t>(rng.between(1'000, 50'000));
  if (nodes >= 2) {
    for (int k = 0; k < 4; ++k) {
      if (coin()) {
        f.partitions.push_back(
            make_partition(static_cast<Partition::Kind>(k), nodes, window(), rng));
      }
    }
    if (coin()) {
      Clog c;
      c.a = static_cast<NodeId>(rng.below(nodes));
      c.b = static_cast<NodeId>((c.a + 1 + rng.below(nodes - 1)) % nodes);
      c.when = window();
      f.clogs.push_back(c);
    }
    for (int k = 0; k < 4; ++k) {
      if (coin()) {
        Crash c;
        c.kind = static_cast<Crash::Kind>(k);
        c.node = static_cast<NodeId>(rng.below(nodes));
        c.when = window();
        f.crashes.push_back(c);
      }
    }
  }
  return f;
}

}  // namespace faultnet
