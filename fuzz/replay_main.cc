// The main a fuzz target links when libFuzzer is absent (gcc: the dev, release and asan
// presets). It runs the target on inputs, so that ctest replays the seed corpus and the
// regressions of every target (label fuzz-replay) on any compiler:
//
//   <target> [-mutations=N] PATH...
//
// Each PATH is a file, or a directory whose files are run in name order. Other arguments
// starting with '-' are libFuzzer's options and are ignored, so one command line serves both
// builds (`-runs=0 corpus/ regressions/` under libFuzzer runs the same inputs). With
// -mutations=N, a target that has a custom mutator also runs N chained mutations of each
// input (seeded by the input's position): the structure-aware mutator is exercised in CI too.
// A failed check aborts; a PATH that does not exist exits 2.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" {
int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
__attribute__((weak)) std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                                          std::size_t max_size, unsigned int seed);

// libFuzzer's own byte-level mutator, which a custom mutator may call: here a small
// deterministic one (flip, insert or erase a byte).
std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size) {
  static std::uint64_t state = 0x9E3779B97F4A7C15u;
  state = state * 6364136223846793005u + 1442695040888963407u;
  const std::uint64_t r = state >> 33;
  const std::size_t at = size == 0 ? 0 : (r >> 8) % size;
  switch (r % 3) {
    case 0:
      if (size > 0) data[at] ^= static_cast<std::uint8_t>(1u << (r >> 40) % 8);
      return size;
    case 1:
      if (size < max_size) {
        std::memmove(data + at + 1, data + at, size - at);
        data[at] = static_cast<std::uint8_t>(r >> 16);
        return size + 1;
      }
      return size;
    default:
      if (size > 0) {
        std::memmove(data + at, data + at + 1, size - at - 1);
        return size - 1;
      }
      return size;
  }
}
}

namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  long mutations = 0;
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("-mutations=", 0) == 0) {
      mutations = std::strtol(arg.c_str() + std::strlen("-mutations="), nullptr, 10);
      continue;
    }
    if (!arg.empty() && arg[0] == '-') continue;  // a libFuzzer option
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      inputs.emplace_back(arg);
    } else {
      std::fprintf(stderr, "%s: no such file or directory: %s\n", argv[0], arg.c_str());
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  std::size_t runs = 0;
  for (std::size_t n = 0; n < inputs.size(); ++n) {
    std::vector<std::uint8_t> data = read_file(inputs[n]);
    std::fprintf(stderr, "running %s (%zu bytes)\n", inputs[n].c_str(), data.size());
    LLVMFuzzerTestOneInput(data.data(), data.size());
    ++runs;
    if (LLVMFuzzerCustomMutator == nullptr) continue;
    const std::size_t max_size = std::max<std::size_t>(4096, 2 * data.size());
    std::size_t size = data.size();
    for (long m = 0; m < mutations; ++m) {
      data.resize(max_size);
      size = LLVMFuzzerCustomMutator(data.data(), size, max_size,
                                     static_cast<unsigned>(n * 7919 + static_cast<std::size_t>(m)));
      data.resize(size);
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++runs;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu inputs, %zu runs, %.2f s, no failure\n", argv[0], inputs.size(), runs, seconds);
  return 0;
}
