#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The ClusterFuzzLite build, checked the way OSS-Fuzz's check_build checks a build, without
# Docker: this machine stands in for the builder image (clang 14, Debian's libc++, the
# documented $CFLAGS of `compile` for address and undefined, AFL++'s afl-clang-fast and
# libAFLDriver.a), runs .clusterfuzzlite/build.sh into a temporary $OUT per build, then:
#
#   every target      -runs=4 exits 0 and has >= 100 coverage counters (check_build's
#                     "Loaded N modules (M inline 8-bit counters)" threshold)
#   address build     >= 1000 calls to __asan_* per target (objdump -d)
#   undefined build   >= 168 calls to __ubsan_* per target
#   seed corpora      NAME_seed_corpus.zip runs clean at -runs=0
#   afl build         afl-fuzz says "All set and ready to roll" within 35 s; the targets
#                     link no libstdc++ (the closure is libc++ only) and no libabsl
#   fuzzing           each target for FUZZ_SECONDS (30) under address and undefined:
#                     baseline and repro_parser clean, fixed clean for max(60, FUZZ_SECONDS),
#                     b0473dcd finds llist-self-loop from an empty corpus within 60 s
#                     (SMPFUZZ_CRASH_ON=llist-self-loop: its data race, the same bug, comes
#                     first otherwise), and so does the AFL++ build (from the seed corpus:
#                     AFL++ needs a seed)
#
#   ci/check-fuzz-build.sh [--fuzz-seconds=N] [--keep=DIR] [--builds=LIST]
#
# --keep=DIR leaves the builds and logs in DIR (default: a temporary directory, removed).
# --builds: some of libfuzzer-address,libfuzzer-undefined,afl-address (default: all).
# Exit 0: every check passed; 1: a check failed; 2: bad usage or a missing tool.
#
# One difference from the builder: Debian's libFuzzer runtime (libclang_rt.fuzzer) is
# built against libstdc++, where the builder's carries a private libc++; so the libFuzzer
# builds here also link libstdc++ for the engine's own use (LIB_FUZZING_ENGINE below).
# The AFL++ builds show the closure itself needs only libc++.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

FUZZ_SECONDS=30
KEEP=""
BUILDS=libfuzzer-address,libfuzzer-undefined,afl-address
for a in "$@"; do
  case "$a" in
    --fuzz-seconds=*) FUZZ_SECONDS=${a#*=}
      [[ $FUZZ_SECONDS =~ ^[1-9][0-9]*$ ]] || { echo "check-fuzz-build: --fuzz-seconds=$FUZZ_SECONDS: expected a whole number of seconds > 0" >&2; exit 2; } ;;
    --keep=*) KEEP=${a#*=}
      mkdir -p "$KEEP" 2>/dev/null && [ -w "$KEEP" ] || { echo "check-fuzz-build: --keep=$KEEP: cannot create or write it" >&2; exit 2; } ;;
    --builds=*) BUILDS=${a#*=}
      for b in ${BUILDS//,/ }; do
        case $b in libfuzzer-address | libfuzzer-undefined | afl-address) ;;
          *) echo "check-fuzz-build: --builds: unknown build '$b' (libfuzzer-address, libfuzzer-undefined, afl-address)" >&2; exit 2 ;;
        esac
      done ;;
    *) echo "check-fuzz-build: unknown argument '$a' (usage: ci/check-fuzz-build.sh [--fuzz-seconds=N] [--keep=DIR] [--builds=LIST])" >&2; exit 2 ;;
  esac
done
for tool in clang clang++ afl-clang-fast afl-clang-fast++ afl-fuzz objdump readelf zip unzip timeout; do
  command -v "$tool" >/dev/null || { echo "check-fuzz-build: $tool is not installed (run ci/setup.sh)" >&2; exit 2; }
done
[ -f /usr/lib/afl/libAFLDriver.a ] || { echo "check-fuzz-build: /usr/lib/afl/libAFLDriver.a missing (run ci/setup.sh)" >&2; exit 2; }
echo '#include <vector>' | clang++ -stdlib=libc++ -x c++ -fsyntax-only - 2>/dev/null ||
  { echo "check-fuzz-build: libc++ headers missing (run ci/setup.sh: libc++-14-dev libc++abi-14-dev)" >&2; exit 2; }

