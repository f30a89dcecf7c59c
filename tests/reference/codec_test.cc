#include "reference/codec.h"
#include "reference/resolve.h"
#include "reference/sync_message.h"

#include <gtest/gtest.h>

#include "reference/limits.h"
#include "reference/workload.h"
#include "tests/reference/test_util.h"

namespace gossip {
namespace {

using testing::clock;
using testing::content;
using testing::pid;
using testing::version;

Status::Code decode_code(const Bytes& frame) {
  Result<Frame> f = open_frame(frame);
  if (!f.is_ok()) return f.status().code();
  switch (f.value().kind) {
    case FrameKind::kVersion:
      return decode_version_frame(frame).status().code();
    case FrameKind::kRegister:
      return decode_register_frame(frame).status().code();
    case FrameKind::kState:
      return decode_state_frame(frame, testing::kSeed).status().code();
    case FrameKind::kDigest:
      return decode_digest_frame(frame).status().code();
    case FrameKind::kView:
      return decode_view_frame(frame).status().code();
    case FrameKind::kHello:
    case FrameKind::kReply:
    case FrameKind::kWalk:
      return decode_sync_message(frame).status().code();
  }
  return Status::Code::kOk;
}

// Re-encodes whatever the bytes decode to (REQUIRES: they decode).
Bytes reencode(const Bytes& frame) {
  switch (open_frame(frame).value().kind) {
    case FrameKind::kVersion: {
      auto v = decode_version_frame(frame).value();
      return encode_version_frame(v.id, v.version);
    }
    case FrameKind::kRegister: {
      auto r = decode_register_frame(frame).value();
      return encode_register_frame(r.id, r.reg);
    }
    case FrameKind::kState:
      return encode_state_frame(decode_state_frame(frame, testing::kSeed).value());
    case FrameKind::kDigest:
      return encode_digest_frame(decode_digest_frame(frame).value());
    case FrameKind::kView: {
      auto v = decode_view_frame(frame).value();
      return encode_view_frame(v.view, v.edges);
    }
    case FrameKind::kHello:
    case FrameKind::kReply:
    case FrameKind::kWalk:
      return encode_sync_message(decode_sync_message(frame).value());
  }
  return {};
}

Bytes payload_frame(FrameKind kind, std::initializer_list<std::uint8_t> payload) {
  const Bytes p(payload);
  return seal_frame(kind, p);
}

// A version payload built by hand: id, then the given clock and content bytes.
Bytes version_frame(std::initializer_list<std::uint8_t> body) {
  Writer w;
  encode_pattern_id(w, pid(1));
  w.raw(Bytes(body));
  return seal_frame(FrameKind::kVersion, w.bytes());
}

std::vector<Bytes> sample_frames() {
  Rng rng(77);
  const Workload w = run_workload(testing::kSeed, {3, 300, 10}, rng);
  State merged = w.replicas[0];
  merged.join(w.replicas[1]);
  merged.join(w.replicas[2]);
  std::vector<Bytes> frames;
  frames.push_back(encode_state_frame(merged));
  frames.push_back(encode_state_frame(State(testing::kSeed)));
  frames.push_back(encode_digest_frame(merged.root()));
  const ResolvedView view = resolve(merged);
  frames.push_back(encode_view_frame(view, edges(view)));
  frames.push_back(encode_view_frame({}, {}));
  merged.for_each([&](const PatternId& id, const Register& reg) {
    if (frames.size() < 60) {
      frames.push_back(encode_register_frame(id, reg));
      frames.push_back(encode_version_frame(id, reg.siblings()[0]));
    }
  });
  return frames;
}

TEST(Codec, EveryKindRoundTripsCanonically) {
  for (const Bytes& frame : sample_frames()) {
    ASSERT_EQ(decode_code(frame), Status::Code::kOk);
    EXPECT_EQ(reencode(frame), frame);
  }
}

TEST(Codec, StateRoundTripKeepsTheRoot) {
  Rng rng(5);
  const Workload w = run_workload(testing::kSeed, {2, 500, 10}, rng);
  const Result<State> back = decode_state_frame(encode_state_frame(w.replicas[0]), testing::kSeed);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back.value().root(), w.replicas[0].root());
  EXPECT_EQ(back.value(), w.replicas[0]);
}

TEST(Codec, AnInSyncDigestFrameFitsIn32Bytes) {
  EXPECT_LE(encode_digest_frame(Digest{}).size(), 32u);
}

TEST(Codec, EveryTruncationOfEveryPayloadIsTruncated) {
  for (const Bytes& frame : sample_frames()) {
    const FrameKind kind = open_frame(frame).value().kind;
    const Bytes payload(frame.begin() + 3, frame.end() - 4);
    for (std::size_t n = 0; n < payload.size(); ++n) {
      const Bytes cut = seal_frame(kind, ByteView(payload).first(n));
      ASSERT_EQ(decode_code(cut), Status::Code::kTruncated) << "prefix " << n;
    }
  }
}

TEST(Codec, EveryTruncationOfAFrameIsRejected) {
  const Bytes frame = sample_frames()[3];
  for (std::size_t n = 0; n < frame.size(); ++n) {
    EXPECT_NE(decode_code(Bytes(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n))),
              Status::Code::kOk);
  }
}

