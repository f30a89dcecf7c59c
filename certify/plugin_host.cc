// gossip-plugin-host PLUGIN: a plug-in (include/gossipcheck/plugin.h) served over the process
// protocol of docs/CERTIFY.md, so that it can be certified as a process of its own:
//   gossipcheck certify --impl-cmd "gossip-plugin-host ./libmynode.so"
// The plug-in then runs outside the process that judges it (docs/CERTIFY.md, "What a
// certificate can be trusted for").
#include <iostream>

#include "certify/process_server.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: gossip-plugin-host PLUGIN.so\n";
    return 2;
  }
  return gossip::certify::run_plugin_host(argv[1]);
}
