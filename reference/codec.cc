#include "reference/codec.h"

#include <memory>

#include "reference/decode_rules.h"
#include "reference/limits.h"

namespace gossip {
namespace {

Status frame_error(Status::Code code, const std::string& message) {
  return Status::error(code, message);
}

// Opens a frame of the expected kind and hands its payload to `decode_payload`, which must
// consume it exactly.
template <typename T, typename F>
Result<T> decode_frame(ByteView bytes, FrameKind kind, const char* what, F&& decode_payload) {
  Result<Frame> frame = open_frame(bytes);
  if (!frame.is_ok()) return frame.status();
  if (GOSSIP_RULE("frame.wrong-kind", frame.value().kind != kind)) {
    return frame_error(Status::Code::kUnknownTag,
                       std::string("expected a ") + what + " frame, got kind " +
                           std::to_string(static_cast<int>(frame.value().kind)));
  }
  Reader r(frame.value().payload, 3);  // offsets in errors count from the frame's start
  std::optional<T> out;
  if (!decode_payload(r, &out)) {
    GOSSIP_ASSERT(!r.ok());
    return r.status();
  }
  if (GOSSIP_RULE("frame.trailing", r.remaining() != 0)) {
    r.fail(Status::Code::kNonCanonical,
           std::to_string(r.remaining()) + " trailing bytes after the " + what);
    return r.status();
  }
  GOSSIP_ASSERT(out.has_value());
  return std::move(*out);
}

}  // namespace

Bytes seal_frame(FrameKind kind, ByteView payload) {
  GOSSIP_ASSERT(payload.size() + kFrameOverheadBytes <= limits::kFrameBytesMax);
  Writer w;
  w.reserve(payload.size() + kFrameOverheadBytes);
  w.u8(kFrameMagic);
  w.u8(kFormatVersion);
  w.u8(static_cast<std::uint8_t>(kind));
  w.raw(payload);
  w.u32_le(checksum32(w.bytes()));
  return w.take();
}

Result<Frame> open_frame(ByteView bytes) {
  if (bytes.size() > limits::kFrameBytesMax) {
    return frame_error(Status::Code::kOverLimit, "frame of " + std::to_string(bytes.size()) +
                                                     " bytes exceeds " +
                                                     std::to_string(limits::kFrameBytesMax));
  }
  if (bytes.size() < kFrameOverheadBytes) {  // too short to skip: there is no frame to read
    return frame_error(Status::Code::kTruncated, "frame of " + std::to_string(bytes.size()) +
                                                     " bytes is shorter than its header");
  }
  if (GOSSIP_RULE("frame.magic", bytes[0] != kFrameMagic)) {
    return frame_error(Status::Code::kUnknownTag, "not a gossipcheck frame (bad magic byte)");
  }
  if (GOSSIP_RULE("frame.format", bytes[1] != kFormatVersion)) {
    return frame_error(Status::Code::kUnknownTag,
                       "unknown format version " + std::to_string(bytes[1]));
  }
  const std::size_t body = bytes.size() - 4;
  Reader tail(bytes.subspan(body));
  std::uint32_t stored = 0;
  tail.u32_le(&stored, "the checksum");
  if (GOSSIP_RULE("frame.checksum", stored != checksum32(bytes.first(body)))) {
    return frame_error(Status::Code::kChecksumMismatch, "frame checksum does not match");
  }
  const std::uint8_t kind = bytes[2];
  if (GOSSIP_RULE("frame.kind", kind < 1 || kind > static_cast<std::uint8_t>(FrameKind::kView))) {
    return frame_error(Status::Code::kUnknownTag, "unknown frame kind " + std::to_string(kind));
  }
  return Frame{static_cast<FrameKind>(kind), bytes.subspan(3, body - 3)};
}

Bytes encode_version_frame(const PatternId& id, const Version& version) {
  Writer w;
  encode_pattern_id(w, id);
  encode_version(w, version);
  return seal_frame(FrameKind::kVersion, w.bytes());
}

Bytes encode_register_frame(const PatternId& id, const Register& reg) {
  Writer w;
  encode_pattern_id(w, id);
  encode_register(w, reg);
  return seal_frame(FrameKind::kRegister, w.bytes());
}

Bytes encode_state_frame(const State& state) {
  Writer w;
  w.varint(state.size());
  state.for_each([&](const PatternId& id, const Register& reg) {
    encode_pattern_id(w, id);
    encode_register(w, reg);
  });
  return seal_frame(FrameKind::kState, w.bytes());
}

Bytes encode_digest_frame(const Digest& digest) {
  return seal_frame(FrameKind::kDigest, ByteView(digest.bytes));
}

Bytes encode_view_frame(const ResolvedView& view, const std::vector<Edge>& edges) {
  Writer w;
  w.varint(view.size());
  for (const auto& [id, p] : view) {
    encode_pattern_id(w, id);
    encode_pattern_id(w, p.survivor);
    encode_content(w, p.content);
  }
  w.varint(edges.size());
  for (const Edge& e : edges) {
    encode_pattern_id(w, e.a);
    encode_pattern_id(w, e.b);
    w.varint(e.weight);
  }
  return seal_frame(FrameKind::kView, w.bytes());
}

Result<ViewFrame> decode_view_frame(ByteView bytes) {
  return decode_frame<ViewFrame>(
      bytes, FrameKind::kView, "view", [](Reader& r, std::optional<ViewFrame>* out) {
        // The smallest pattern: its id, its survivor and an empty content (4 bytes).
        constexpr std::size_t kPatternBytesMin = 16 + 16 + 4;
        constexpr std::size_t kEdgeBytesMin = 16 + 16 + 1;
        ViewFrame f;
        std::size_t n = 0;
        if (!r.count(limits::kPatternsMax, kPatternBytesMin, &n, "pattern count")) return false;
        std::optional<PatternId> last;
        for (std::size_t i = 0; i < n; ++i) {
          PatternId id;
          ResolvedPattern p;
          if (!decode_pattern_id(r, &id)) return false;
          if (last && !(*last < id)) return r.fail(Status::Code::kNonCanonical, "pattern ids not strictly ascending");
          if (!decode_pattern_id(r, &p.survivor)) return false;
          if (!decode_content(r, &p.content, limits::kSiblingsMax * limits::kEpisodesMax)) return false;
          p.live = p.survivor == id;
          f.view.emplace_hint(f.view.end(), id, std::move(p));
          last = id;
        }
        std::size_t m = 0;
        if (!r.count(limits::kFrameBytesMax / kEdgeBytesMin, kEdgeBytesMin, &m, "edge count")) return false;
        f.edges.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
          Edge e;
          if (!decode_pattern_id(r, &e.a) || !decode_pattern_id(r, &e.b)) return false;
          if (!(e.a < e.b)) return r.fail(Status::Code::kNonCanonical, "an edge whose first id is not the smaller");
          if (!f.edges.empty() && !(std::pair(f.edges.back().a, f.edges.back().b) < std::pair(e.a, e.b))) {
            return r.fail(Status::Code::kNonCanonical, "edges not strictly ascending");
          }
          std::uint64_t w = 0;
          if (!r.varint(&w, "an edge's weight")) return false;
          if (w == 0) return r.fail(Status::Code::kNonCanonical, "an edge of weight 0 (absent edges are not written)");
          if (w > 0xFFFFFFFFu) return r.fail(Status::Code::kOverLimit, "an edge's weight is above 2^32 - 1");
          e.weight = static_cast<std::uint32_t>(w);
          f.edges.push_back(e);
        }
        out->emplace(std::move(f));
        return true;
      });
}

