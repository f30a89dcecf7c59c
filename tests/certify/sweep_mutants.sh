#!/usr/bin/env bash
# Certifies every mutant of the node's code built as a plug-in (target gossip-mutant-plugins)
# (with --fail-fast: it stops at the first property that fails) and checks that each fails, and
# that each saved counterexample (a history or a case file) replays: it fails again on the
# mutant and holds on the reference plug-in. Prints one line per mutant (a Markdown table) and
# exits 1 when a mutant is certified or a counterexample does not replay.
#   bash tests/certify/sweep_mutants.sh BUILD_DIR [PROFILE] [OUT]
set -u
build=${1:?usage: sweep_mutants.sh BUILD_DIR [PROFILE] [OUT]}
profile=${2:-smoke}
out=${3:-$build/certify-mutants}
cli=$build/cli/gossipcheck
ref=$build/certify/libgossip-reference.so
rm -rf "$out"
mkdir -p "$out"
status=0
echo "| mutant | exit | failing properties | counterexamples replayed | seconds |"
echo "|---|---|---|---|---|"
for plugin in "$build"/properties/mutants/libgossip-mutant-plugin-*.so; do
  name=$(basename "$plugin" .so)
  name=${name#libgossip-mutant-plugin-}
  start=$(date +%s.%N)
  "$cli" certify --impl "$plugin" --profile "$profile" --fail-fast --out "$out/$name" > "$out/$name.txt" 2>&1
  code=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  failing=$(/usr/bin/python3 -c "
import json,sys
c=json.load(open(sys.argv[1]))
print(' '.join(p['property'] for p in c.get('properties',[]) if p['verdict'] not in ('holds','not applicable','not run')) or '-')" "$out/$name/certificate.json" 2>/dev/null || echo "?")
  replayed=0
  bad=""
  for h in "$out/$name"/counterexamples/*.history "$out/$name"/counterexamples/*.case; do
    [[ -e "$h" ]] || continue
    # A history of replay_deterministic shows that two runs differ: it cannot replay bit for bit.
    [[ $(basename "$h") == replay_deterministic-* ]] && continue
    "$cli" replay --quiet --impl "$plugin" "$h" > /dev/null 2>&1; r1=$?
    "$cli" replay --quiet --impl "$ref" "$h" > /dev/null 2>&1; r2=$?
    if [[ $r1 == 1 && $r2 == 0 ]]; then replayed=$((replayed + 1)); else bad="$bad $(basename "$h")($r1/$r2)"; fi
  done
  [[ $code == 1 && -z "$bad" ]] || status=1
  echo "| $name | $code | $failing | $replayed${bad:+, NOT:$bad} | $secs |"
done
exit $status
