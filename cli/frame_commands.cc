// decode / encode: moving between the binary frames and their text form.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "cli/commands.h"

#include <nlohmann/json.hpp>
#include "reference/codec.h"
#include "reference/limits.h"
#include "reference/text.h"

namespace gossip::cli {
namespace {

// Reads at most kFrameBytesMax + 1 bytes, so an oversized input is reported, not loaded.
std::optional<std::string> read_input(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      std::cerr << "gossipcheck: cannot open '" << path << "'\n";
      return std::nullopt;
    }
    in = &file;
  }
  std::string data;
  std::string chunk(1 << 16, '\0');
  while (data.size() <= limits::kFrameBytesMax && *in) {
    in->read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    data.append(chunk.data(), static_cast<std::size_t>(in->gcount()));
  }
  return data;
}

}  // namespace

int run_decode(const std::string& path, std::uint64_t cluster_seed) {
  std::optional<std::string> data = read_input(path);
  if (!data) return kExitBadInput;
  const ByteView bytes(reinterpret_cast<const std::uint8_t*>(data->data()), data->size());
  Result<Frame> frame = open_frame(bytes);
  if (!frame.is_ok()) {
    std::cerr << "gossipcheck: " << path << ": " << frame.status().to_string() << "\n";
    return kExitBadInput;
  }
  Status status;
  switch (frame.value().kind) {
    case FrameKind::kVersion: {
      auto v = decode_version_frame(bytes);
      if ((status = v.status()).is_ok()) {
        std::cout << "pattern " << v.value().id.hex() << "\n  " << format_version(v.value().version)
                  << "\n";
      }
      break;
    }
    case FrameKind::kRegister: {
      auto r = decode_register_frame(bytes);
      if ((status = r.status()).is_ok()) std::cout << format_register(r.value().id, r.value().reg);
      break;
    }
    case FrameKind::kState: {
      auto s = decode_state_frame(bytes, cluster_seed);
      if ((status = s.status()).is_ok()) std::cout << format_state(s.value());
      break;
    }
    case FrameKind::kDigest: {
      auto d = decode_digest_frame(bytes);
      if ((status = d.status()).is_ok()) std::cout << "digest " << d.value().hex() << "\n";
      break;
    }
    case FrameKind::kView: {
      auto v = decode_view_frame(bytes);
      if ((status = v.status()).is_ok()) {
        for (const auto& [id, p] : v.value().view) {
          std::cout << "pattern " << id.hex() << (p.live ? " live" : " survivor=" + p.survivor.hex()) << "\n  strength="
                    << p.content.strength << " episodes=[";
          for (std::size_t i = 0; i < p.content.episodes.size(); ++i) std::cout << (i ? "," : "") << p.content.episodes[i];
          std::cout << "] absorbed_into=" << (p.content.absorbed_into ? p.content.absorbed_into->hex() : "-")
                    << " summary=" << nlohmann::json(p.content.summary).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        }
        for (const Edge& e : v.value().edges) std::cout << "edge " << e.a.hex() << " " << e.b.hex() << " weight=" << e.weight << "\n";
      }
      break;
    }
    case FrameKind::kHello:
    case FrameKind::kReply:
    case FrameKind::kWalk: {
      auto m = decode_sync_message(bytes);
      if ((status = m.status()).is_ok()) std::cout << format_sync_message(m.value());
      break;
    }
  }
  if (!status.is_ok()) {
    std::cerr << "gossipcheck: " << path << ": " << status.to_string() << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

int run_encode(const std::string& path, const std::string& out_path, std::uint64_t cluster_seed) {
  std::optional<std::string> text = read_input(path);
  if (!text) return kExitBadInput;
  Result<State> state = parse_state(*text, cluster_seed);
  if (!state.is_ok()) {
    std::cerr << "gossipcheck: " << path << ": " << state.status().message() << "\n";
    return kExitBadInput;
  }
  const Bytes frame = encode_state_frame(state.value());
  std::ofstream out(out_path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(frame.data()),
            static_cast<std::streamsize>(frame.size()));
  if (!out) {
    std::cerr << "gossipcheck: cannot write '" << out_path << "'\n";
    return kExitBadInput;
  }
  std::cout << "wrote " << frame.size() << " bytes: " << state.value().size() << " patterns, root "
            << state.value().root().hex() << "\n";
  return kExitOk;
}

}  // namespace gossip::cli
