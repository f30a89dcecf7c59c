// gossipd's durable state (issue 17): what a daemon must find again after kill -9.
//
// A data directory holds
//   LOCK       flock'd while a store is open: one process per directory;
//   replicas   the ReplicaIds this node has used, one "node.incarnation" per line, each
//              fsync'd before the node writes a single version under it (docs/MODEL.md: a
//              ReplicaId is never reused);
//   state      a snapshot: one canonical state frame (docs/WIRE_FORMAT.md), replaced atomically
//              (written aside, fsync'd, renamed, the directory fsync'd);
//   log        an append-only log of the registers local writes produced since the snapshot:
//              record := len:u32le  check:u32le  frame[len]   (a register frame; check = the low
//              32 bits of XXH3-64 of the four length bytes), fsync'd before the write is
//              acknowledged.
// Recovery joins the log's registers into the snapshot (joins are idempotent: a record the
// snapshot already holds changes nothing). A record that does not read back whole is torn only
// if no valid record follows it: a torn append can only damage the last record, so it is
// dropped (the file truncated there) and said; a bad record followed by a good one is
// corruption before the tail, and the store refuses to open rather than lose acknowledged
// writes in silence.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reference/codec.h"
#include "reference/state.h"

namespace gossip::gossipd {

// Incarnations by the clock count seconds from here (2020-09-13), so that they fit a u32
// until 2156.
inline constexpr std::uint64_t kIncarnationEpoch = 1'600'000'000;

struct Opened;

class Store {
 public:
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Opens `dir` (created if missing) for node `self` of a cluster with `cluster_seed`. `now_s`
  // (seconds since the Unix epoch) bounds a new incarnation from below: after amnesia (no
  // snapshot and no log: the directory was emptied or deleted, its record of used ids with it)
  // the new incarnation is max(last recorded + 1, now_s + 1 - 1.6e9), and the caller must not
  // use it before the clock reads Opened::use_after_s (at most a second away unless the
  // record ran ahead of the clock): then a later start, even one whose directory was
  // deleted with its record, computes a larger one, as long as the clock does not go back.
  static Opened open(const std::filesystem::path& dir, std::uint32_t self, std::uint64_t cluster_seed,
                     std::uint64_t now_s);

  ReplicaId replica() const { return replica_; }
  // The state recovered at open.
  const State& recovered() const { return recovered_; }
  // A local write's register, durable when this returns "" (else what failed).
  std::string append(const PatternId& id, const Register& reg);
  // Several registers of one write (absorb changes two), with one fsync. A crash may keep a
  // prefix of them: each is a register the node held, safe on its own.
  std::string append(std::initializer_list<std::pair<PatternId, const Register*>> regs);
  // Replaces the snapshot with `state` and empties the log; "" or what failed.
  std::string snapshot(const State& state);
  std::uint64_t log_bytes() const { return log_bytes_; }
  std::uint64_t log_records() const { return log_records_; }

 private:
  Store() = default;
  std::filesystem::path dir_;
  ReplicaId replica_;
  State recovered_{0};
  int log_fd_ = -1;
  int lock_fd_ = -1;  // flock'd LOCK: one store per directory
  std::uint64_t log_bytes_ = 0, log_records_ = 0;
};

struct Opened {
  std::unique_ptr<Store> store;  // null when the directory cannot be used; `error` says why
  std::string error;
  std::vector<std::string> notes;  // what recovery did: records replayed, a torn tail dropped, amnesia
  bool amnesia = false;            // a new ReplicaId: nothing durable was found
  std::uint64_t use_after_s = 0;   // the Unix second the clock must pass before the id is used
};

// One log record around a register frame, and the records of a log's bytes, for tests and
// tools: the offset where the valid prefix ends, and whether what follows is a torn tail
// (`torn`) or corruption before it (`corrupt_at`, the offset of the first bad record).
std::vector<std::uint8_t> log_record(const PatternId& id, const Register& reg);
struct LogScan {
  std::vector<RegisterFrame> records;
  std::uint64_t valid_end = 0;
  bool torn = false;
  std::optional<std::uint64_t> corrupt_at;
};
LogScan scan_log(std::span<const std::uint8_t> bytes);

}  // namespace gossip::gossipd
