// The entry point of the reference plug-in, libgossip-reference.so.
#include "gossipcheck/plugin.h"

const gc_plugin* gossip_reference_plugin_table(const char* name);

extern "C" __attribute__((visibility("default"))) const gc_plugin* gossipcheck_plugin(void) {
  return gossip_reference_plugin_table("reference");
}
