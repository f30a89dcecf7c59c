#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz preset: clang-14, ASan, UBSan) for a given time each,
# then merges what they found into the committed corpus.
#
#   bash fuzz/run.sh [--time SECONDS] [--jobs N] [--no-merge] [--minimize] [--plain]
#                    [--canary | --mutants | --coverage] [TARGET...]
#
#   --time S     seconds per target (default 60)
#   --jobs N     targets run side by side (default: the number of cores)
#   --no-merge   leave fuzz/corpus/ alone (new inputs stay under build/fuzz/campaign/)
#   --minimize   rewrite each target's corpus as the smallest set with the same coverage
#   --plain      libFuzzer without ASan and UBSan (build/fuzz-plain): several times the exec/s;
#                memory errors and the allocation bound are then seen only when the corpus is
#                replayed under the fuzz or asan preset (ctest does)
#   --canary     run only the canary from an empty corpus: it must crash (exit 0 if it does)
#   --mutants    fuzz the mutant builds of fuzz/kills.txt (at most --time s each, from the
#                target's corpus) until each crashes; the crashing input becomes
#                fuzz/kills/<target>/<mutant> (one that still kills is kept); exit 1 if a
#                mutant survives
#   --coverage   source coverage of reference/ by each target's corpus (clang's
#                -fprofile-instr-generate, a separate build in build/fuzz-coverage, the replay
#                mains): lines, functions and regions covered per target, and per file with -v
#   TARGET       decode merge roundtrip hostile_peer differential (default: all of them)
#
# Each target reads its options (fuzz/<target>_fuzzer.options, OSS-Fuzz's format: dict,
# max_len, timeout, rss_limit_mb, malloc_limit_mb), starts from fuzz/corpus/<target>/ and
# writes new inputs under build/fuzz/campaign/<target>/new/. The summary gives per target:
# runs, exec/s, edges covered of the edges instrumented, features, corpus size, crashes; it
# is also written to build/fuzz/campaign/summary.tsv. A crash is saved under
# build/fuzz/campaign/<target>/ and the script exits 1, printing how to replay it. Then:
# fix the bug, copy the input to fuzz/regressions/<target>/ (ctest replays it from then on).
# Needs clang-14, libclang-rt-14-dev and (for --coverage) llvm-14: `bash cmake/quickstart.sh fuzz
# ...` installs them.
set -euo pipefail
# Everything runs inside main, so bash has read the whole script before it starts: editing
# this file while a campaign runs cannot change what the campaign does next.
main() {
cd "$(dirname "$0")/.."

TIME=60
JOBS=$(nproc)
MERGE=1
MINIMIZE=0
CANARY=0
MUTANTS=0
COVERAGE=0
PLAIN=0
VERBOSE=0
TARGETS=()
ALL=(decode merge roundtrip hostile_peer differential)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --time) TIME=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --no-merge) MERGE=0; shift ;;
    --minimize) MINIMIZE=1; shift ;;
    --canary) CANARY=1; shift ;;
    --mutants) MUTANTS=1; shift ;;
    --coverage) COVERAGE=1; shift ;;
    --plain) PLAIN=1; shift ;;
    -v) VERBOSE=1; shift ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    -*) echo "fuzz/run.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
    *)
      if [[ ! " ${ALL[*]} " == *" $1 "* ]]; then
        echo "fuzz/run.sh: no target named '$1' (targets: ${ALL[*]})" >&2
        exit 2
      fi
      TARGETS+=("$1"); shift ;;
  esac
done
[[ "$TIME" =~ ^[0-9]+$ && "$TIME" -gt 0 ]] || { echo "fuzz/run.sh: --time needs a whole number of seconds > 0" >&2; exit 2; }
[[ "$JOBS" =~ ^[0-9]+$ && "$JOBS" -gt 0 ]] || { echo "fuzz/run.sh: --jobs needs a whole number > 0" >&2; exit 2; }
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=("${ALL[@]}")
if [[ $PLAIN -eq 1 && $((CANARY + MUTANTS + COVERAGE)) -gt 0 ]]; then
  echo "fuzz/run.sh: --plain is for campaigns (the canary and the mutants need the sanitizers)" >&2
  exit 2
fi

