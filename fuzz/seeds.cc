// gossip-fuzz-seeds OUTDIR: writes the seed corpus of every fuzz target under
// OUTDIR/<target>/, one file per input named by its XXH3-64 (deterministic: the same files
// every run). The committed corpus under fuzz/corpus/ started from these and grew by
// fuzzing (fuzz/run.sh merges what the fuzzer finds); run this after a change to the wire
// format and merge the output in (fuzz/README.md).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz/harness.h"
#include "reference/digest.h"

namespace {

using namespace gossip;
using namespace gossip::fuzz;

std::size_t written = 0;

void put(const std::filesystem::path& dir, const Bytes& bytes) {
  std::filesystem::create_directories(dir);
  char name[17];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(hash64(0, bytes)));
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ++written;
}

// The first n patterns of a state, as a state.
State prefix(const State& s, std::size_t n) {
  std::vector<std::pair<PatternId, Register>> regs = registers_of(s);
  if (regs.size() > n) regs.erase(regs.begin() + static_cast<std::ptrdiff_t>(n), regs.end());
  return State::from_registers(s.cluster_seed(), std::move(regs));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gossip-fuzz-seeds OUTDIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const std::vector<State>& states = base_states();

  // Frames of every kind: decode and roundtrip.
  std::vector<Bytes> frames;
  for (const State& s : states) {
    frames.push_back(encode_state_frame(s));
    frames.push_back(encode_state_frame(prefix(s, 3)));
    frames.push_back(encode_digest_frame(s.root()));
    int n = 0;
    s.for_each([&](const PatternId& id, const Register& reg) {
      if (n++ % 7 != 0) return;
      frames.push_back(encode_register_frame(id, reg));
      frames.push_back(encode_version_frame(id, reg.siblings().front()));
    });
  }
  frames.push_back(encode_state_frame(State(kClusterSeed)));
  for (const Bytes& m : base_messages()) frames.push_back(m);
  for (const Bytes& f : frames) {
    put(out / "decode", f);
    put(out / "roundtrip", f);
  }

  // Pairs of states: merge and differential.
  std::vector<State> sides;
  for (const State& s : states) {
    sides.push_back(s);
    sides.push_back(prefix(s, 4));
  }
  sides.push_back(State(kClusterSeed));
  for (std::size_t i = 0; i < sides.size(); ++i) {
    for (std::size_t j = 0; j < sides.size(); ++j) {
      if (i == j && i % 2 == 0) continue;
      const Bytes pair = join_pair(encode_state_frame(sides[i]), encode_state_frame(sides[j]));
      put(out / "merge", pair);
      put(out / "differential", pair);
    }
  }

  // Scripts for the hostile peer: random ones of a few lengths, and a patterned one per
  // step kind (tick, then that kind again and again).
  Rng rng(7);
  for (int i = 0; i < 24; ++i) {
    Bytes script(16 + rng.below(400));
    for (auto& b : script) b = static_cast<std::uint8_t>(rng.next());
    put(out / "hostile_peer", script);
  }
  for (std::uint8_t kind = 1; kind < 9; ++kind) {
    Bytes script;
    for (int step = 0; step < 12; ++step) {
      script.push_back(0);   // tick
      script.push_back(16);  // one interval
      script.push_back(kind);
      for (int k = 0; k < 24; ++k) script.push_back(static_cast<std::uint8_t>(rng.next()));
    }
    put(out / "hostile_peer", script);
  }
  std::printf("gossip-fuzz-seeds: %zu files under %s\n", written, out.c_str());
  return 0;
}
