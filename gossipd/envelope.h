// gossipd's datagram: one protocol message in an envelope that names its sender, numbers it
// and authenticates it (docs/GOSSIPD.md, "Datagrams").
//
//   datagram := version:u8 (1)  sender:u32le  counter:u64le  message  tag[16]
//
// `tag` is present only when the cluster has a key: keyed BLAKE2b (libsodium's
// crypto_generichash, 16-byte output) over the context string "gossipd datagram v1", the
// receiver's node id (u32le, not sent: a datagram sealed for one node does not open at
// another) and every byte before the tag. The counter rises by one per datagram a node sends
// and starts at the wall clock in microseconds when the daemon starts, so a restarted sender
// goes on above the counters it used before as long as the clock does not go back. The
// receiver keeps, per member, the highest counter opened and a 64-bit window below it:
// a datagram whose counter was seen, or lies below the window, is a replay and is dropped.
// 29 bytes of overhead keyed (13 without a key).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/encoding.h"

namespace gossip::gossipd {

inline constexpr std::uint8_t kEnvelopeVersion = 1;
inline constexpr std::size_t kEnvelopeHeaderBytes = 1 + 4 + 8;
inline constexpr std::size_t kTagBytes = 16;
// The largest UDP payload over IPv4.
inline constexpr std::size_t kDatagramBytesMax = 65507;

struct Key {
  std::array<std::uint8_t, 32> bytes{};
  // 64 hex digits, surrounding whitespace allowed; nullopt for anything else.
  static std::optional<Key> parse_hex(std::string_view text);
  static Key random();
  std::string hex() const;
};
// The key in `path` (64 hex digits); nullopt with *error saying why.
std::optional<Key> read_key_file(const std::filesystem::path& path, std::string* error);
// Writes a new random key to `path` (which must not exist), mode 0600; "" or what failed.
std::string write_new_key_file(const std::filesystem::path& path);

// Why a datagram was dropped before it reached the node. Kept in this order in stats.
enum class Drop : std::uint8_t { kNone, kShort, kOversized, kBadVersion, kBadMac, kUnknownSender, kReplayed };
inline constexpr std::array<std::string_view, 7> kDropNames = {"none",    "short",          "oversized", "bad_version",
                                                               "bad_mac", "unknown_sender", "replayed"};

class Sealer {
 public:
  Sealer(std::uint32_t self, std::optional<Key> key, std::uint64_t first_counter);
  // The datagram carrying `message` to node `to`.
  std::vector<std::uint8_t> seal(std::uint32_t to, ByteView message);
  std::size_t overhead() const { return kEnvelopeHeaderBytes + (key_ ? kTagBytes : 0); }

 private:
  std::uint32_t self_;
  std::optional<Key> key_;
  std::uint64_t counter_;
};

struct OpenResult {
  Drop drop = Drop::kNone;
  std::uint32_t sender = 0;
  ByteView message;  // into the datagram
};

class Opener {
 public:
  // `members`: the other nodes of the cluster (self excluded); only they are heard.
  // `message_bytes_max`: the largest message a member sends.
  Opener(std::uint32_t self, std::optional<Key> key, const std::vector<std::uint32_t>& members,
         std::size_t message_bytes_max);
  // Checks a datagram in this order: size, version, tag, sender, counter. Only a datagram
  // that passes all of them moves the sender's replay window.
  OpenResult open(ByteView datagram);

 private:
  struct Window {
    std::uint64_t highest = 0;
    std::uint64_t seen = 0;  // bit i: highest - i was opened
    bool any = false;
  };
  std::uint32_t self_;
  std::optional<Key> key_;
  std::size_t message_bytes_max_;
  std::map<std::uint32_t, Window> windows_;  // one per member, fixed at construction
};

}  // namespace gossip::gossipd
