#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fuzzing benchmark (issue 5): time to the first llist-self-loop on b0473dcd from an empty
# corpus, RUNS times per engine, with the smart harness (structure-aware mutator +
# interleaving feedback) and the plain one (SMPFUZZ_PLAIN=1: neither). AFL++ runs "smart" with the interleaving feedback and its
# own mutators, and "mutator" with libsmp_afl_mutator.so loaded as well (libFuzzer's "smart"
# has both already, so it has no "mutator" row). Plus libFuzzer's exec/s on the canonical
# 3-CPU scenario with the fixed target: its schedules fuzzed (SMPFUZZ_MUTATE=schedule), and
# the whole input fuzzed from it as the only seed. Prints median and 90th
# percentile; a run that finds nothing within TIMEOUT seconds counts as TIMEOUT (and is
# listed, so a median over timeouts is shown as ">TIMEOUT").
#
#   ci/bench-fuzz.sh                      # RUNS=20 TIMEOUT=60 ENGINES="libfuzzer afl"
#   RUNS=5 TIMEOUT=30 ENGINES=afl MODES=smart ci/bench-fuzz.sh
#
# One core per fuzzer process; run it on an otherwise idle machine and record the output
# in BENCHMARKS.md with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
TIMEOUT=${TIMEOUT:-60}
ENGINES=${ENGINES:-libfuzzer afl}
MODES=${MODES:-smart mutator plain}
for v in RUNS TIMEOUT; do
  case ${!v} in '' | *[!0-9]*) echo "bench-fuzz: $v must be a positive integer, got '${!v}'" >&2; exit 2 ;; esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$work/bin
mkdir -p "$bin"

echo "building (libfuzzer-opt, afl)..." >&2
bazel build //tools:smpfuzz >&2
cp "$(bazel info bazel-bin 2>/dev/null)/tools/smpfuzz" "$bin/smpfuzz"
bazel build --config=libfuzzer-opt //fuzz:smp_b0473dcd_fuzzer //fuzz:smp_fixed_fuzzer >&2
out=$(bazel info --config=libfuzzer-opt bazel-bin 2>/dev/null)
cp "$out/fuzz/smp_b0473dcd_fuzzer" "$bin/libfuzzer_b0473dcd"
cp "$out/fuzz/smp_fixed_fuzzer" "$bin/libfuzzer_fixed"
if [[ " $ENGINES " == *" afl "* ]]; then
  bazel build --config=afl //fuzz:smp_b0473dcd_fuzzer >&2
  cp "$(bazel info --config=afl bazel-bin 2>/dev/null)/fuzz/smp_b0473dcd_fuzzer" "$bin/afl_b0473dcd"
  bazel build -c opt //fuzz:libsmp_afl_mutator.so >&2
  cp "$(bazel info -c opt bazel-bin 2>/dev/null)/fuzz/libsmp_afl_mutator.so" "$bin/"
fi

. ci/bench-lib.sh

# Every crash must replay with `smpfuzz replay` to the same verdict (exit status 1).
check_replay() {
  local verdict
  verdict=$("$bin/smpfuzz" replay --notrace --variant=b0473dcd "$1" || true)
  grep -q 'verdict (b0473dcd): llist-self-loop' <<<"$verdict" ||
    { echo "bench-fuzz: $1 does not replay as llist-self-loop" >&2; exit 1; }
}

# One run; prints "SECONDS EXECS_PER_S" or "TIMEOUT EXECS_PER_S".
run_libfuzzer() {
  local seed=$1
  local dir=$work/lf.$seed
  mkdir -p "$dir"
  local t0 t1 rc=0
  t0=$(now)
  (cd "$dir" && SMPFUZZ_CRASH_ON=llist-self-loop timeout "$TIMEOUT" "$bin/libfuzzer_b0473dcd" \
    -seed="$seed" -max_len=512 -print_final_stats=1 >log 2>&1) || rc=$?
  t1=$(now)
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo 0)
  local crash
  crash=$(ls "$dir"/crash-* 2>/dev/null | head -1 || true)
  if [ -n "$crash" ]; then
    # The crash must replay to the same verdict.
    check_replay "$crash"
    awk -v a="$t0" -v b="$t1" -v e="${execs:-0}" 'BEGIN { d = b - a; printf "%.3f %.0f\n", d, (d > 0 ? e / d : 0) }'
  else
    awk -v a="$t0" -v b="$t1" -v e="${execs:-0}" 'BEGIN { d = b - a; printf "TIMEOUT %.0f\n", (d > 0 ? e / d : 0) }'
  fi
  rm -rf "$dir"
}

