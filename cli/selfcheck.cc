// selfcheck: the reference checked against itself, in a form a person can read.
//
// Replicas run a random consolidation history with partial syncs; their states are then
// merged in two different orders (one of them through the wire codec) and rebuilt from
// scratch, and the three roots must agree (I4, I5, I6, I11); every write must survive (I2).
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "reference/codec.h"
#include "reference/resolve.h"
#include "reference/workload.h"

namespace gossip::cli {
namespace {

std::string short_hex(const Digest& d) { return d.hex().substr(0, 16); }

bool report(const char* what, bool ok) {
  std::printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
  return ok;
}

}  // namespace

int run_selfcheck(const SelfcheckOptions& o) {
  std::printf("gossipcheck selfcheck --seed %llu --replicas %u --writes %u\n",
              static_cast<unsigned long long>(o.seed), o.replicas, o.writes);
  Rng rng(o.seed);
  Rng history_rng = rng.fork("history");
  const Workload w = run_workload(o.cluster_seed, {o.replicas, o.writes, 10}, history_rng);
  std::printf("history: %llu creates, %llu refines, %llu absorbs, %llu partial syncs\n",
              static_cast<unsigned long long>(w.creates),
              static_cast<unsigned long long>(w.refines),
              static_cast<unsigned long long>(w.absorbs), static_cast<unsigned long long>(w.syncs));
  for (std::size_t i = 0; i < w.replicas.size(); ++i) {
    std::printf("  replica %zu: %6llu patterns  root %s\n", i,
                static_cast<unsigned long long>(w.replicas[i].size()),
                short_hex(w.replicas[i].root()).c_str());
  }

  // Order A: replica 0 joins 1, 2, ... directly.
  State forward = w.replicas.front();
  for (std::size_t i = 1; i < w.replicas.size(); ++i) forward.join(w.replicas[i]);
  // Order B: the last replica joins the others in reverse, each received through the codec.
  State backward = w.replicas.back();
  std::size_t wire_bytes = 0;
  bool decoded_all = true;
  for (std::size_t i = w.replicas.size(); i-- > 0;) {
    const Bytes frame = encode_state_frame(w.replicas[i]);
    wire_bytes += frame.size();
    Result<State> received = decode_state_frame(frame, o.cluster_seed);
    decoded_all = decoded_all && received.is_ok();
    if (received.is_ok()) backward.join(received.value());
  }
  // From scratch: the same registers, a new tree built bottom-up.
  std::vector<std::pair<PatternId, Register>> registers;
  forward.for_each(
      [&](const PatternId& id, const Register& reg) { registers.emplace_back(id, reg); });
  const State scratch = State::from_registers(o.cluster_seed, std::move(registers));

  std::printf("merged:\n");
  const std::string forward_label =
      "order 0.." + std::to_string(w.replicas.size() - 1) + ", in memory";
  const std::string backward_label = "order " + std::to_string(w.replicas.size() - 1) +
                                     "..0, via codec (" + std::to_string(wire_bytes) + " B)";
  std::printf("  %-36s root %s\n", forward_label.c_str(), short_hex(forward.root()).c_str());
  std::printf("  %-36s root %s\n", backward_label.c_str(), short_hex(backward.root()).c_str());
  std::printf("  %-36s root %s\n", "rebuilt from scratch", short_hex(scratch.root()).c_str());

  const ResolvedView view = resolve(forward);
  std::size_t live = 0;
  std::size_t with_siblings = 0;
  for (const auto& [id, p] : view) live += p.live ? 1u : 0u;
  forward.for_each([&](const PatternId&, const Register& reg) {
    with_siblings += reg.siblings().size() > 1 ? 1u : 0u;
  });
  std::printf(
      "resolved view: %zu patterns (%zu live, %zu absorbed), %zu with concurrent "
      "siblings, %zu edges\n",
      view.size(), live, view.size() - live, with_siblings, edges(view).size());

  std::printf("checks:\n");
  bool ok = true;
  ok &= report("every state decoded from its own encoding", decoded_all);
  ok &= report("both merge orders reach the same state (I4, I5)", forward == backward);
  ok &= report("both merge orders give the same root (I5)", forward.root() == backward.root());
  ok &= report("incremental root equals the from-scratch root (I6)",
               forward.root() == scratch.root());
  ok &= report("Merkle tree verifies against its registers (I6, I7)", forward.tree().verify());
  ok &= report("no written version lost (I2)", holds_every_write(forward, w.written));
  std::printf("%s\n", ok ? "OK: all checks hold" : "FAILED: see above");
  if (!ok) {
    std::printf("reproduce: gossipcheck selfcheck --seed %llu --replicas %u --writes %u\n",
                static_cast<unsigned long long>(o.seed), o.replicas, o.writes);
  }
  return ok ? kExitOk : kExitCheckFailed;
}

}  // namespace gossip::cli
