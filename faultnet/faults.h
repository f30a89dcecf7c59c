// faultnet's fault profile: what the network and the nodes suffer during the safety phase.
// Probabilities are in parts per million so that nothing that decides a fault is floating
// point; a profile is given explicitly (the CLI's flags) or drawn from the seed (swarm).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reference/node.h"
#include "reference/rng.h"

namespace faultnet {

using gossip::NodeId;
using gossip::Time;

inline constexpr std::uint32_t kMillion = 1'000'000;

struct Latency {
  enum class Kind { kConstant, kUniform, kExponential, kLongTail };
  Kind kind = Kind::kUniform;
  Time lo = 1'000;   // constant: the value; uniform: min; exponential / long tail: min
  Time hi = 20'000;  // uniform: max; exponential: mean above lo; long tail: typical max
  // Long tail: 1% of messages take up to 20 times `hi`.
  Time sample(gossip::Rng& rng) const;
  std::string describe() const;
};

struct Window {
  Time start = 0;
  Time end = 0;  // exclusive
  bool contains(Time t) const { return t >= start && t < end; }
};

struct Partition {
  enum class Kind { kSymmetric, kOneWay, kIsolate, kMajorityMinority };
  Kind kind = Kind::kSymmetric;
  Window when;
  std::vector<bool> side;  // side[n]: node n is in group A; one-way blocks A -> B only
  bool blocks(NodeId from, NodeId to, Time t) const;
};

struct Clog {
  NodeId a = 0, b = 0;  // both directions of the link a <-> b
  Window when;          // messages sent in the window wait until its end
};

struct Crash {
  enum class Kind { kStop, kRestartDurable, kRestartAmnesia, kPause };
  Kind kind = Kind::kStop;
  NodeId node = 0;
  Window when;  // down (or paused) from start until end; kStop: never comes back
};

struct FaultProfile {
  Latency latency;
  std::uint32_t loss_ppm = 0;
  std::uint32_t dup_ppm = 0;
  std::uint32_t reorder_ppm = 0;  // an extra delay of up to half an interval
  std::uint32_t corrupt_ppm = 0;  // 1 to 3 bit flips
  std::vector<Partition> partitions;
  std::vector<Clog> clogs;
  std::vector<Crash> crashes;

  bool any() const;
  std::string describe() const;
};

// The fault classes, by the names the counters and the JSON use.
const std::vector<std::string>& fault_class_names();

// Builders used by the CLI and by swarm; each draws what it needs from `rng`.
Partition make_partition(Partition::Kind kind, std::uint32_t nodes, Window when, gossip::Rng& rng);
// A random profile: each fault class on with probability 1/2, with random parameters, over a
// safety phase of `phase` (virtual time) on `nodes` nodes.
FaultProfile swarm_profile(std::uint32_t nodes, Time phase, Time interval, gossip::Rng& rng);

}  // namespace faultnet