if [ -n "$KEEP" ]; then TMP=$(cd "$KEEP" && pwd); else TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT; fi
FIXED_SECONDS=$((FUZZ_SECONDS > 60 ? FUZZ_SECONDS : 60))
FIND_SECONDS=60
TARGETS=(smp_baseline_fuzzer smp_b0473dcd_fuzzer smp_fixed_fuzzer repro_parser_fuzzer)
START=$SECONDS
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "  ok    $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL  $*"; }

# OSS-Fuzz's `compile` flags (infra/base-images/base-builder): CFLAGS, then the
# sanitizer's, then the engine's coverage flags; CXXFLAGS adds -stdlib=libc++.
BASE="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
declare -A SAN=(
  [address]="-fsanitize=address -fsanitize-address-use-after-scope"
  [undefined]="-fsanitize=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unsigned-integer-overflow,unreachable,vla-bound,vptr -fno-sanitize-recover=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr"
)
# ClusterFuzz's runtime options (it silences unsigned overflow: hashes wrap on purpose).
export ASAN_OPTIONS="abort_on_error=1:symbolize=1:detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:silence_unsigned_overflow=1"
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1

build() {  # NAME ENGINE SANITIZER
  local name=$1 engine=$2 san=$3 t0=$SECONDS
  local dir=$TMP/$name
  mkdir -p "$dir/out" "$dir/work" "$dir/src"
  local cflags="$BASE ${SAN[$san]}" cc=clang cxx=clang++ lib
  if [ "$engine" = libfuzzer ]; then
    cflags="$cflags -fsanitize=fuzzer-no-link"
    lib="-fsanitize=fuzzer -Wl,--push-state,--no-as-needed,-lstdc++,--pop-state"
  else
    cc=afl-clang-fast cxx=afl-clang-fast++ lib=/usr/lib/afl/libAFLDriver.a
  fi
  echo "== build $name: FUZZING_ENGINE=$engine SANITIZER=$san"
  if env CC="$cc" CXX="$cxx" CFLAGS="$cflags" CXXFLAGS="$cflags -stdlib=libc++" \
      LIB_FUZZING_ENGINE="$lib" FUZZING_ENGINE="$engine" SANITIZER="$san" ARCHITECTURE=x86_64 \
      SRC="$dir/src" WORK="$dir/work" OUT="$dir/out" SMPFUZZ_ROOT="$ROOT" \
      bash .clusterfuzzlite/build.sh >"$dir/build.log" 2>&1; then
    pass "build.sh ($((SECONDS - t0)) s)"
  else
    fail "build.sh: $(grep -m1 -E 'error|build.sh:' "$dir/build.log" || tail -1 "$dir/build.log")"
    return 1
  fi
  for t in "${TARGETS[@]}"; do
    for f in "$t" "$t.dict" "$t.options" "${t}_seed_corpus.zip"; do
      [ -s "$dir/out/$f" ] || fail "$t: \$OUT/$f missing"
    done
    readelf -d "$dir/out/$t" | grep -q 'NEEDED.*libabsl' && fail "$t links a libabsl"
  done
  return 0
}

# check_build's bad_build_check, for one libFuzzer build.
check_libfuzzer_build() {  # NAME SANITIZER
  local dir=$TMP/$1 san=$2 t n calls log
  for t in "${TARGETS[@]}"; do
    log=$dir/$t.runs4.log
    if (cd "$dir/work" && "$dir/out/$t" -seed=1 -runs=4 -dict="$dir/out/$t.dict" >"$log" 2>&1); then
      n=$(grep -oP 'INFO: Loaded \d+ modules?\s+\(\K\d+(?= inline 8-bit counters)' "$log" | head -1)
      if [ "${n:-0}" -ge 100 ]; then pass "$t: -runs=4, $n counters"; else fail "$t: -runs=4: ${n:-no} counters (< 100)"; fi
    else
      fail "$t: -runs=4 exited non-zero: $(grep -m1 -E 'ERROR|==smpfuzz==' "$log")"
    fi
    if [ "$san" = address ]; then
      calls=$(objdump -d --no-show-raw-insn "$dir/out/$t" | grep -cE 'call[q]?\s+[0-9a-f]+ <__asan')
      if [ "$calls" -ge 1000 ]; then pass "$t: $calls __asan calls"; else fail "$t: $calls __asan calls (< 1000)"; fi
    else
      calls=$(objdump -d --no-show-raw-insn "$dir/out/$t" | grep -cE 'call[q]?\s+[0-9a-f]+ <__ubsan')
      if [ "$calls" -ge 168 ]; then pass "$t: $calls __ubsan calls"; else fail "$t: $calls __ubsan calls (< 168)"; fi
    fi
    rm -rf "$dir/seeds-$t" && mkdir -p "$dir/seeds-$t" && unzip -q -o "$dir/out/${t}_seed_corpus.zip" -d "$dir/seeds-$t"
    log=$dir/$t.seeds.log
    if (cd "$dir/work" && "$dir/out/$t" -runs=0 "$dir/seeds-$t" >"$log" 2>&1); then
      pass "$t: seed corpus ($(ls "$dir/seeds-$t" | wc -l) inputs) clean at -runs=0"
    else
      fail "$t: seed corpus at -runs=0: $(grep -m1 -E 'ERROR|==smpfuzz==' "$log")"
    fi
  done
}