run_afl() {
  local seed=$1
  local dir=$work/afl.$seed
  mkdir -p "$dir/in"
  printf '\0' >"$dir/in/empty"
  local t0 t1 mutator=()
  [ "$BENCH_MODE" = mutator ] && mutator=(AFL_CUSTOM_MUTATOR_LIBRARY="$bin/libsmp_afl_mutator.so")
  t0=$(now)
  (cd "$dir" && env "${mutator[@]}" SMPFUZZ_CRASH_ON=llist-self-loop AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_BENCH_UNTIL_CRASH=1 AFL_QUIET=1 \
    timeout $((TIMEOUT + 10)) afl-fuzz -s "$seed" -i in -o out -V "$TIMEOUT" -- "$bin/afl_b0473dcd" \
    >log 2>&1) || true
  t1=$(now)
  local eps crash
  eps=$(awk -F: '/^execs_per_sec/ { gsub(/ /, "", $2); print $2 }' "$dir/out/default/fuzzer_stats" 2>/dev/null || echo 0)
  crash=$(ls "$dir"/out/default/crashes/id:* 2>/dev/null | head -1 || true)
  if [ -n "$crash" ]; then
    check_replay "$crash"
    awk -v a="$t0" -v b="$t1" -v e="${eps:-0}" 'BEGIN { printf "%.3f %.0f\n", b - a, e }'
  else
    echo "TIMEOUT ${eps:-0}"
  fi
  rm -rf "$dir"
}

printf '%-10s %-6s %5s  %-34s %12s  %s\n' engine mode runs "time to first llist-self-loop" "exec/s (med)" "timeouts"
for engine in $ENGINES; do
  for mode in $MODES; do
    [ "$engine/$mode" = libfuzzer/mutator ] && continue
    plain=0
    [ "$mode" = plain ] && plain=1
    results=()
    for ((i = 1; i <= RUNS; i++)); do
      results+=("$(BENCH_MODE=$mode SMPFUZZ_PLAIN=$plain "run_$engine" "$i")")
    done
    times=$(printf '%s\n' "${results[@]}" | awk '{ print $1 }')
    eps=$(printf '%s\n' "${results[@]}" | awk '{ print $2 }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    timeouts=$(printf '%s\n' "$times" | grep -c TIMEOUT || true)
    printf '%-10s %-6s %5d  %-34s %12s  %s\n' "$engine" "$mode" "$RUNS" "$(printf '%s\n' "$times" | summarize)" "$eps" "$timeouts"
  done
done

# exec/s of libFuzzer on the canonical scenario (fixed: nothing stops it), 20 s each.
canon=$work/canon
mkdir -p "$canon"
printf 'smpfuzz-repro 1\ncpus 3\nvariant fixed\ncsdlock_debug on\ncpu 1: call_single target=0 wait=0\ncpu 2: call_single target=0 wait=0\n' >"$canon/canon.repro"
"$bin/smpfuzz" convert "$canon/canon.repro" --to=bytes --out="$canon/canonical"
canonical_eps() {
  rm -rf "$canon/corpus" && mkdir -p "$canon/corpus" && cp "$canon/canonical" "$canon/corpus/"
  (cd "$canon" && env "$@" timeout 60 "$bin/libfuzzer_fixed" -max_len=40 -max_total_time=20 \
    -print_final_stats=1 corpus >log 2>&1) || true
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$canon/log" | grep -o '[0-9]*$' || echo 0)
  echo $((execs / 20))
}
echo "libfuzzer fixed, canonical 3-CPU scenario, its schedules fuzzed (SMPFUZZ_MUTATE=schedule), 20 s: $(canonical_eps SMPFUZZ_MUTATE=schedule) exec/s"
echo "libfuzzer fixed, whole inputs <= 40 bytes from the canonical seed, 20 s: $(canonical_eps SMPFUZZ_MUTATE=all) exec/s"
