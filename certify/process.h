// An implementation in a child process, driven over docs/CERTIFY.md's process protocol: one
// JSON object per line each way on the child's stdin and stdout, one answer per request, every
// node of a run hosted by the one process and addressed by a handle.
//
// A child that writes something that is not an answer of the protocol breaks the run for good
// (a protocol error: certify says "could not run"). A child that exits, or does not answer
// within the time limit, is a crash or a hang of the implementation: the calls in flight throw
// ImplementationError (the property fails), and the next node made starts a fresh process, so
// that RapidCheck can shrink a history that crashes the child like any other failure.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "faultnet/node_under_test.h"
#include "reference/status.h"

namespace gossip::certify {

inline constexpr int kProcessProtocolVersion = 1;

struct ProcessOptions {
  std::string command;             // run with /bin/sh -c
  double answer_seconds = 10;      // the longest wait for one answer before it counts as a hang
  std::uint32_t restarts_max = 1000; // fresh processes after crashes or hangs, per property
  // Set in the process's environment (the hash salts of languages that read one, so that
  // two processes of one certification differ where an implementation could depend on it).
  std::vector<std::pair<std::string, std::string>> env;
};

// What went wrong with the child process, if anything, in this process's lifetime: the first
// protocol error ("" when none), and the counts of crashes and hangs.
struct ProcessTrouble {
  std::string protocol_error;
  std::uint32_t crashes = 0, hangs = 0;
  std::string last;  // the last crash or hang, said for people
  std::uint64_t requests = 0;
  double seconds_waiting = 0;  // for the requests, answers included
};
const ProcessTrouble& process_trouble();

// Starts the process and checks its hello answer (protocol version, name, capabilities).
Result<std::shared_ptr<const Implementation>> start_process(const ProcessOptions& options);

}  // namespace gossip::certify
