// decode: every decoder of the codec on arbitrary bytes (every frame kind: version,
// register, state, digest, and the sync protocol's hello, reply and walk).
//   - total: any bytes give a value or a Status, never a crash, a hang or undefined behaviour
//     (ASan and UBSan in the fuzz preset);
//   - bounded allocation: the peak heap of the decoders is at most a constant times the input
//     plus a constant (measured through the sanitizer allocator's hooks);
//   - canonical: bytes a decoder accepts re-encode to exactly the same bytes (I11);
//   - at most one decoder accepts any byte string (the kind byte decides).
// Each input is decoded twice: as it is (the checksum's rejections), and with its last four
// bytes replaced by the right checksum, so that every mutation of the payload reaches the
// payload's decoders (a fuzzer does not guess a 32-bit checksum).
#include <cstdio>
#include <cstdlib>

#include "fuzz/harness.h"
#include "reference/digest.h"

namespace {

using namespace gossip;
using namespace gossip::fuzz;

// Returns whether some decoder accepted the input.
bool check(ByteView input) {
  AllocationMeter meter;
  meter.start();
  const Decoded decoded = decode_any(input);
  const std::size_t peak = meter.stop();
  // GOSSIP_FUZZ_TRACE=1: the peak of each input, to measure the allowance's constant.
  static const bool tracing = std::getenv("GOSSIP_FUZZ_TRACE") != nullptr;
  if (tracing) std::fprintf(stderr, "decode: %zu input bytes, peak heap %zu bytes\n", input.size(), peak);
  check_decode_allocation(peak, input.size(), "the decoders");
  if (!decoded.kind) return false;
  check_canonical(decoded, input);
  if (decoded.state) FUZZ_CHECK(decoded.state->tree().verify(), "a decoded state's tree is invalid");
  if (decoded.reg) FUZZ_CHECK(decoded.reg->reg.check_invariants(), "a decoded register is invalid");
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool accepted = check(ByteView(data, size));
  if (size < kFrameOverheadBytes) return 0;
  // The same bytes with the right checksum (codec.h: low 32 bits of XXH3-64, seed 0, of every
  // byte before it, little-endian).
  Bytes sealed(data, data + size);
  const std::uint32_t sum = static_cast<std::uint32_t>(hash64(0, ByteView(data, size - 4)));
  for (std::size_t i = 0; i < 4; ++i) sealed[size - 4 + i] = static_cast<std::uint8_t>(sum >> (8 * i));
  // Accepted bytes already carried the right checksum (this one is the codec's).
  FUZZ_CHECK(!accepted || std::equal(sealed.begin(), sealed.end(), data), "the harness's checksum is not the codec's");
  if (!accepted) check(sealed);
  return 0;
}
