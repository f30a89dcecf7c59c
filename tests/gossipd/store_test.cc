// gossipd's durable store (gossipd/store.h): what kill -9 leaves is found again; a torn last
// record is dropped and said; corruption before the tail refuses to start; a directory
// emptied or deleted brings a new ReplicaId, never one used before.
#include "gossipd/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "reference/operations.h"

namespace gossip::gossipd {
namespace {

namespace fs = std::filesystem;
constexpr std::uint64_t kSeed = 7;
constexpr std::uint64_t kNow = 1'700'000'000;  // seconds since the epoch: incarnation 100,000,001 by the clock (the next second)

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gossip-store-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Opened open(std::uint64_t now = kNow) { return Store::open(dir_, 3, kSeed, now); }

  // Writes `n` patterns through `store`, as the daemon will: the write on the state, then its
  // register made durable.
  void write(Store& store, State& state, std::uint32_t from, std::uint32_t n) {
    for (std::uint32_t i = from; i < from + n; ++i) {
      Content c;
      c.summary = "p";  // not "p" + to_string: gcc 12 at -O3 warns falsely (-Wrestrict)
      c.summary += std::to_string(i);
      c.episodes = {i};
      const PatternId id = PatternId::from_u64(i + 1);
      ASSERT_TRUE(create(state, store.replica(), id, c).is_ok());
      ASSERT_EQ(store.append(id, *state.find(id)), "");
    }
  }

  std::vector<std::uint8_t> log_bytes() {
    std::ifstream in(dir_ / "log", std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
  }
  void set_log(const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(dir_ / "log", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  fs::path dir_;
};

TEST_F(StoreTest, WritesSurviveAReopenUnderTheSameReplica) {
  State state(kSeed);
  ReplicaId first;
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    EXPECT_TRUE(o.amnesia);  // a first start takes a new id
    first = o.store->replica();
    EXPECT_EQ(first, ReplicaId::of(3, 100'000'001));
    EXPECT_EQ(o.use_after_s, kNow + 1);  // used only once the clock has passed it
    write(*o.store, state, 0, 20);
  }
  Opened again = open(kNow + 10);
  ASSERT_TRUE(again.store) << again.error;
  EXPECT_FALSE(again.amnesia);
  EXPECT_EQ(again.store->replica(), first);
  EXPECT_EQ(again.store->recovered(), state);
  EXPECT_EQ(again.store->log_records(), 20u);
}

TEST_F(StoreTest, ASnapshotBoundsTheLogAndRecoveryJoinsWhatFollows) {
  State state(kSeed);
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    write(*o.store, state, 0, 30);
    ASSERT_EQ(o.store->snapshot(state), "");
    EXPECT_EQ(o.store->log_bytes(), 0u);
    EXPECT_EQ(fs::file_size(dir_ / "log"), 0u);
    write(*o.store, state, 30, 5);
  }
  Opened again = open();
  ASSERT_TRUE(again.store) << again.error;
  EXPECT_EQ(again.store->recovered(), state);
  EXPECT_EQ(again.store->log_records(), 5u);
}

TEST_F(StoreTest, ALogTornAtAnyByteOfItsLastRecordLosesOnlyThatRecord) {
  State before(kSeed), all(kSeed);
  std::vector<std::uint8_t> full;
  std::size_t last_start = 0;
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    write(*o.store, before, 0, 4);
    all = before;
    last_start = o.store->log_bytes();
    write(*o.store, all, 4, 1);
    full = log_bytes();
  }
  for (std::size_t cut = last_start; cut < full.size(); ++cut) {
    set_log(std::vector<std::uint8_t>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut)));
    Opened o = open();
    ASSERT_TRUE(o.store) << "cut at " << cut << ": " << o.error;
    EXPECT_EQ(o.store->recovered(), before) << "cut at " << cut;
    if (cut > last_start) {
      const bool said = std::any_of(o.notes.begin(), o.notes.end(),
                                    [](const std::string& n) { return n.find("torn last record dropped") != std::string::npos; });
      EXPECT_TRUE(said) << "cut at " << cut;
    }
    // The torn bytes are gone from the file: the next record follows a good one.
    EXPECT_EQ(fs::file_size(dir_ / "log"), last_start);
    o.store.reset();
  }
}