Result<VersionFrame> decode_version_frame(ByteView bytes) {
  return decode_frame<VersionFrame>(bytes, FrameKind::kVersion, "version",
                                    [](Reader& r, std::optional<VersionFrame>* out) {
                                      VersionFrame f;
                                      if (!decode_pattern_id(r, &f.id)) return false;
                                      if (!decode_version(r, &f.version)) return false;
                                      out->emplace(std::move(f));
                                      return true;
                                    });
}

Result<RegisterFrame> decode_register_frame(ByteView bytes) {
  return decode_frame<RegisterFrame>(bytes, FrameKind::kRegister, "register",
                                     [](Reader& r, std::optional<RegisterFrame>* out) {
                                       PatternId id;
                                       std::optional<Register> reg;
                                       if (!decode_pattern_id(r, &id)) return false;
                                       if (!decode_register(r, &reg)) return false;
                                       out->emplace(RegisterFrame{id, std::move(*reg)});
                                       return true;
                                     });
}

Result<State> decode_state_frame(ByteView bytes, std::uint64_t cluster_seed) {
  return decode_frame<State>(
      bytes, FrameKind::kState, "state", [&](Reader& r, std::optional<State>* out) {
        // The smallest register: a 16-byte id and one minimal version (8 bytes).
        constexpr std::size_t kRegisterBytesMin = 16 + 8;
        std::size_t n = 0;
        if (!r.count(limits::kPatternsMax, kRegisterBytesMin, &n, "pattern count")) return false;
        std::vector<std::pair<PatternId, Register>> registers;
        registers.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          PatternId id;
          std::optional<Register> reg;
          if (!decode_pattern_id(r, &id)) return false;
          if (i > 0 && !(registers.back().first < id)) {
            return r.fail(Status::Code::kNonCanonical, "pattern ids not strictly ascending");
          }
          if (!decode_register(r, &reg)) return false;
          registers.emplace_back(id, std::move(*reg));
        }
        out->emplace(State::from_registers(cluster_seed, std::move(registers)));
        return true;
      });
}

Result<Digest> decode_digest_frame(ByteView bytes) {
  return decode_frame<Digest>(bytes, FrameKind::kDigest, "digest",
                              [](Reader& r, std::optional<Digest>* out) {
                                ByteView b;
                                if (!r.raw(16, &b, "the digest")) return false;
                                Digest d;
                                std::copy(b.begin(), b.end(), d.bytes.begin());
                                out->emplace(d);
                                return true;
                              });
}

}  // namespace gossip