# A finding where none was expected must not go with $TMP: each crash file is copied to
# $CRASH_DIR (default /tmp/smpfuzz-ci-crashes) and printed in base64 into this script's
# output (a CI log is often all that is kept), with the reproducer the target printed.
keep_crashes() {  # NAME TARGET LOG
  local keep=${CRASH_DIR:-/tmp/smpfuzz-ci-crashes}/$1 a
  mkdir -p "$keep"
  for a in "$TMP/$1/work/$2-"*; do
    [ -f "$a" ] || continue
    cp "$a" "$keep/"
    echo "        $(basename "$a") kept in $keep; base64 (decode with base64 -d):"
    echo "        $(base64 -w0 "$a")"
  done
  sed -n '/^smpfuzz-repro /,/^schedule /p' "$3" | head -80 | sed 's/^/        /'
}

# Fuzzes TARGET of build NAME for SECONDS from an empty corpus; EXPECT is `clean` or a
# signature the target must report (its crash is then the check).
fuzz_libfuzzer() {  # NAME TARGET SECONDS EXPECT
  local dir=$TMP/$1 t=$2 secs=$3 expect=$4 corpus log rc t0=$SECONDS env=()
  corpus=$dir/corpus-$t log=$dir/$t.fuzz.log
  rm -rf "$corpus"; mkdir -p "$corpus"
  [ "$expect" != clean ] && env=(SMPFUZZ_CRASH_ON="$expect")
  (cd "$dir/work" && env "${env[@]}" timeout $((secs + 30)) "$dir/out/$t" -max_total_time="$secs" \
     -max_len=512 -dict="$dir/out/$t.dict" -artifact_prefix="$dir/work/$t-" "$corpus" >"$log" 2>&1)
  rc=$? took=$((SECONDS - t0))
  if [ "$expect" = clean ]; then
    if [ "$rc" -eq 0 ]; then pass "$t: fuzzed ${secs} s clean ($(grep -oP 'stat::number_of_executed_units: \K\d+|^Done \K\d+' "$log" | head -1) runs)"
    else fail "$t: fuzzing ${secs} s: exit $rc: $(grep -m1 -E 'ERROR|==smpfuzz==|runtime error' "$log")"; keep_crashes "$1" "$t" "$log"; fi
  elif grep -q "==smpfuzz== finding on [a-z0-9]*: $expect" "$log"; then
    pass "$t: found $expect in $took s"
  else
    fail "$t: no $expect within $secs s (exit $rc): $(grep -m1 -E 'ERROR|==smpfuzz==' "$log")"
  fi
}

