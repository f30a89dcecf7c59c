// A plug-in (include/gossipcheck/plugin.h) behind the seam: dlopen, the ABI check, and a node
// under test per gc_node. Load it only in a process that may die with it: certify runs every
// property in a child process of its own (certify/runner.h).
#pragma once

#include <memory>
#include <string>

#include "faultnet/node_under_test.h"
#include "reference/status.h"

namespace gossip::certify {

// The plug-in at `path`, checked: it loads, exports gossipcheck_plugin, and its table has our
// ABI version, a name, a version and every mandatory function. An error says which.
Result<std::shared_ptr<const Implementation>> load_plugin(const std::string& path);

}  // namespace gossip::certify
