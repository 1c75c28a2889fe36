#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# AFL++ stability benchmark (issue 12, item 6): runs afl-fuzz for MINUTES on each fuzz target
# (built with --config=afl) from corpus/smp and prints the "stability" figure of its
# fuzzer_stats: the share of coverage-map bytes that did not change between runs of one input.
# The simulator is deterministic, so anything below 100% is instrumentation seeing state that
# earlier inputs left in the persistent process, or addresses.
#
#   ci/bench-stability.sh                          # MINUTES=3 on smp_fixed_fuzzer, smp_b0473dcd_fuzzer
#   MINUTES=1 TARGETS=smp_fixed_fuzzer ci/bench-stability.sh
#   BIN_DIR=/tmp/old ci/bench-stability.sh         # binaries already built: BIN_DIR/TARGET
#   BAZEL=/work/bz ci/bench-stability.sh           # the Bazel command (default: bazel)
#
# One afl-fuzz at a time, on an otherwise idle machine; record the output in BENCHMARKS.md
# with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${MINUTES:-3}
TARGETS=${TARGETS:-smp_fixed_fuzzer smp_b0473dcd_fuzzer}
BAZEL=${BAZEL:-bazel}
case $MINUTES in '' | *[!0-9]* | 0) echo "bench-stability: MINUTES must be a positive integer, got '$MINUTES'" >&2; exit 2 ;; esac
command -v afl-fuzz >/dev/null || { echo "bench-stability: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bin=${BIN_DIR:-}
if [ -z "$bin" ]; then
  bin=$work/bin
  mkdir -p "$bin"
  labels=()
  for t in $TARGETS; do labels+=("//fuzz:$t"); done
  echo "bench-stability: building ${labels[*]} (--config=afl)..." >&2
  $BAZEL build --config=afl "${labels[@]}" >&2
  out=$($BAZEL info --config=afl bazel-bin 2>/dev/null)
  for t in $TARGETS; do cp "$out/fuzz/$t" "$bin/$t"; done
fi
for t in $TARGETS; do
  [ -x "$bin/$t" ] || { echo "bench-stability: $bin/$t: no such executable" >&2; exit 2; }
done

stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$2"; }

printf '%-22s %7s %10s %12s %9s %9s %8s\n' target minutes stability execs_per_sec edges var_bytes crashes
for t in $TARGETS; do
  dir=$work/$t
  mkdir -p "$dir"
  cp -r corpus/smp "$dir/in"
  (cd "$dir" && AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    AFL_SKIP_CRASHES=1 timeout $((MINUTES * 60 + 60)) afl-fuzz -i in -o out -V $((MINUTES * 60)) -- "$bin/$t" \
    >log 2>&1) || true
  stats=$dir/out/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    echo "bench-stability: afl-fuzz wrote no fuzzer_stats for $t; its log ends:" >&2
    tail -n 20 "$dir/log" >&2
    exit 1
  fi
  printf '%-22s %7s %10s %12s %9s %9s %8s\n' "$t" "$MINUTES" "$(stat stability "$stats")" \
    "$(stat execs_per_sec "$stats")" "$(stat edges_found "$stats")" "$(stat var_byte_count "$stats")" \
    "$(stat saved_crashes "$stats")"
done