if [[ $COVERAGE -eq 1 ]]; then
  # Not the fuzz preset: no sanitizers, no libFuzzer; the replay mains run each corpus once.
  echo "== coverage: build (build/fuzz-coverage: clang-14, -fprofile-instr-generate -fcoverage-mapping)"
  cmake -S . -B build/fuzz-coverage -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS="-fprofile-instr-generate -fcoverage-mapping" -DGOSSIP_BUILD_TESTS=OFF \
    -DGOSSIP_BUILD_BENCH=OFF -DGOSSIP_BUILD_CLI=OFF -DGOSSIP_BUILD_MUTANTS=OFF >/dev/null
  cmake --build build/fuzz-coverage --target fuzzers
  dir=build/fuzz-coverage/profiles
  rm -rf "$dir" && mkdir -p "$dir"
  # The files each target is about (the whole of reference/ is linked into each).
  declare -A focus=([decode]="codec.cc encoding.cc sync_message.cc"
                    [merge]="state.cc register.cc merkle_tree.cc"
                    [roundtrip]="codec.cc encoding.cc sync_message.cc state.cc register.cc node.cc"
                    [hostile_peer]="node.cc sync_message.cc state.cc"
                    [differential]="state.cc register.cc resolve.cc")
  printf 'target\tinputs\tlines\tfunctions\tregions\tlines of the files it is about\n' >"$dir/summary.tsv"
  for t in "${TARGETS[@]}"; do
    exe=build/fuzz-coverage/fuzz/${t}_fuzzer
    LLVM_PROFILE_FILE="$dir/$t.profraw" "$exe" "fuzz/corpus/$t" >/dev/null 2>&1
    llvm-profdata-14 merge -sparse "$dir/$t.profraw" -o "$dir/$t.profdata"
    report=$(llvm-cov-14 report "$exe" -instr-profile="$dir/$t.profdata" reference/)
    total=$(grep '^TOTAL' <<<"$report")
    # TOTAL regions missed cover functions missed executed lines missed cover [branches...]
    read -r _ _ _ regions _ _ functions _ _ lines _ <<<"$total"
    files=""
    for f in ${focus[$t]}; do
      files+="$f $(awk -v f="$f" '$1 == f { print $10 }' <<<"$report"), "
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(find "fuzz/corpus/$t" -type f | wc -l)" "$lines" "$functions" "$regions" "${files%, }" >>"$dir/summary.tsv"
    if [[ $VERBOSE -eq 1 ]]; then echo "== $t"; echo "$report"; fi
  done
  echo "== coverage of reference/ by each corpus (also in $dir/summary.tsv)"
  if command -v column >/dev/null; then column -t -s $'\t' "$dir/summary.tsv"; else cat "$dir/summary.tsv"; fi
  exit 0
fi

if [[ $PLAIN -eq 1 ]]; then
  echo "== fuzz: build (build/fuzz-plain: clang-14, libFuzzer, no sanitizers)"
  cmake -S . -B build/fuzz-plain -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGOSSIP_FUZZ=ON -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" -DGOSSIP_BUILD_TESTS=OFF \
    -DGOSSIP_BUILD_BENCH=OFF -DGOSSIP_BUILD_CLI=OFF -DGOSSIP_BUILD_MUTANTS=OFF >/dev/null
  cmake --build build/fuzz-plain --target fuzzers
  BIN=build/fuzz-plain/fuzz
else
  echo "== fuzz: build (preset fuzz)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz --target fuzzers
  BIN=build/fuzz/fuzz
fi
CAMPAIGN=build/fuzz/campaign
mkdir -p "$CAMPAIGN"

