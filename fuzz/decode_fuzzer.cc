// decode: every decoder of the codec on arbitrary bytes (every frame kind: version,
// register, state, digest, and the sync protocol's hello, reply and walk).
//   - total: any bytes give a value or a Status, never a crash, a hang or undefined behaviour
//     (ASan and UBSan in the fuzz preset);
//   - bounded allocation: the peak heap of the decoders is at most a constant times the input
//     plus a constant (measured through the sanitizer allocator's hooks);
//   - canonical: bytes a decoder accepts re-encode to exactly the same bytes (I11);
//   - at most one decoder accepts any byte string (the kind byte decides).
#include <cstdio>
#include <cstdlib>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gossip;
  using namespace gossip::fuzz;
  const ByteView input(data, size);
  AllocationMeter meter;
  meter.start();
  const Decoded decoded = decode_any(input);
  const std::size_t peak = meter.stop();
  // GOSSIP_FUZZ_TRACE=1: the peak of each input, to measure the allowance's constant.
  static const bool tracing = std::getenv("GOSSIP_FUZZ_TRACE") != nullptr;
  if (tracing) std::fprintf(stderr, "decode: %zu input bytes, peak heap %zu bytes\n", size, peak);
  check_decode_allocation(peak, size, "the decoders");
  if (!decoded.kind) return 0;
  check_canonical(decoded, input);
  if (decoded.state) FUZZ_CHECK(decoded.state->tree().verify(), "a decoded state's tree is invalid");
  if (decoded.reg) FUZZ_CHECK(decoded.reg->reg.check_invariants(), "a decoded register is invalid");
  return 0;
}
