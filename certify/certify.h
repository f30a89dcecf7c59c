// gossipcheck certify: every property that can be judged through the seam
// (faultnet/node_under_test.h), run against an implementation that is a plug-in
// (include/gossipcheck/plugin.h), a child process (docs/CERTIFY.md), or the reference itself,
// with a certificate (certificate.json) and a summary. docs/CERTIFY.md says what each verdict
// means.
//
// Every property runs in a child process of gossipcheck (this same program, given --child),
// within a time limit: an implementation that crashes or hangs fails the property it was
// running and never takes gossipcheck down. Exit codes: 0 every applicable property holds,
// 1 one fails, 2 could not run (the implementation does not load or start, breaks the
// process protocol, or the arguments are wrong).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

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

// The parent: runs every property in a child, writes out_dir/certificate.json, prints the
// summary. Returns the exit code.
int run_certify(const CertifyOptions& options, std::ostream& out, std::ostream& err);

// A child: loads the implementation and runs one property (or, for "probe", starts one node,
// ticks it and reads its state back), writing the outcome as JSON to result_file. Returns 0
// when it could write one.
int run_certify_child(const CertifyOptions& options, const std::string& property, const std::string& result_file);

}  // namespace gossip::certify
