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
# The bug suite (issue 18): `ci/bench-fuzz.sh bugs` runs every bug of the variant table
# (b0473dcd and every mutant; BUGS="..." for some) x ENGINES x {smart, plain} x RUNS
# trials from an empty corpus, each to its first finding (any signature but the known
# findings, fuzz/known_findings.cc) or TIMEOUT seconds, JOBS trials at a time (default 2,
# one core each), on the fixed targets with SMPFUZZ_VARIANT=BUG. libFuzzer's smart is its
# harness's mutator and interleaving feedback, plain neither (SMPFUZZ_PLAIN=1); AFL++'s
# smart is the interleaving feedback with libsmp_afl_mutator.so, plain neither. Every
# finding must replay (`smpfuzz replay`, exit 1). Prints per cell the median time to the
# first finding with its distribution-free 95% interval and the timeouts, and per bug and
# engine the Mann-Whitney U test of smart against plain (two-sided p, A12 of smart being
# faster; tools/fuzz_stats). The whole suite at RUNS=20 TIMEOUT=60 is up to 18 x 2 x 2 x
# 20 minutes of CPU: about 12 hours on 2 cores in the worst case.
#
# One core per fuzzer process; run it on an otherwise idle machine and record the output
# in BENCHMARKS.md with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=${1:-speed}
case $SUITE in speed | bugs) ;; *) echo "bench-fuzz: expected no argument or 'bugs', got '$SUITE'" >&2; exit 2 ;; esac
RUNS=${RUNS:-20}
TIMEOUT=${TIMEOUT:-60}
JOBS=${JOBS:-2}
ENGINES=${ENGINES:-libfuzzer afl}
MODES=${MODES:-smart mutator plain}
for v in RUNS TIMEOUT JOBS; do
  case ${!v} in '' | *[!0-9]* | 0*) echo "bench-fuzz: $v must be a positive integer, got '${!v}'" >&2; exit 2 ;; esac
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

