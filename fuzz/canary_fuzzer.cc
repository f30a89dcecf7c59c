// canary: a target that must crash, to show that the harness and the sanitizers work. The
// fuzzer has to find the 4-byte prefix "GSSP" (byte comparisons: coverage guidance and
// libFuzzer's comparison tracing at work), then byte 5 picks the bug:
//   'A': a heap read one past the end of a buffer (AddressSanitizer),
//   'U': a signed overflow (UndefinedBehaviorSanitizer),
//   anything else: a failed FUZZ_CHECK (the harness's abort).
// ctest checks each under the asan preset; fuzz/run.sh --canary under the fuzz preset.
#include <cstring>
#include <memory>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5 || data[0] != 'G' || data[1] != 'S' || data[2] != 'S' || data[3] != 'P') return 0;
  if (data[4] == 'A') {
    auto copy = std::make_unique<std::uint8_t[]>(size);
    std::memcpy(copy.get(), data, size);
    volatile std::uint8_t past = copy[size];  // one past the end
    return past;
  }
  if (data[4] == 'U') {
    volatile int big = 0x7fffffff;
    volatile int sum = big + static_cast<int>(size);  // overflows: size >= 5
    return sum == 0;
  }
  FUZZ_CHECK(false, "the canary's check fails, as it must");
  return 0;
}