TEST(Codec, EverySingleBitFlipIsRejected) {
  for (const Bytes& frame : {sample_frames()[2], sample_frames()[3]}) {
    for (std::size_t bit = 0; bit < frame.size() * 8; ++bit) {
      Bytes flipped = frame;
      flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      EXPECT_NE(decode_code(flipped), Status::Code::kOk) << "bit " << bit;
    }
  }
}

TEST(Codec, FrameHeaderErrors) {
  Bytes frame = encode_digest_frame(Digest{});
  Bytes bad_magic = frame;
  bad_magic[0] = 'x';
  EXPECT_EQ(decode_code(bad_magic), Status::Code::kUnknownTag);
  Bytes bad_version = frame;
  bad_version[1] = 2;
  EXPECT_EQ(decode_code(bad_version), Status::Code::kUnknownTag);
  EXPECT_EQ(decode_code(payload_frame(static_cast<FrameKind>(9), {})), Status::Code::kUnknownTag);
  Bytes bad_sum = frame;
  bad_sum.back() ^= 1;
  EXPECT_EQ(decode_code(bad_sum), Status::Code::kChecksumMismatch);
  EXPECT_EQ(decode_code({}), Status::Code::kTruncated);
  // The wrong decoder for a kind says so.
  EXPECT_EQ(decode_register_frame(frame).status().code(), Status::Code::kUnknownTag);
}

TEST(Codec, TrailingBytesAreNonCanonical) {
  Bytes payload(16, 0);
  payload.push_back(0);
  EXPECT_EQ(decode_code(seal_frame(FrameKind::kDigest, payload)), Status::Code::kNonCanonical);
}

TEST(Codec, VarintMustBeShortest) {
  // clock count 1 written as 0x81 0x00 (overlong), replica 1, counter 1; empty content.
  EXPECT_EQ(decode_code(version_frame({0x81, 0x00, 1, 1, 0, 0, 0, 0})),
            Status::Code::kNonCanonical);
  EXPECT_EQ(decode_code(version_frame({1, 1, 1, 0, 0, 0, 0})), Status::Code::kOk);
  // Counter as 11 continuation bytes: longer than any u64.
  EXPECT_EQ(decode_code(version_frame({1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                       0xFF, 0x01, 0, 0, 0, 0})),
            Status::Code::kOverLimit);
  // A 10-byte varint above 2^64-1.
  EXPECT_EQ(decode_code(version_frame(
                {1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, 0})),
            Status::Code::kOverLimit);
}

TEST(Codec, NonCanonicalValuesAreRejected) {
  // clock: two entries with replica delta 0 (a repeat).
  EXPECT_EQ(decode_code(version_frame({2, 1, 1, 0, 1, 0, 0, 0, 0})), Status::Code::kNonCanonical);
  // clock: counter 0.
  EXPECT_EQ(decode_code(version_frame({1, 1, 0, 0, 0, 0, 0})), Status::Code::kNonCanonical);
  // episodes: 2 episodes, the second a delta of 0.
  EXPECT_EQ(decode_code(version_frame({1, 1, 1, 0, 2, 5, 0, 0, 0})), Status::Code::kNonCanonical);
  // absorbed_into flag 2.
  EXPECT_EQ(decode_code(version_frame({1, 1, 1, 0, 0, 0, 2})), Status::Code::kUnknownTag);
  // empty clock.
  EXPECT_EQ(decode_code(version_frame({0, 0, 0, 0, 0})), Status::Code::kInvalid);
  // strength above 2^32-1 (2^32 = 0x80 0x80 0x80 0x80 0x10).
  EXPECT_EQ(decode_code(version_frame({1, 1, 1, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 0})),
            Status::Code::kOverLimit);
  // summary not UTF-8.
  EXPECT_EQ(decode_code(version_frame({1, 1, 1, 1, 0xFF, 0, 0, 0})), Status::Code::kInvalid);
}