if [ "$SUITE" = bugs ]; then
  bazel build -c opt //tools:fuzz_stats //fuzz:libsmp_afl_mutator.so >&2
  cp "$(bazel info -c opt bazel-bin 2>/dev/null)/tools/fuzz_stats" "$bin/"
  cp "$(bazel info -c opt bazel-bin 2>/dev/null)/fuzz/libsmp_afl_mutator.so" "$bin/"
  if [[ " $ENGINES " == *" afl "* ]]; then
    bazel build --config=afl //fuzz:smp_fixed_fuzzer >&2
    cp "$(bazel info --config=afl bazel-bin 2>/dev/null)/fuzz/smp_fixed_fuzzer" "$bin/afl_fixed"
  fi
  # Every variant but the real ones: the list `smpfuzz` prints for an unknown one.
  printf 'smpfuzz-repro 1\ncpus 2\nvariant fixed\ncsdlock_debug on\n' >"$work/empty.repro"
  all=$({ "$bin/smpfuzz" replay "$work/empty.repro" --variant=- 2>&1 || true; } |
    sed -n 's/.*(known: \(.*\)).*/\1/p' | tr -d ',')
  [ -n "$all" ] || { echo "bench-fuzz: could not list the variants" >&2; exit 1; }
  BUGS=${BUGS:-$(tr ' ' '\n' <<<"$all" | grep -v -x -e baseline -e fixed | tr '\n' ' ')}
  for b in $BUGS; do
    [[ " $all " == *" $b "* ]] || { echo "bench-fuzz: unknown bug '$b' (known: $all)" >&2; exit 2; }
  done
  MODES=${BUG_MODES:-smart plain}
  res=$work/res
  mkdir -p "$res"
  keep=$PWD/bench-fuzz-unreplayed  # a finding that does not replay is kept here, not lost
  # One trial: BUG ENGINE MODE SEED; appends its time (or TIMEOUT) to its cell's file.
  trial() {
    local bug=$1 engine=$2 mode=$3 seed=$4
    local dir=$work/t.$bug.$engine.$mode.$seed plain=0 t0 t1 crash
    [ "$mode" = plain ] && plain=1
    mkdir -p "$dir/corpus"
    t0=$(now)
    if [ "$engine" = libfuzzer ]; then
      (cd "$dir" && SMPFUZZ_VARIANT=$bug SMPFUZZ_PLAIN=$plain timeout $((TIMEOUT + 10)) \
        "$bin/libfuzzer_fixed" -seed="$seed" -max_len=512 -max_total_time="$TIMEOUT" corpus \
        >log 2>&1) || true
      crash=$(ls "$dir"/crash-* 2>/dev/null | head -1 || true)
    else
      local mutator=()
      [ "$mode" = smart ] && mutator=(AFL_CUSTOM_MUTATOR_LIBRARY="$bin/libsmp_afl_mutator.so")
      printf '\0' >"$dir/corpus/empty"
      (cd "$dir" && env "${mutator[@]}" SMPFUZZ_VARIANT=$bug SMPFUZZ_PLAIN=$plain AFL_NO_UI=1 \
        AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
        AFL_BENCH_UNTIL_CRASH=1 AFL_QUIET=1 timeout $((TIMEOUT + 10)) \
        afl-fuzz -s "$seed" -i corpus -o out -V "$TIMEOUT" -- "$bin/afl_fixed" >log 2>&1) || true
      crash=$(ls "$dir"/out/default/crashes/id:* 2>/dev/null | head -1 || true)
    fi
    t1=$(now)
    if [ -n "$crash" ]; then
      local rc=0
      "$bin/smpfuzz" replay --notrace --variant="$bug" "$crash" >"$dir/replay" 2>&1 || rc=$?
      if [ "$rc" -ne 1 ]; then
        echo "bench-fuzz: $bug/$engine/$mode seed $seed: $crash does not replay as a violation" >&2
        mkdir -p "$keep" && cp "$crash" "$keep/$bug.$engine.$mode.$seed"
        echo FAIL >>"$res/$bug.$engine.$mode"
      else
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$res/$bug.$engine.$mode"
      fi
    elif awk -v a="$t0" -v b="$t1" -v t="$TIMEOUT" 'BEGIN { exit !(b - a < t - 1) }'; then
      # Ended without a finding well before its time: the target failed to run.
      echo "bench-fuzz: $bug/$engine/$mode seed $seed: no finding and no timeout; its log ends:" >&2
      tail -3 "$dir/log" >&2
      echo FAIL >>"$res/$bug.$engine.$mode"
    else
      echo TIMEOUT >>"$res/$bug.$engine.$mode"
    fi
    rm -rf "$dir"
  }
  total=0
  for bug in $BUGS; do for engine in $ENGINES; do for mode in $MODES; do
    for ((i = 1; i <= RUNS; i++)); do
      while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
      trial "$bug" "$engine" "$mode" "$i" &
      total=$((total + 1))
    done
    echo "bench-fuzz: $bug $engine $mode started" >&2
  done; done; done
  wait
  for bug in $BUGS; do for engine in $ENGINES; do for mode in $MODES; do
    got=$(wc -l <"$res/$bug.$engine.$mode" 2>/dev/null || echo 0)
    [ "$got" -eq "$RUNS" ] || { echo "bench-fuzz: $bug/$engine/$mode has $got of $RUNS trials" >&2; exit 1; }
  done; done; done
  if grep -lx FAIL "$res"/* >/dev/null 2>&1; then
    echo "bench-fuzz: some trials failed (a finding that does not replay is kept in $keep): $(grep -lx FAIL "$res"/* | xargs -n1 basename | tr '\n' ' ')" >&2
    exit 1
  fi
  echo "bug suite: $total trials, RUNS=$RUNS TIMEOUT=$TIMEOUT s, engines: $ENGINES, modes: $MODES"
  printf '%-34s %-9s %-6s %-40s %s\n' bug engine mode "median [95% interval] (coverage)" timeouts
  for bug in $BUGS; do for engine in $ENGINES; do for mode in $MODES; do
    read -r med int cov to <<<"$("$bin/fuzz_stats" summary "$res/$bug.$engine.$mode" | awk '{ print $1, $2 $3, $4, $5 }')"
    printf '%-34s %-9s %-6s %-40s %s\n' "$bug" "$engine" "$mode" "$med $int $cov" "$to"
  done; done; done
  if [[ " $MODES " == *" smart "* && " $MODES " == *" plain "* ]]; then
    echo
    echo "smart against plain, per bug and engine (Mann-Whitney U, two-sided; A12: smart faster)"
    for bug in $BUGS; do for engine in $ENGINES; do
      printf '%-34s %-9s %s\n' "$bug" "$engine" \
        "$("$bin/fuzz_stats" compare "$res/$bug.$engine.smart" "$res/$bug.$engine.plain")"
    done; done
  fi
  exit 0
fi

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
