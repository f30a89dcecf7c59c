// The other side of the process protocol (docs/CERTIFY.md): serves the nodes of an
// Implementation (faultnet/node_under_test.h) to a driver that speaks JSON lines on this
// process's standard input and output. `gossip-node-process` serves the reference node with it;
// `gossip-plugin-host` (and `gossipcheck plugin-host`) serves a plug-in's nodes, so that a
// plug-in can be certified as a separate process, out of reach of the process that judges it.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "faultnet/node_under_test.h"

namespace gossip::certify {

struct ServeOptions {
  std::string name;     // the hello answer's; "": the implementation's own
  std::string version;  // likewise
};

// Answers one request line per line of `in` on `out`, until `in` ends. Returns 0.
int serve_process_protocol(std::shared_ptr<const Implementation> impl, std::istream& in, std::ostream& out,
                           const ServeOptions& options = {});

// `gossip-plugin-host PLUGIN`: loads the plug-in and serves it; 2 (said on stderr) when it
// does not load.
int run_plugin_host(const std::string& plugin_path);

}  // namespace gossip::certify
