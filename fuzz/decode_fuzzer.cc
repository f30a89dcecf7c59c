// decode: every decoder of the codec on arbitrary bytes (every frame kind: version,
// register, state, digest, and the sync protocol's hello, reply and walk).
//   - total: any bytes give a value or a Status, never a crash, a hang or undefined behaviour
//     (ASan and UBSan in the fuzz preset);
//   - bounded allocation: the peak heap of the decoders is at most a constant times the input
//     plus a constant (measured through the sanitizer allocator's hooks);
//   - canonical: bytes a decoder accepts re-encode to exactly the same bytes (I11);
//   - a frame whose checksum is wrong is refused.
// An input whose checksum is wrong is decoded as it is (it must be refused), then with its
// last four bytes replaced by the right checksum, so that every mutation of the payload
// reaches the payload's decoders (a fuzzer does not guess a 32-bit checksum).
#include <cstdio>
#include <cstdlib>

#include "fuzz/harness.h"
#include "reference/digest.h"

namespace {

using namespace gossip;
using namespace gossip::fuzz;

void check(ByteView input) {
  AllocationMeter meter;
  meter.start();
  const Decoded decoded = decode_any(input);
  const std::size_t peak = meter.stop();
  // GOSSIP_FUZZ_TRACE=1: the peak of each input, to measure the allowance's constant.
  static const bool tracing = std::getenv("GOSSIP_FUZZ_TRACE") != nullptr;
  if (tracing) std::fprintf(stderr, "decode: %zu input bytes, peak heap %zu bytes\n", input.size(), peak);
  check_decode_allocation(peak, input.size(), "the decoders");
  if (!decoded.kind) return;
  check_canonical(decoded, input);
  if (decoded.state) FUZZ_CHECK(decoded.state->tree().verify(), "a decoded state's tree is invalid");
  if (decoded.reg) FUZZ_CHECK(decoded.reg->reg.check_invariants(), "a decoded register is invalid");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  if (size < kFrameOverheadBytes) {
    check(input);
    return 0;
  }
  // The same bytes with the right checksum (the codec's checksum32 of every byte before it,
  // little-endian).
  Bytes sealed(data, data + size);
  const std::uint32_t sum = checksum32(ByteView(data, size - 4));
  for (std::size_t i = 0; i < 4; ++i) sealed[size - 4 + i] = static_cast<std::uint8_t>(sum >> (8 * i));
  if (!std::equal(sealed.begin(), sealed.end(), data)) {
    FUZZ_CHECK(!decode_any(input).kind, "a frame with a wrong checksum was accepted");
  }
  check(sealed);
  return 0;
}
