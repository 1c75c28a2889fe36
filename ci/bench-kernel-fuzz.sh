#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernel guest under libFuzzer (issue 15's acceptance figures): Linux's own smp.c
# (//fuzz:kernel_smp_<variant>_fuzzer, --config=libfuzzer-opt).
#  1. b0473dcd from an empty corpus, RUNS times (-seed=1..RUNS): the time from start to the
#     first llist-self-loop (SMPFUZZ_CRASH_ON=llist-self-loop); median and p90. Every crash
#     must replay with `smpfuzz replay --guest=kernel` to the same verdict. Target: median
#     <= 1 s over 20 runs.
#  2. fixed from an empty corpus for FIXED_TIME seconds, every signature a crash (the known
#     findings are not): it must end without a crash. Target: 600 s clean.
#  With MODEL=1, step 1 also runs on the model's target (//fuzz:smp_b0473dcd_fuzzer).
#
#   ci/bench-kernel-fuzz.sh                          # RUNS=20 TIMEOUT=60 FIXED_TIME=600
#   RUNS=5 FIXED_TIME=60 MODEL=1 ci/bench-kernel-fuzz.sh
#   BAZEL=/work/bz ci/bench-kernel-fuzz.sh          # any bazel command (a lock wrapper)
#
# One fuzzer process at a time, one core. Exits 1 if a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
TIMEOUT=${TIMEOUT:-60}
FIXED_TIME=${FIXED_TIME:-600}
MODEL=${MODEL:-0}
BAZEL=${BAZEL:-bazel}
for v in RUNS TIMEOUT FIXED_TIME; do
  case ${!v} in '' | *[!0-9]* | 0) echo "bench-kernel-fuzz: $v must be a positive integer, got '${!v}'" >&2; exit 2 ;; esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$work/bin
mkdir -p "$bin"

echo "building (default: smpfuzz; libfuzzer-opt: the fuzz targets)..." >&2
$BAZEL build //tools:smpfuzz >&2
cp "$($BAZEL info bazel-bin 2>/dev/null)/tools/smpfuzz" "$bin/smpfuzz"
targets=(//fuzz:kernel_smp_b0473dcd_fuzzer //fuzz:kernel_smp_fixed_fuzzer)
[ "$MODEL" = 1 ] && targets+=(//fuzz:smp_b0473dcd_fuzzer)
$BAZEL build --config=libfuzzer-opt "${targets[@]}" >&2
out=$($BAZEL info --config=libfuzzer-opt bazel-bin 2>/dev/null)
for t in "${targets[@]}"; do cp "$out/fuzz/${t#//fuzz:}" "$bin/"; done

. ci/bench-lib.sh
executions() { grep -o 'stat::number_of_executed_units: *[0-9]*' "$1" | grep -o '[0-9]*$' || echo 0; }

# One run of target $1 (guest flag $2) with seed $3 until the first llist-self-loop;
# prints "SECONDS EXECS_PER_S" or "TIMEOUT EXECS_PER_S".
self_loop_run() {
  local target=$1 guest=$2 seed=$3
  local dir=$work/run.$seed
  mkdir -p "$dir"
  local t0 t1
  t0=$(now)
  (cd "$dir" && SMPFUZZ_CRASH_ON=llist-self-loop timeout "$TIMEOUT" "$bin/$target" \
    -seed="$seed" -max_len=512 -print_final_stats=1 >log 2>&1) || true
  t1=$(now)
  local crash verdict execs
  execs=$(executions "$dir/log")
  crash=$(ls "$dir"/crash-* 2>/dev/null | head -1 || true)
  if [ -n "$crash" ]; then
    verdict=$("$bin/smpfuzz" replay $guest --notrace --variant=b0473dcd "$crash" || true)
    grep -q 'verdict (b0473dcd): llist-self-loop' <<<"$verdict" ||
      { echo "bench-kernel-fuzz: $crash ($target, seed $seed) does not replay as llist-self-loop" >&2; exit 1; }
    awk -v a="$t0" -v b="$t1" -v e="$execs" 'BEGIN { d = b - a; printf "%.3f %.0f\n", d, (d > 0 ? e / d : 0) }'
  else
    awk -v a="$t0" -v b="$t1" -v e="$execs" 'BEGIN { d = b - a; printf "TIMEOUT %.0f\n", (d > 0 ? e / d : 0) }'
  fi
  rm -rf "$dir"
}

failed=0
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %5s  %-34s %12s  %s\n' target runs "time to first llist-self-loop" "exec/s (med)" timeouts
rows=("kernel_smp_b0473dcd_fuzzer --guest=kernel")
[ "$MODEL" = 1 ] && rows+=("smp_b0473dcd_fuzzer ")
for row in "${rows[@]}"; do
  target=${row%% *}
  guest=${row#* }
  results=()
  for ((i = 1; i <= RUNS; i++)); do results+=("$(self_loop_run "$target" "$guest" "$i")"); done
  times=$(printf '%s\n' "${results[@]}" | awk '{ print $1 }')
  eps=$(printf '%s\n' "${results[@]}" | awk '{ print $2 }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  timeouts=$(grep -c TIMEOUT <<<"$times" || true)
  summary=$(summarize <<<"$times")
  printf '%-28s %5d  %-34s %12s  %s\n' "$target" "$RUNS" "$summary" "$eps" "$timeouts"
  echo "  times: $(tr '\n' ' ' <<<"$times")"
  if [ "$target" = kernel_smp_b0473dcd_fuzzer ]; then
    median=$(sort -g <<<"$times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    awk -v m="$median" 'BEGIN { exit !(m != "TIMEOUT" && m <= 1.0) }' ||
      { echo "  MISSED: median must be <= 1 s"; failed=1; }
  fi
done

# The fixed kernel target, every finding a crash, FIXED_TIME seconds.
dir=$work/fixed
mkdir -p "$dir/corpus"
t0=$(now)
rc=0
(cd "$dir" && timeout $((FIXED_TIME + 60)) "$bin/kernel_smp_fixed_fuzzer" -max_len=512 \
  -max_total_time="$FIXED_TIME" -print_final_stats=1 corpus >log 2>&1) || rc=$?
t1=$(now)
execs=$(executions "$dir/log")
crashes=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
awk -v a="$t0" -v b="$t1" -v e="$execs" -v c="$(ls "$dir/corpus" | wc -l)" \
  'BEGIN { d = b - a; printf "kernel_smp_fixed_fuzzer: %.0f s, %d executions (%.0f exec/s), corpus %d, ", d, e, e / d, c }'
if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]; then
  echo "clean"
else
  echo "NOT CLEAN (exit $rc, $crashes crash files):"
  grep -A3 '==smpfuzz== finding' "$dir/log" | head -20 || tail -20 "$dir/log"
  failed=1
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$failed"