# Starts afl-fuzz on TARGET of build NAME; waits up to SECONDS for PATTERN in its log
# (or, with a crash directory to watch, for a crash), then stops it. Returns 0 when seen.
run_afl() {  # NAME TARGET SECONDS PATTERN|--crash
  local dir=$TMP/$1 t=$2 secs=$3 what=$4 pid i env=()
  local o=$dir/afl-$t log=$dir/$t.afl.log
  rm -rf "$o" "$dir/afl-seeds-$t"; mkdir -p "$dir/afl-seeds-$t"
  # From the target's seed corpus, as ClusterFuzzLite starts it (AFL++ needs a seed).
  unzip -q -o "$dir/out/${t}_seed_corpus.zip" -d "$dir/afl-seeds-$t"
  local seed=()
  # The hunt for the crash runs with a fixed RNG seed, so that the check is repeatable:
  # with random seeds AFL++ found it in 2-26 s in 11 runs here, but a clean-clone CI run
  # once took over 60 s (BENCHMARKS.md, "ClusterFuzzLite build").
  [ "$what" = --crash ] && env=(SMPFUZZ_CRASH_ON=llist-self-loop) seed=(-s "${AFL_SEED:-1}")
  # afl-fuzz wants ASan to abort and not symbolize (it refuses to start otherwise).
  (cd "$dir/work" && exec env ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1" \
     "${env[@]}" afl-fuzz "${seed[@]}" -i "$dir/afl-seeds-$t" -o "$o" -x "$dir/out/$t.dict" \
     -V "$((secs + 5))" -- "$dir/out/$t" >"$log" 2>&1) &
  pid=$!
  for ((i = 0; i < secs * 5; i++)); do
    if [ "$what" = --crash ]; then
      compgen -G "$o/default/crashes/id:*" >/dev/null && break
    else
      grep -q "$what" "$log" 2>/dev/null && break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  if [ "$what" = --crash ]; then compgen -G "$o/default/crashes/id:*" >/dev/null; else grep -q "$what" "$log"; fi
}

check_afl_build() {  # NAME
  local dir=$TMP/$1 t t0 crash
  for t in "${TARGETS[@]}"; do
    readelf -d "$dir/out/$t" | grep -q 'NEEDED.*libstdc++' && fail "$t links libstdc++ (the closure must be libc++ only)"
    t0=$SECONDS
    if run_afl "$1" "$t" 35 "All set and ready to roll"; then pass "$t: afl-fuzz all set and ready to roll in $((SECONDS - t0)) s"
    else fail "$t: afl-fuzz not ready within 35 s: $(grep -m1 -E 'PROGRAM ABORT|ERROR' "$dir/$t.afl.log" | sed 's/\x1b\[[0-9;]*m//g')"; fi
  done
  t=smp_b0473dcd_fuzzer t0=$SECONDS
  if run_afl "$1" "$t" "$FIND_SECONDS" --crash; then
    crash=$(compgen -G "$dir/afl-$t/default/crashes/id:*" | head -1)
    # The crash is the self-loop: the target says so when it runs the file.
    if (SMPFUZZ_CRASH_ON=llist-self-loop "$dir/out/$t" "$crash" >"$dir/$t.afl-crash.log" 2>&1; true) 2>/dev/null;
       grep -q '==smpfuzz== finding on b0473dcd: llist-self-loop' "$dir/$t.afl-crash.log"; then
      pass "$t: afl-fuzz found llist-self-loop in $((SECONDS - t0)) s"
    else
      fail "$t: afl-fuzz's crash $crash is not llist-self-loop"
    fi
  else
    fail "$t: afl-fuzz found no llist-self-loop within $FIND_SECONDS s ($(grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes) ' "$dir/afl-$t/default/fuzzer_stats" 2>/dev/null | tr -s ' ' | tr '\n' ';'))"
  fi
}

for san in address undefined; do
  [[ ",$BUILDS," == *",libfuzzer-$san,"* ]] || continue
  if build "libfuzzer-$san" libfuzzer "$san"; then
    check_libfuzzer_build "libfuzzer-$san" "$san"
    fuzz_libfuzzer "libfuzzer-$san" smp_b0473dcd_fuzzer "$FIND_SECONDS" llist-self-loop
    fuzz_libfuzzer "libfuzzer-$san" smp_fixed_fuzzer "$FIXED_SECONDS" clean
    fuzz_libfuzzer "libfuzzer-$san" smp_baseline_fuzzer "$FUZZ_SECONDS" clean
    fuzz_libfuzzer "libfuzzer-$san" repro_parser_fuzzer "$FUZZ_SECONDS" clean
  fi
done
if [[ ",$BUILDS," == *",afl-address,"* ]] && build afl-address afl address; then
  check_afl_build afl-address
fi

echo "check-fuzz-build: $passed passed, $failed failed ($((SECONDS - START)) s)"
[ "$failed" -eq 0 ]