TEST_F(StoreTest, GarbageAfterTheLastRecordIsATornTail) {
  State state(kSeed);
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    write(*o.store, state, 0, 3);
  }
  std::vector<std::uint8_t> bytes = log_bytes();
  for (int i = 0; i < 100; ++i) bytes.push_back(static_cast<std::uint8_t>(i * 37 + 11));
  set_log(bytes);
  Opened o = open();
  ASSERT_TRUE(o.store) << o.error;
  EXPECT_EQ(o.store->recovered(), state);
}

TEST_F(StoreTest, CorruptionBeforeTheTailRefusesToStartAndSaysWhere) {
  State state(kSeed);
  std::size_t first_end = 0;
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    write(*o.store, state, 0, 1);
    first_end = o.store->log_bytes();
    write(*o.store, state, 1, 3);
  }
  const std::vector<std::uint8_t> good = log_bytes();
  for (std::size_t at : {std::size_t{0}, std::size_t{5}, first_end / 2, first_end - 1}) {
    std::vector<std::uint8_t> bad = good;
    bad[at] ^= 0x40;
    set_log(bad);
    Opened o = open();
    EXPECT_FALSE(o.store) << "a flipped byte at " << at << " was accepted";
    EXPECT_NE(o.error.find("corrupt record at byte 0"), std::string::npos) << o.error;
    EXPECT_EQ(log_bytes(), bad) << "refusing must not touch the log";
  }
}

TEST_F(StoreTest, ACorruptSnapshotRefusesToStart) {
  State state(kSeed);
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    write(*o.store, state, 0, 3);
    ASSERT_EQ(o.store->snapshot(state), "");
  }
  std::fstream f(dir_ / "state", std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(10);
  f.put('\x55');
  f.close();
  Opened o = open();
  EXPECT_FALSE(o.store);
  EXPECT_NE(o.error.find("snapshot"), std::string::npos) << o.error;
}

TEST_F(StoreTest, AmnesiaTakesAReplicaIdNeverUsedBefore) {
  ReplicaId first;
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    first = o.store->replica();
    State state(kSeed);
    write(*o.store, state, 0, 2);
  }
  // The state is lost but the record of ids is kept: the next incarnation, even with a clock
  // that went back.
  fs::remove(dir_ / "log");
  {
    Opened o = open(kNow - 1000);
    ASSERT_TRUE(o.store) << o.error;
    EXPECT_TRUE(o.amnesia);
    EXPECT_EQ(o.store->replica(), ReplicaId::of(3, first.incarnation() + 1));
    EXPECT_EQ(o.use_after_s, first.incarnation() + 1 + kIncarnationEpoch);
    EXPECT_EQ(o.store->recovered().size(), 0u);
  }
  // The whole directory deleted: the clock's incarnation, above every one used before.
  fs::remove_all(dir_);
  Opened o = open(kNow + 60);
  ASSERT_TRUE(o.store) << o.error;
  EXPECT_TRUE(o.amnesia);
  EXPECT_EQ(o.store->replica(), ReplicaId::of(3, 100'000'061));
  EXPECT_EQ(o.use_after_s, kNow + 61);
  std::ifstream in(dir_ / "replicas");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "3.100000061");
}

TEST_F(StoreTest, AnUnreadableRecordOfIdsRefusesToStart) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "replicas") << "3.1\nnot an id\n";
  Opened o = open();
  EXPECT_FALSE(o.store);
  EXPECT_NE(o.error.find("not node.incarnation"), std::string::npos) << o.error;
}

