// The decoder rules' kill matrix: the reference node as a plug-in, its decoder compiled with
// GOSSIP_DECODE_RULE_HOOKS (reference/decode_rules.h), skipping the one rule named by the
// environment variable GOSSIP_SKIP_RULE ("varint.overlong", "count.over-limit:episode count",
// ...): a node whose decoder misses exactly that rule. ctest certifies it once per rule and
// expects refused_rules_leave_no_trace to fail each time; without the variable it is the
// reference.
#include <cstdlib>
#include <string>

#include "gossipcheck/plugin.h"

namespace gossip {

bool decode_rule_skipped(const char* id, const char* detail) {
  static const char* const skip = std::getenv("GOSSIP_SKIP_RULE");
  if (skip == nullptr) return false;
  std::string name = id;
  if (detail != nullptr) name += std::string(":") + detail;
  return name == skip;
}

}  // namespace gossip

const gc_plugin* gossip_reference_plugin_table(const char* name);

extern "C" __attribute__((visibility("default"))) const gc_plugin* gossipcheck_plugin(void) {
  static const std::string name = [] {
    const char* skip = std::getenv("GOSSIP_SKIP_RULE");
    return std::string("reference skipping the decoding rule ") + (skip ? skip : "(none)");
  }();
  return gossip_reference_plugin_table(name.c_str());
}
