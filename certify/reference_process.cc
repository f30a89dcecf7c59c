// gossip-node-process: the reference node over the process protocol of docs/CERTIFY.md, so that
// `gossipcheck certify --impl-cmd` is tested on a known-good node and its overhead measured.
// Reads one JSON request per line on stdin, writes one JSON answer per line on stdout, hosts
// every node of the run (by the handle the suite gives), exits at the end of its input.
#include <iostream>

#include "certify/process_server.h"

int main() {
  std::ios::sync_with_stdio(false);
  return gossip::certify::serve_process_protocol(gossip::reference_implementation(), std::cin, std::cout,
                                                 {"reference", "gossipcheck reference node (process)"});
}
