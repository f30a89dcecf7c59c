// The custom mutator of the targets whose input is two states (merge, differential): one side
// edited field by field (harness.h, mutate_pair), so that both sides keep decoding and the
// merge is reached.
#include "fuzz/harness.h"

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  return gossip::fuzz::mutate_pair(data, size, max_size, seed);
}
