// Broken plug-ins, each the reference plug-in's table with one defect, for the certify tests:
// BAD_SEGFAULT dies in receive() once messages flow, BAD_HANG loops for ever in receive(),
// BAD_ABI claims another ABI version, BAD_INIT refuses every node, BAD_ADDRESS sends every
// message to an address that is no member of the cluster. Each must get its documented
// verdict and exit code (docs/CERTIFY.md, "Verdicts and time limits") in bounded time.
// BAD_ABI1 is not broken either: the reference built for ABI version 1 (a table that ends
// before view): it must load, and its certificate must say the view was not certified.
// BAD_DIGEST is not broken: its fingerprint is an 8-byte digest of the reference's, which
// docs/CERTIFY.md allows; flood_memory_bounded must then say it cannot judge (not applicable).
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

struct Digest {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
};

[[maybe_unused]] void digest_bytes(void* ctx, const std::uint8_t* data, std::size_t size) {
  auto* d = static_cast<Digest*>(ctx);
  for (std::size_t i = 0; i < size; ++i) d->h = (d->h ^ data[i]) * 1099511628211ull;
}

[[maybe_unused]] void fingerprint_digest(const gc_node* node, gc_bytes_sink sink, void* ctx) {
  Digest d;
  gossip_reference_plugin_table("")->fingerprint(node, digest_bytes, &d);
  std::uint8_t out[8];
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(d.h >> (8 * i));
  sink(ctx, out, sizeof out);
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
#elif defined(BAD_ABI1)
  table.abi_version = 1;
  table.view = nullptr;  // what a version-1 table would have there, if anything
#elif defined(BAD_INIT)
  table.init = init_refuse;
#elif defined(BAD_ADDRESS)
  table.take_outbox = take_outbox_misaddressed;
#elif defined(BAD_DIGEST)
  table.fingerprint = fingerprint_digest;
#endif
  return &table;
}