# libFuzzer flags from an OSS-Fuzz .options file ([libfuzzer] section, key = value).
options_of() {
  local file="fuzz/$1_fuzzer.options"
  [[ -f "$file" ]] || return 0
  awk -F' *= *' -v dir="fuzz/" '
    /^\[/ { in_section = ($0 == "[libfuzzer]"); next }
    in_section && NF == 2 { v = $2; if ($1 == "dict") v = dir v; printf "-%s=%s\n", $1, v }' "$file"
}

if [[ $CANARY -eq 1 ]]; then
  dir="$CAMPAIGN/canary"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "== canary: must crash within ${TIME} s"
  if "$BIN/canary_fuzzer" -seed=1 -max_total_time="$TIME" -artifact_prefix="$dir/" >"$dir/log" 2>&1; then
    echo "canary: did not crash in ${TIME} s: the harness or the sanitizers are not working" >&2
    tail -5 "$dir/log" >&2
    exit 1
  fi
  grep -m1 -E "ERROR: (AddressSanitizer|libFuzzer)|runtime error|fuzz check failed" "$dir/log" || true
  grep -m1 "Test unit written to" "$dir/log"
  exit 0
fi

if [[ $MUTANTS -eq 1 ]]; then
  cmake --build --preset fuzz --target fuzz-mutants
  survivors=0
  while read -r t m; do
    [[ -z "$t" || "$t" == \#* ]] && continue
    [[ ${#TARGETS[@]} -lt ${#ALL[@]} && ! " ${TARGETS[*]} " == *" $t "* ]] && continue
    kill="fuzz/kills/$t/$m"
    exe="$BIN/${t}_fuzzer.$m"
    if [[ -f "$kill" ]] && ! "$exe" "$kill" >/dev/null 2>&1; then
      echo "$t $m: killed by $kill (kept)"
      continue
    fi
    dir="$CAMPAIGN/mutants/$t.$m"
    rm -rf "$dir" && mkdir -p "$dir/new"
    mapfile -t flags < <(options_of "$t")
    start=$(date +%s)
    "$exe" "${flags[@]}" -max_total_time="$TIME" -artifact_prefix="$dir/" "$dir/new" "fuzz/corpus/$t" >"$dir/log" 2>&1 || true
    took=$(( $(date +%s) - start ))
    crash=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | head -1)
    if [[ -n "$crash" ]]; then
      mkdir -p "fuzz/kills/$t"
      cp "$crash" "$kill"
      why=$(grep -m1 -oE "fuzz check failed at [^ ]*: .*|assertion failed: .*|ERROR: AddressSanitizer: [a-z-]*|runtime error: .*" "$dir/log" || echo "see $dir/log")
      echo "$t $m: killed in ${took} s: $why"
    else
      echo "$t $m: SURVIVED ${TIME} s of fuzzing (log: $dir/log)"
      survivors=$((survivors + 1))
    fi
  done <fuzz/kills.txt
  [[ $survivors -eq 0 ]] || { echo "$survivors mutant(s) survived" >&2; exit 1; }
  exit 0
fi

run_one() {
  local t=$1 dir="$CAMPAIGN/$1"
  rm -rf "$dir" && mkdir -p "$dir/new"
  local flags
  mapfile -t flags < <(options_of "$t")
  local rc=0
  "$BIN/${t}_fuzzer" "${flags[@]}" -max_total_time="$TIME" -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/new" "fuzz/corpus/$t" >"$dir/log" 2>&1 || rc=$?
  echo "$rc" >"$dir/rc"
}

echo "== fuzz: ${TARGETS[*]}, ${TIME} s each, ${JOBS} at a time"
running=0
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [[ $running -ge $JOBS ]]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

printf 'target\tseconds\truns\texec/s\tedges\tedges_instrumented\tfeatures\tcorpus\tcrashes\n' >"$CAMPAIGN/summary.tsv"
failed=0
for t in "${TARGETS[@]}"; do
  dir="$CAMPAIGN/$t"
  log="$dir/log"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo 0)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo 0)
  corp=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo 0)
  total=$(grep -o 'Loaded [0-9]* modules *([0-9]* inline 8-bit counters)' "$log" | grep -o '([0-9]*' | tr -d '(' || echo 0)
  crashes=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$TIME" "$runs" "$eps" "$cov" "$total" "$ft" "$corp" "$crashes" >>"$CAMPAIGN/summary.tsv"
  if [[ $crashes -gt 0 || $(cat "$dir/rc") -ne 0 ]]; then
    failed=1
    echo "== $t: FAILED (exit $(cat "$dir/rc")); the report:" >&2
    grep -m3 -E "ERROR:|runtime error|fuzz check failed|assertion failed" "$log" >&2 || tail -20 "$log" >&2
    for f in $(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \)); do
      echo "   replay: $BIN/${t}_fuzzer $f   (or with gcc: build/dev/fuzz/${t}_fuzzer $f)" >&2
    done
  fi
  if [[ $MERGE -eq 1 ]]; then
    mapfile -t flags < <(options_of "$t")  # max_len: inputs longer than it would be cut
    if [[ $MINIMIZE -eq 1 ]]; then
      rm -rf "$dir/minimal" && mkdir -p "$dir/minimal"
      "$BIN/${t}_fuzzer" "${flags[@]}" -merge=1 "$dir/minimal" "fuzz/corpus/$t" "$dir/new" >"$dir/merge.log" 2>&1
      rm -rf "fuzz/corpus/$t" && cp -r "$dir/minimal" "fuzz/corpus/$t"
    else
      "$BIN/${t}_fuzzer" "${flags[@]}" -merge=1 "fuzz/corpus/$t" "$dir/new" >"$dir/merge.log" 2>&1
    fi
  fi
done
echo "== summary (also in $CAMPAIGN/summary.tsv)"
if command -v column >/dev/null; then column -t -s $'\t' "$CAMPAIGN/summary.tsv"; else cat "$CAMPAIGN/summary.tsv"; fi
if [[ $MERGE -eq 1 ]]; then
  echo "corpus: $(find fuzz/corpus -type f | wc -l) files, $(du -sh --apparent-size fuzz/corpus | cut -f1) (git status shows what the merge added)"
fi
exit $failed
}

main "$@"