TEST_F(StoreTest, ScanLogTellsATornTailFromCorruption) {
  State s(kSeed);
  Content c;
  c.summary = "x";
  ASSERT_TRUE(create(s, ReplicaId::of(1, 0), PatternId::from_u64(1), c).is_ok());
  const std::vector<std::uint8_t> rec = log_record(PatternId::from_u64(1), *s.find(PatternId::from_u64(1)));
  std::vector<std::uint8_t> two = rec;
  two.insert(two.end(), rec.begin(), rec.end());
  EXPECT_EQ(scan_log(two).records.size(), 2u);
  EXPECT_FALSE(scan_log(two).torn);
  std::vector<std::uint8_t> torn(two.begin(), two.end() - 1);
  EXPECT_TRUE(scan_log(torn).torn);
  EXPECT_EQ(scan_log(torn).valid_end, rec.size());
  std::vector<std::uint8_t> corrupt = two;
  corrupt[rec.size() / 2] ^= 1;
  EXPECT_EQ(scan_log(corrupt).corrupt_at, std::optional<std::uint64_t>(0));
}

// Found by a review: a dropped tail may have been acknowledged and gossiped if something
// other than a crash during its append damaged it; going on under the same ReplicaId would
// issue its clock entries again. Any dropped byte means a new incarnation (the state kept).
TEST_F(StoreTest, DroppingATornTailTakesANewReplicaId) {
  State state(kSeed);
  ReplicaId first;
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    first = o.store->replica();
    write(*o.store, state, 0, 3);
  }
  const std::vector<std::uint8_t> bytes = log_bytes();
  // Not resize(size - 3): gcc 12 at -O1/-O3 warns falsely (-Wstringop-overflow).
  set_log(std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 3));
  Opened o = open(kNow + 5);
  ASSERT_TRUE(o.store) << o.error;
  EXPECT_TRUE(o.amnesia);
  EXPECT_GT(o.store->replica(), first);
  EXPECT_EQ(o.store->recovered().size(), 2u);  // the state is kept: only the id changes
  EXPECT_EQ(o.use_after_s, std::uint64_t{o.store->replica().incarnation()} + kIncarnationEpoch);
}

// Found by a review: a start killed while it waited for the clock to pass its new incarnation
// left that id recorded and a log; the next start reused it at once, and a wiped start within
// the same second computed it again. A reused id must be waited for as well.
TEST_F(StoreTest, AReusedReplicaIdIsUsedOnlyAfterTheClockPassedIt) {
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
  }
  Opened o = open();  // the same second: the id and an (empty) log are there
  ASSERT_TRUE(o.store) << o.error;
  EXPECT_FALSE(o.amnesia);
  EXPECT_EQ(o.use_after_s, kNow + 1);
}

// Two daemons on one data directory would write under one ReplicaId and truncate each
// other's log: the second open is refused while the first store lives.
TEST_F(StoreTest, OneDirectoryOneStore) {
  Opened first = open();
  ASSERT_TRUE(first.store) << first.error;
  Opened second = open();
  EXPECT_FALSE(second.store);
  EXPECT_NE(second.error.find("LOCK"), std::string::npos) << second.error;
  first.store.reset();
  Opened third = open();
  EXPECT_TRUE(third.store) << third.error;
}

// A line of `replicas` is node.incarnation and nothing else; a last line cut before its
// newline (never fsync'd whole, so never used) is ignored, and the next id goes on a line of
// its own instead of being glued to it.
TEST_F(StoreTest, TheRecordOfUsedIdsIsReadStrictly) {
  ReplicaId first;
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    first = o.store->replica();
  }
  fs::remove(dir_ / "log");
  { std::ofstream(dir_ / "replicas", std::ios::app) << "3.1000"; }  // a torn line
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    EXPECT_EQ(o.store->replica(), ReplicaId::of(3, first.incarnation() + 1));
  }
  fs::remove(dir_ / "log");
  {
    Opened o = open();
    ASSERT_TRUE(o.store) << o.error;
    EXPECT_EQ(o.store->replica(), ReplicaId::of(3, first.incarnation() + 2));  // both lines read back
  }
  { std::ofstream(dir_ / "replicas", std::ios::app) << "3.12x\n"; }
  Opened bad = open();
  EXPECT_FALSE(bad.store);
  EXPECT_NE(bad.error.find("not node.incarnation"), std::string::npos) << bad.error;
}

}  // namespace
}  // namespace gossip::gossipd