Bytes register_frame(const std::vector<Version>& siblings) {
  Writer w;
  encode_pattern_id(w, pid(1));
  w.varint(siblings.size());
  for (const Version& v : siblings) encode_version(w, v);
  return seal_frame(FrameKind::kRegister, w.bytes());
}

TEST(Codec, RegisterSiblingErrors) {
  const Version a = version(clock({{1, 1}}), content("a"));
  const Version b = version(clock({{2, 1}}), content("b"));
  EXPECT_EQ(decode_code(register_frame({a, b})), Status::Code::kOk);
  EXPECT_EQ(decode_code(register_frame({b, a})), Status::Code::kNonCanonical);
  EXPECT_EQ(decode_code(register_frame({a, a})), Status::Code::kNonCanonical);
  const Version forged = version(clock({{1, 1}}), content("forged"));
  EXPECT_EQ(decode_code(register_frame({a, forged})), Status::Code::kConflictingWrite);
  const Version dominating = version(clock({{1, 2}}), content("newer"));
  EXPECT_EQ(decode_code(register_frame({a, dominating})), Status::Code::kInvalid);
  EXPECT_EQ(decode_code(register_frame({})), Status::Code::kInvalid);
}

TEST(Codec, StateIdsMustAscend) {
  const Register reg(version(clock({{1, 1}}), content("x")));
  Writer w;
  w.varint(2);
  encode_pattern_id(w, pid(2));
  encode_register(w, reg);
  encode_pattern_id(w, pid(1));
  encode_register(w, reg);
  EXPECT_EQ(decode_code(seal_frame(FrameKind::kState, w.bytes())), Status::Code::kNonCanonical);
}

TEST(Codec, HugeClaimedCountsFailBeforeAllocating) {
  // A state claiming 2^40 patterns in a few bytes: over the limit.
  EXPECT_EQ(decode_code(payload_frame(FrameKind::kState, {0x80, 0x80, 0x80, 0x80, 0x80, 0x20})),
            Status::Code::kOverLimit);
  // Within the limit but far more than the input can hold: truncated, no reservation.
  EXPECT_EQ(decode_code(payload_frame(FrameKind::kState, {0x80, 0x80, 0x80, 0x04})),
            Status::Code::kTruncated);
  // Sibling count over the limit.
  Writer w;
  encode_pattern_id(w, pid(1));
  w.varint(limits::kSiblingsMax + 1);
  EXPECT_EQ(decode_code(seal_frame(FrameKind::kRegister, w.bytes())), Status::Code::kOverLimit);
}

// Random and mutated inputs: decode is total, and what it accepts re-encodes to itself.
TEST(Codec, RandomAndMutatedInputsAreTotalAndCanonical) {
  Rng rng(99);
  const std::vector<Bytes> seeds = sample_frames();
  std::size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes input;
    if (i % 4 == 0) {
      input.resize(rng.below(64));
      for (auto& b : input) b = static_cast<std::uint8_t>(rng.next());
    } else {
      const Bytes& seed = seeds[rng.below(seeds.size())];
      Bytes payload(seed.begin() + 3, seed.end() - 4);
      const std::uint64_t edits = rng.between(1, 3);
      for (std::uint64_t e = 0; e < edits && !payload.empty(); ++e) {
        const std::size_t at = rng.below(payload.size());
        switch (rng.below(3)) {
          case 0:
            payload[at] = static_cast<std::uint8_t>(rng.next());
            break;
          case 1:
            payload.erase(payload.begin() + static_cast<std::ptrdiff_t>(at));
            break;
          default:
            payload.insert(payload.begin() + static_cast<std::ptrdiff_t>(at),
                           static_cast<std::uint8_t>(rng.next()));
        }
      }
      input = seal_frame(static_cast<FrameKind>(seed[2]), payload);  // valid checksum
    }
    if (decode_code(input) == Status::Code::kOk) {
      ++accepted;
      ASSERT_EQ(reencode(input), input) << "iteration " << i;
    }
  }
  EXPECT_GT(accepted, 100u);  // the mutations do reach the accepting paths
}

TEST(Codec, ErrorsSayWhereAndWhat) {
  const Status s = decode_version_frame(version_frame({1, 1, 0x80})).status();
  EXPECT_EQ(s.code(), Status::Code::kTruncated);
  EXPECT_NE(s.message().find("clock counter"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("at byte 22"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace gossip
