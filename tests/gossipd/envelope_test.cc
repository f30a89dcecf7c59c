// gossipd's datagram envelope (gossipd/envelope.h): a datagram opens only at the node it was
// sealed for, under the cluster's key, once; any change to any byte drops it; the replay
// window accepts reordering within 64 datagrams and nothing twice.
#include "gossipd/envelope.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace gossip::gossipd {
namespace {

const Key kKey = *Key::parse_hex(std::string(64, 'a'));
const Key kOtherKey = *Key::parse_hex(std::string(63, 'a') + "b");
const std::vector<std::uint8_t> kMessage = {1, 2, 3, 4, 5, 6, 7, 8, 9};

Opener opener_at(std::uint32_t self, std::optional<Key> key = kKey) { return Opener(self, key, {1, 2, 3}, 1000); }

TEST(EnvelopeTest, SealedOpensOnceAtItsReceiver) {
  Sealer s(1, kKey, 1000);
  Opener at2 = opener_at(2);
  const auto d = s.seal(2, kMessage);
  EXPECT_EQ(d.size(), kMessage.size() + 29);
  const OpenResult r = at2.open(d);
  ASSERT_EQ(r.drop, Drop::kNone);
  EXPECT_EQ(r.sender, 1u);
  EXPECT_EQ(std::vector<std::uint8_t>(r.message.begin(), r.message.end()), kMessage);
  EXPECT_EQ(at2.open(d).drop, Drop::kReplayed);
}

TEST(EnvelopeTest, AnotherReceiverOrKeyRefusesIt) {
  Sealer s(1, kKey, 1000);
  const auto d = s.seal(2, kMessage);
  Opener at3 = opener_at(3);
  EXPECT_EQ(at3.open(d).drop, Drop::kBadMac);  // sealed for 2: the receiver's id is under the tag
  Opener other = opener_at(2, kOtherKey);
  EXPECT_EQ(other.open(d).drop, Drop::kBadMac);
  Opener unkeyed_sender_at_keyed = opener_at(2);
  Sealer plain(1, std::nullopt, 1000);
  EXPECT_EQ(unkeyed_sender_at_keyed.open(plain.seal(2, std::vector<std::uint8_t>(40, 1))).drop, Drop::kBadMac);
}

TEST(EnvelopeTest, EveryChangedByteIsDropped) {
  Sealer s(1, kKey, 1000);
  const auto d = s.seal(2, kMessage);
  for (std::size_t i = 0; i < d.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Opener at2 = opener_at(2);
      auto bad = d;
      bad[i] = static_cast<std::uint8_t>(bad[i] ^ (1 << bit));
      EXPECT_NE(at2.open(bad).drop, Drop::kNone) << "byte " << i << " bit " << bit;
    }
  }
  for (std::size_t len = 0; len < d.size(); ++len) {
    Opener at2 = opener_at(2);
    EXPECT_NE(at2.open(std::span(d).first(len)).drop, Drop::kNone) << "cut to " << len;
  }
}

TEST(EnvelopeTest, SizeVersionAndSenderAreChecked) {
  Opener at2 = opener_at(2, std::nullopt);
  Sealer s(1, std::nullopt, 1000);
  EXPECT_EQ(at2.open(s.seal(2, {})).drop, Drop::kShort);
  EXPECT_EQ(at2.open(s.seal(2, std::vector<std::uint8_t>(1001, 7))).drop, Drop::kOversized);
  EXPECT_EQ(at2.open(s.seal(2, std::vector<std::uint8_t>(1000, 7))).drop, Drop::kNone);
  auto d = s.seal(2, kMessage);
  d[0] = 2;
  EXPECT_EQ(at2.open(d).drop, Drop::kBadVersion);
  Sealer stranger(9, std::nullopt, 1000);
  EXPECT_EQ(at2.open(stranger.seal(2, kMessage)).drop, Drop::kUnknownSender);
  Sealer self(2, std::nullopt, 1000);
  EXPECT_EQ(at2.open(self.seal(2, kMessage)).drop, Drop::kUnknownSender);
}

TEST(EnvelopeTest, ReplayWindowTakesReorderingWithin64) {
  Sealer s(1, kKey, 5000);
  std::vector<std::vector<std::uint8_t>> ds;
  for (int i = 0; i < 100; ++i) ds.push_back(s.seal(2, kMessage));
  Opener at2 = opener_at(2);
  // 99 first, then 36..98 out of order (all within 64 of 99), then 35 (64 back: outside).
  ASSERT_EQ(at2.open(ds[99]).drop, Drop::kNone);
  for (int i = 98; i >= 36; --i) EXPECT_EQ(at2.open(ds[static_cast<std::size_t>(i)]).drop, Drop::kNone) << i;
  EXPECT_EQ(at2.open(ds[35]).drop, Drop::kReplayed);
  for (int i = 36; i < 100; ++i) EXPECT_EQ(at2.open(ds[static_cast<std::size_t>(i)]).drop, Drop::kReplayed) << i;
  // A sender that restarts counts on from the clock: above every counter it used.
  Sealer restarted(1, kKey, 6000);
  EXPECT_EQ(at2.open(restarted.seal(2, kMessage)).drop, Drop::kNone);
  // Senders have windows of their own.
  Sealer three(3, kKey, 10);
  EXPECT_EQ(at2.open(three.seal(2, kMessage)).drop, Drop::kNone);
}

TEST(EnvelopeTest, KeyFiles) {
  const auto path = std::filesystem::temp_directory_path() / ("gossip-key-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  ASSERT_EQ(write_new_key_file(path), "");
  EXPECT_EQ((std::filesystem::status(path).permissions() & std::filesystem::perms::all),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_NE(write_new_key_file(path), "");  // never overwrites a key
  std::string error;
  const auto k = read_key_file(path, &error);
  ASSERT_TRUE(k) << error;
  EXPECT_NE(k->hex(), Key::random().hex());
  std::ofstream(path) << "not a key\n";
  EXPECT_FALSE(read_key_file(path, &error));
  EXPECT_NE(error.find("64 hex digits"), std::string::npos) << error;
  std::filesystem::remove(path);
  EXPECT_FALSE(read_key_file(path, &error));
  EXPECT_FALSE(Key::parse_hex(std::string(64, 'g')));
  EXPECT_FALSE(Key::parse_hex(std::string(62, 'a')));
}

}  // namespace
}  // namespace gossip::gossipd
