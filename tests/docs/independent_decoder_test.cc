// The documents suffice: examples/python/gossip_wire.py, a decoder and root computation
// written in Python from docs/WIRE_FORMAT.md alone, must agree with the reference on the
// document's vectors and on thousands of generated frames, valid and broken: the same value,
// or the same error class, for every one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "reference/bytes.h"
#include "reference/codec.h"
#include "reference/limits.h"
#include "reference/node.h"
#include "reference/rng.h"
#include "reference/sync_message.h"
#include "reference/workload.h"
#include "tests/docs/wire_json.h"

namespace gossip::docs {
namespace {

constexpr std::uint64_t kSeed = 0x5eed;
const std::string kScript = std::string(GOSSIP_SOURCE_DIR) + "/examples/python/gossip_wire.py";

// Runs a shell command; its exit code.
int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string python() { return GOSSIP_PYTHON3; }

// The interpreter must have the xxhash module (Debian: python3-xxhash); say so plainly.
void require_python() {
  ASSERT_EQ(run(python() + " -c 'import xxhash' 2>/dev/null"), 0)
      << python() << " cannot import xxhash: install Debian's python3-xxhash "
      << "(bash cmake/quickstart.sh test does)";
}

Bytes reseal(Bytes frame) {
  if (frame.size() < 4) return frame;
  frame.erase(frame.end() - 4, frame.end());
  const std::uint32_t c = checksum32(frame);
  for (int i = 0; i < 4; ++i) frame.push_back(static_cast<std::uint8_t>(c >> (8 * i)));
  return frame;
}

// Valid frames of every kind: states, registers and versions from random workloads, digests,
// and every message of exchanges between nodes whose states diverged.
std::vector<Bytes> valid_frames(Rng& rng) {
  std::vector<Bytes> out;
  for (int w = 0; w < 16; ++w) {
    WorkloadOptions options;
    options.replicas = 2 + static_cast<std::uint32_t>(rng.below(3));
    options.writes = 20 + static_cast<std::uint32_t>(rng.below(200));
    options.sync_percent = 5 + static_cast<std::uint32_t>(rng.below(30));
    Rng wrng = rng.fork("workload" + std::to_string(w));
    Workload work = run_workload(kSeed, options, wrng);
    for (const State& s : work.replicas) {
      out.push_back(encode_state_frame(s));
      out.push_back(encode_digest_frame(s.root()));
      std::size_t k = 0;
      s.for_each([&](const PatternId& id, const Register& reg) {
        if (k++ % 4 != 0) return;
        out.push_back(encode_register_frame(id, reg));
        out.push_back(encode_version_frame(id, reg.siblings().back()));
      });
    }
    // One exchange between the first two replicas, every message of it.
    auto members = std::make_shared<const std::vector<NodeId>>(std::vector<NodeId>{1, 2});
    NodeConfig config;
    config.cluster_seed = kSeed;
    config.walk_width = static_cast<std::uint8_t>(1 + rng.below(8));
    if (rng.below(3) == 0) config.message_bytes_max = 300 + rng.below(3000);
    Node a(1, ReplicaId::of(1, 7), members, config, rng.next(), work.replicas[0]);
    Node b(2, ReplicaId::of(2, 7), members, config, rng.next(), work.replicas[1]);
    for (int round = 0; round < 4; ++round) {
      Node& from = round % 2 == 0 ? a : b;
      from.tick(from.next_wakeup());
      std::vector<Outgoing> flight = from.take_outbox();
      for (int hops = 0; !flight.empty() && hops < 40; ++hops) {
        Outgoing m = std::move(flight.front());
        flight.erase(flight.begin());
        out.push_back(m.bytes);
        Node& to = m.to == 1 ? a : b;
        to.receive(m.to == 1 ? 2 : 1, m.bytes);
        for (Outgoing& o : to.take_outbox()) flight.push_back(std::move(o));
      }
    }
  }
  return out;
}

// One random edit of a valid frame, usually with its checksum made right again so that the
// decoder's later checks are reached.
Bytes mutate(const Bytes& frame, Rng& rng) {
  Bytes f = frame;
  const std::size_t payload = f.size() - 7;
  auto at = [&] { return 3 + static_cast<std::size_t>(rng.below(std::max<std::size_t>(payload, 1))); };
  static const std::uint8_t kSpecial[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xff, 0x10, 0x20};
  switch (rng.below(10)) {
    case 0:  // a bit flipped, checksum left wrong (or a header byte hit)
      f[static_cast<std::size_t>(rng.below(f.size()))] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      return f;
    case 1:
      if (payload > 0) f[at()] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      return reseal(f);
    case 2:
      if (payload > 0) f[at()] = kSpecial[rng.below(sizeof kSpecial)];
      return reseal(f);
    case 3: {  // the payload cut short
      const std::size_t keep = payload == 0 ? 0 : static_cast<std::size_t>(rng.below(payload));
      f.erase(f.begin() + 3 + static_cast<std::ptrdiff_t>(keep), f.end() - 4);
      return reseal(f);
    }
    case 4:  // a byte inserted
      f.insert(f.begin() + static_cast<std::ptrdiff_t>(payload > 0 ? at() : 3), kSpecial[rng.below(sizeof kSpecial)]);
      return reseal(f);
    case 5:  // a byte removed
      if (payload > 0) f.erase(f.begin() + static_cast<std::ptrdiff_t>(at()));
      return reseal(f);
    case 6:  // another kind's decoder reads the payload
      f[2] = static_cast<std::uint8_t>(1 + rng.below(8));
      return reseal(f);
    case 7:  // a header byte
      f[static_cast<std::size_t>(rng.below(3))] = static_cast<std::uint8_t>(rng.below(256));
      return reseal(f);
    case 8: {  // a stretch of the payload repeated
      if (payload < 2) return reseal(f);
      const std::size_t from = at();
      const std::size_t len = 1 + static_cast<std::size_t>(rng.below(std::min<std::size_t>(24, f.size() - 4 - from)));
      Bytes slice(f.begin() + static_cast<std::ptrdiff_t>(from), f.begin() + static_cast<std::ptrdiff_t>(from + len));
      f.insert(f.begin() + static_cast<std::ptrdiff_t>(from), slice.begin(), slice.end());
      return reseal(f);
    }
    default:  // a few bytes of the payload at once
      for (int k = 0; k < 3 && payload > 0; ++k) f[at()] = static_cast<std::uint8_t>(rng.below(256));
      return reseal(f);
  }
}

// Register frames with a sibling repeated under another content: the one refusal random edits
// rarely reach.
std::vector<Bytes> conflicting(const std::vector<Bytes>& valid) {
  std::vector<Bytes> out;
  for (const Bytes& f : valid) {
    auto r = decode_register_frame(f);
    if (!r.is_ok() || out.size() >= 20) continue;
    const std::vector<Version>& siblings = r.value().reg.siblings();
    if (siblings.size() >= limits::kSiblingsMax) continue;
    Writer w;
    encode_pattern_id(w, r.value().id);
    w.varint(siblings.size() + 1);
    for (std::size_t i = 0; i < siblings.size(); ++i) {
      encode_version(w, siblings[i]);
      if (i == 0) {
        Version twin = siblings[0];
        twin.content.strength ^= 1;
        encode_version(w, twin);
      }
    }
    out.push_back(seal_frame(FrameKind::kRegister, w.bytes()));
  }
  return out;
}

// Decodes every frame with the Python program; its answers, one JSON value per frame.
std::vector<nlohmann::json> python_decode(const std::vector<Bytes>& frames) {
  const std::string dir = ::testing::TempDir();
  const std::string in = dir + "/independent_decoder_in.txt";
  const std::string out = dir + "/independent_decoder_out.txt";
  {
    std::ofstream f(in);
    for (const Bytes& b : frames) f << to_hex(b) << "\n";
  }
  const int rc = run(python() + " " + kScript + " decode --seed 0x5eed < " + in + " > " + out);
  EXPECT_EQ(rc, 0) << "gossip_wire.py decode failed (exit " << rc << ")";
  std::vector<nlohmann::json> answers;
  std::ifstream f(out);
  std::string line;
  while (std::getline(f, line)) {
    answers.push_back(nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false));
  }
  return answers;
}

TEST(IndependentDecoder, AgreesOnEveryVectorOfTheDocument) {
  require_python();
  EXPECT_EQ(run(python() + " " + kScript + " vectors " + GOSSIP_SOURCE_DIR + "/docs/WIRE_FORMAT.md > " +
                ::testing::TempDir() + "/vectors_out.txt 2>&1"),
            0)
      << "the docs-only decoder disagrees with docs/WIRE_FORMAT.md's vectors: run "
      << python() << " examples/python/gossip_wire.py vectors docs/WIRE_FORMAT.md";
}

TEST(IndependentDecoder, AgreesWithTheReferenceOnGeneratedFrames) {
  require_python();
  Rng rng(20261201);
  std::vector<Bytes> frames = valid_frames(rng);
  const std::vector<Bytes> extra = conflicting(frames);
  const std::size_t valid = frames.size();
  for (std::size_t i = 0; i < valid; ++i) {
    for (int k = 0; k < 4; ++k) frames.push_back(mutate(frames[i], rng));
  }
  frames.insert(frames.end(), extra.begin(), extra.end());
  ASSERT_GE(frames.size(), 3000u);

  const std::vector<nlohmann::json> answers = python_decode(frames);
  ASSERT_EQ(answers.size(), frames.size()) << "gossip_wire.py answered a different number of lines";
  std::map<std::string, std::size_t> outcomes;
  std::map<int, std::size_t> refused_by_kind;  // by the frame's kind byte, when it is a sync kind
  std::size_t disagreements = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const nlohmann::json want = frame_json(frames[i], kSeed);
    ++outcomes[want.contains("error") ? want["error"].get<std::string>() : "ok " + want["kind"].get<std::string>()];
    if (want.contains("error") && frames[i].size() >= 7 && frames[i][2] >= 5 && frames[i][2] <= 7) {
      ++refused_by_kind[frames[i][2]];
    }
    if (answers[i] == want) continue;
    if (++disagreements <= 10) {
      ADD_FAILURE() << "frame " << i << ": " << to_hex(frames[i]) << "\n  reference: " << want.dump()
                    << "\n  python:    " << answers[i].dump();
    }
  }
  std::ostringstream summary;
  for (const auto& [outcome, n] : outcomes) summary << "  " << outcome << ": " << n << "\n";
  std::cout << frames.size() << " frames (" << valid << " valid before mutation), " << disagreements
            << " disagreements; the reference's outcomes:\n" << summary.str();
  EXPECT_EQ(disagreements, 0u);
  // The frames reach every kind and every error class, or agreeing would prove little.
  for (const char* outcome : {"ok version", "ok register", "ok state", "ok digest", "ok hello", "ok reply", "ok walk",
                              "truncated", "unknown tag", "over limit", "non-canonical", "checksum mismatch",
                              "conflicting write", "invalid"}) {
    EXPECT_GT(outcomes[outcome], 0u) << "no generated frame gave " << outcome;
  }
  for (int kind : {5, 6, 7}) {
    std::cout << "  refused frames of kind " << kind << ": " << refused_by_kind[kind] << "\n";
    EXPECT_GE(refused_by_kind[kind], 30u) << "too few broken sync messages of kind " << kind;
  }
}

}  // namespace
}  // namespace gossip::docs
