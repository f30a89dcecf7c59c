#include "gossipd/envelope.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "reference/bytes.h"

namespace gossip::gossipd {
namespace {

constexpr std::string_view kContext = "gossipd datagram v1";

void put_le(std::uint8_t* p, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_le(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

void init_sodium() {
  // Idempotent and thread-safe; -1 only when the library cannot work at all.
  if (sodium_init() < 0) {
    std::fputs("gossipd: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

// The tag of `covered` (header and message) for `receiver`.
std::array<std::uint8_t, kTagBytes> tag_of(const Key& key, std::uint32_t receiver, ByteView covered) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.bytes.data(), key.bytes.size(), kTagBytes);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kContext.data()), kContext.size());
  std::uint8_t to[4];
  put_le(to, receiver, 4);
  crypto_generichash_update(&st, to, sizeof to);
  crypto_generichash_update(&st, covered.data(), covered.size());
  std::array<std::uint8_t, kTagBytes> out{};
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

OpenResult dropped(Drop why, std::uint32_t sender = 0) {
  OpenResult r;
  r.drop = why;
  r.sender = sender;
  return r;
}

}  // namespace

std::optional<Key> Key::parse_hex(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  Key k;
  if (!from_hex(text, k.bytes)) return std::nullopt;
  return k;
}

Key Key::random() {
  init_sodium();
  Key k;
  randombytes_buf(k.bytes.data(), k.bytes.size());
  return k;
}

std::string Key::hex() const { return to_hex(bytes); }

std::optional<Key> read_key_file(const std::filesystem::path& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read the key file " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::optional<Key> k = Key::parse_hex(text.str());
  if (!k) *error = "the key file " + path.string() + " does not hold 64 hex digits (make one with `gossipctl keygen FILE`)";
  return k;
}

std::string write_new_key_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create " + path.string() + ": " + std::strerror(errno);
  const std::string text = Key::random().hex() + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  return ok ? "" : "cannot write " + path.string() + ": " + std::strerror(saved);
}

Sealer::Sealer(std::uint32_t self, std::optional<Key> key, std::uint64_t first_counter)
    : self_(self), key_(std::move(key)), counter_(first_counter) {
  init_sodium();
}

std::vector<std::uint8_t> Sealer::seal(std::uint32_t to, ByteView message) {
  std::vector<std::uint8_t> d;
  d.push_back(kEnvelopeVersion);
  for (int i = 0; i < 4; ++i) d.push_back(static_cast<std::uint8_t>(self_ >> (8 * i)));
  for (int i = 0; i < 8; ++i) d.push_back(static_cast<std::uint8_t>(counter_ >> (8 * i)));
  ++counter_;
  d.insert(d.end(), message.begin(), message.end());
  if (key_) {
    const auto tag = tag_of(*key_, to, d);
    d.insert(d.end(), tag.begin(), tag.end());
  }
  return d;
}

Opener::Opener(std::uint32_t self, std::optional<Key> key, const std::vector<std::uint32_t>& members,
               std::size_t message_bytes_max)
    : self_(self), key_(std::move(key)), message_bytes_max_(message_bytes_max) {
  init_sodium();
  for (std::uint32_t m : members) {
    if (m != self) windows_[m];
  }
}

OpenResult Opener::open(ByteView d) {
  OpenResult r;
  const std::size_t overhead = kEnvelopeHeaderBytes + (key_ ? kTagBytes : 0);
  if (d.size() <= overhead) return dropped(Drop::kShort);
  if (d.size() - overhead > message_bytes_max_) return dropped(Drop::kOversized);
  if (d[0] != kEnvelopeVersion) return dropped(Drop::kBadVersion);
  const ByteView covered = d.first(d.size() - (key_ ? kTagBytes : 0));
  if (key_) {
    const auto want = tag_of(*key_, self_, covered);
    if (crypto_verify_16(want.data(), d.data() + covered.size()) != 0) return dropped(Drop::kBadMac);
  }
  r.sender = static_cast<std::uint32_t>(get_le(&d[1], 4));
  auto w = windows_.find(r.sender);
  if (w == windows_.end()) return dropped(Drop::kUnknownSender, r.sender);
  const std::uint64_t counter = get_le(&d[5], 8);
  Window& win = w->second;
  if (!win.any || counter > win.highest) {
    const std::uint64_t shift = win.any ? counter - win.highest : 64;
    win.seen = shift >= 64 ? 0 : win.seen << shift;
    win.seen |= 1;
    win.highest = counter;
    win.any = true;
  } else {
    const std::uint64_t back = win.highest - counter;
    if (back >= 64 || (win.seen >> back & 1) != 0) return dropped(Drop::kReplayed, r.sender);
    win.seen |= std::uint64_t{1} << back;
  }
  r.message = covered.subspan(kEnvelopeHeaderBytes);
  return r;
}

}  // namespace gossip::gossipd
