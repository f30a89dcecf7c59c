// gossipcheck certify: every property that can be judged through the seam
// (faultnet/node_under_test.h), run against an implementation that is a plug-in
// (include/gossipcheck/plugin.h), a child process (docs/CERTIFY.md), or the reference itself,
// with a certificate (certificate.json) and a summary. docs/CERTIFY.md says what each verdict
// means and what a certificate can be trusted for.
//
// Every property runs in a child process of gossipcheck (this same program, given --child),
// within a time limit: an implementation that crashes or hangs fails the property it was
// running and never takes gossipcheck down. The child hands its verdict back over a pipe of
// its own (never a file an implementation could write), its log over another (capped), and it
// kills and reaps every process the implementation started (a subreaper): one left behind
// fails the property. Exit codes: 0 every applicable property holds, 1 one fails, 2 could not
// run (the implementation does not load or start, breaks the process protocol, or the
// arguments are wrong), 130 interrupted.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <memory>

#include "reference/status.h"

namespace gossip {
class Implementation;
}
namespace gossip::properties {
struct CaseFile;
}

namespace gossip::certify {

struct CertifyOptions {
  std::string impl;       // a plug-in's path; "reference": the reference node in-process
  std::string impl_cmd;   // or: a command that speaks the process protocol
  std::string profile = "quick";  // smoke, quick or campaign
  std::uint64_t seed = 1;
  std::string out_dir = "certificate";
  std::vector<std::string> only;  // property names (none: all)
  double timeout_seconds = 0;     // per property; 0: the profile's
  double answer_seconds = 10;     // per answer of a process
  unsigned jobs = 2;              // properties run at once
  bool fail_fast = false;         // start no property after the first that does not hold
  std::string self;               // this program's path, for the children and printed commands
};

// The names of the properties certify runs, in order.
std::vector<std::string> certify_property_names();

// The parent: runs every property in a child, writes out_dir/certificate.json (after every
// property, marked incomplete until the end), prints the summary. Returns the exit code.
int run_certify(const CertifyOptions& options, std::ostream& out, std::ostream& err);

// A child: loads the implementation and runs one property (or, for "probe", starts one node,
// ticks it and reads its state back), writing the outcome as one JSON object to the
// descriptor result_fd, then closes it. Returns 0 when it could write one.
int run_certify_child(const CertifyOptions& options, const std::string& property, int result_fd);

// `gossipcheck certify --verify FILE`: checks the certificate's own SHA-256, that the
// implementation's files are the ones it names, then runs its properties again with its
// profile and seed (into out_dir) and compares the verdicts. 0 every verdict reproduces, 1 one
// does not (or the certificate or the implementation changed), 2 it cannot be read or run.
int run_verify(const std::string& certificate_file, const CertifyOptions& options, std::ostream& out,
               std::ostream& err);

// Runs a case file of a certified property (or of the catalogue) on `impl` (opened from
// `options`' impl or impl_cmd): what `gossipcheck replay --impl` does with one.
int run_certify_case(const properties::CaseFile& c, std::shared_ptr<const Implementation> impl,
                     const CertifyOptions& options, std::ostream& out, std::ostream& err);

// The implementation named by options.impl ("reference", a plug-in) or options.impl_cmd (a
// process, started with the environment certify gives its first process, so that a replay
// runs as the certification's first process did).
Result<std::shared_ptr<const Implementation>> open_implementation(const CertifyOptions& options);

// The implementation's identity digest (identity.h) for `replay`, or "" for the reference.
std::string implementation_digest(const CertifyOptions& options);

}  // namespace gossip::certify
