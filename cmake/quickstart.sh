#!/usr/bin/env bash
# The README's Quick start. Installs what is missing (Debian 12, as root or with sudo),
# builds with the CMake presets and runs:
#   bash cmake/quickstart.sh main [SIM OPTIONS]   the main job (release build, then gossipcheck sim;
#                                   default: 1000 nodes, 200 trials, 20% message loss)
#   bash cmake/quickstart.sh test   the whole test suite under the release and asan presets
#                                   (ctest: the fuzz corpus replays and the certifications too),
#                                   the benchmarks built, and the kill matrix
#                                   (gossipcheck mutants --fail-fast: the properties must kill
#                                   every mutant; each runner stops at its first failing property)
#   bash cmake/quickstart.sh fuzz [fuzz/run.sh OPTIONS]   installs clang-14 and libFuzzer's
#                                   runtime too, then fuzzes (fuzz/README.md)
# In CI (CI=true) warnings are errors. Needs no standard input.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly PACKAGES=(cmake ninja-build g++ pkg-config libgtest-dev libbenchmark-dev
                   libxxhash-dev libboost-dev libcli11-dev nlohmann-json3-dev librapidcheck-dev libz3-dev libsodium-dev python3)

install_missing() {  # install_missing [more packages...]
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "quickstart: installing ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "quickstart: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {  # build <preset> [targets...]
  local preset=$1; shift
  cmake --preset "$preset" -DGOSSIP_WERROR="${WERROR}" >/dev/null
  if [[ $# -gt 0 ]]; then
    cmake --build --preset "$preset" --target "$@"
  else
    cmake --build --preset "$preset"
  fi
}

WERROR=OFF
[[ "${CI:-}" == "true" ]] && WERROR=ON

case "${1:-}" in
  main)
    install_missing
    build release gossipcheck
    if [[ $# -gt 1 ]]; then
      exec ./build/release/cli/gossipcheck sim "${@:2}"
    fi
    exec ./build/release/cli/gossipcheck sim --nodes 1000 --trials 200 --seed 1 --loss 0.2
    ;;
  test)
    # python3-xxhash: the docs-only decoder of examples/python/ that ctest compares with the
    # reference (docs.independent_decoder); python3-jsonschema: every certificate ctest makes
    # is checked against docs/certificate.schema.json.
    install_missing python3-xxhash python3-jsonschema
    run_ctest() {  # run_ctest <preset> [more targets...]
      echo "== $1: build"
      if [[ $# -gt 1 ]]; then build "$1" all "${@:2}"; else build "$1"; fi
      echo "== $1: ctest"
      ctest --preset "$1" -j "$(nproc)"
    }
    # The whole suite twice: optimised (release: every test, the examples, the benchmarks, and
    # one runner per mutant for the kill matrix), then under the sanitizers (asan). The dev
    # preset (-O0, for a debugger) runs the same tests more slowly and is left to developers:
    # nothing in the code depends on NDEBUG (GOSSIP_ASSERT is always on).
    run_ctest release gossip-mutants
    echo "== mutants: the quick profile must kill every mutant (docs/PROPERTIES.md)"
    ./build/release/cli/gossipcheck mutants --fail-fast --json build/release/mutants.json
    run_ctest asan
    ;;
  fuzz)
    install_missing clang-14 libclang-rt-14-dev llvm-14  # llvm-14: llvm-cov for --coverage
    exec bash fuzz/run.sh "${@:2}"
    ;;
  *)
    echo "usage: bash cmake/quickstart.sh main|test|fuzz" >&2
    exit 2
    ;;
esac
