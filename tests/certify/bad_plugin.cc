// Broken plug-ins, each the reference plug-in's table with one defect, for the certify tests:
// BAD_SEGFAULT dies in receive() once messages flow, BAD_HANG loops for ever in receive(),
// BAD_ABI claims another ABI version, BAD_INIT refuses every node, BAD_ADDRESS sends every
// message to an address that is no member of the cluster. Each must get its documented
// verdict and exit code (docs/CERTIFY.md, "Verdicts and time limits") in bounded time.
#include <csignal>
#include <cstdint>

#include "gossipcheck/plugin.h"

const gc_plugin* gossip_reference_plugin_table(const char* name);

namespace {

gc_plugin table;

[[maybe_unused]] void receive_segfault(gc_node*, std::uint32_t, const std::uint8_t*, std::size_t) {
  std::raise(SIGSEGV);
}

[[maybe_unused]] void receive_hang(gc_node*, std::uint32_t, const std::uint8_t*, std::size_t) {
  for (;;) __asm__ __volatile__("");  // a side effect: the loop may not be assumed to end
}

[[maybe_unused]] gc_node* init_refuse(const gc_init*, gc_bytes_sink error, void* ctx) {
  static const char kWhy[] = "this plug-in refuses every node";
  error(ctx, reinterpret_cast<const std::uint8_t*>(kWhy), sizeof kWhy - 1);
  return nullptr;
}

struct Readdressed {
  gc_message_sink sink;
  void* ctx;
};

[[maybe_unused]] void send_elsewhere(void* ctx, std::uint32_t to, const std::uint8_t* data, std::size_t size) {
  auto* r = static_cast<Readdressed*>(ctx);
  r->sink(r->ctx, to + 1000, data, size);
}

[[maybe_unused]] void take_outbox_misaddressed(gc_node* node, gc_message_sink sink, void* ctx) {
  Readdressed r{sink, ctx};
  gossip_reference_plugin_table("")->take_outbox(node, send_elsewhere, &r);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const gc_plugin* gossipcheck_plugin(void) {
  table = *gossip_reference_plugin_table("broken " BAD_NAME);
#if defined(BAD_SEGFAULT)
  table.receive = receive_segfault;
#elif defined(BAD_HANG)
  table.receive = receive_hang;
#elif defined(BAD_ABI)
  table.abi_version = GOSSIPCHECK_ABI_VERSION + 1;
#elif defined(BAD_INIT)
  table.init = init_refuse;
#elif defined(BAD_ADDRESS)
  table.take_outbox = take_outbox_misaddressed;
#endif
  return &table;
}
