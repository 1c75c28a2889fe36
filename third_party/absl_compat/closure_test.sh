#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# //third_party/absl_compat:closure_test (BUILD says what it checks).
set -uo pipefail
smpfuzz=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
self_loop=$(pwd)/$2
root=$(pwd)  # the runfiles tree: lib/, fuzz/, corpus/, third_party/absl_compat/, .clusterfuzzlite/
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v clang++ >/dev/null || { echo "FAIL: no clang++"; exit 1; }
[ -d /usr/lib/llvm-14/include/c++/v1 ] || [ -d /usr/include/c++/v1 ] ||
  { echo "FAIL: libc++ headers missing (ci/setup.sh installs libc++-14-dev)"; exit 1; }

export CC=clang CXX=clang++ CFLAGS="-O0" CXXFLAGS="-O0 -stdlib=libc++" SANITIZER=none FUZZING_ENGINE=none
export SRC=$tmp/src WORK=$tmp/work OUT=$tmp/out SMPFUZZ_ROOT=$root SMPFUZZ_BUILD_JOBS=2
mkdir -p "$WORK" "$OUT"
# The engine: fuzz/standalone_main.cc (runs each file once), built with libc++ too.
clang++ $CXXFLAGS -std=c++20 -c "$root/fuzz/standalone_main.cc" -o "$WORK/main.o" || fail "standalone_main"
export LIB_FUZZING_ENGINE=$WORK/main.o
bash "$root/.clusterfuzzlite/build.sh" >"$tmp/build.log" 2>&1 || fail "build.sh: $(tail -5 "$tmp/build.log")"

targets="smp_baseline_fuzzer smp_b0473dcd_fuzzer smp_fixed_fuzzer repro_parser_fuzzer"
for t in $targets; do
  for f in "$t" "$t.dict" "$t.options" "${t}_seed_corpus.zip"; do
    [ -s "$OUT/$f" ] || fail "$OUT/$f missing"
  done
  needed=$(readelf -d "$OUT/$t" 2>/dev/null | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  [[ $needed == *libc++* ]] || fail "$t does not link libc++: $needed"
  [[ $needed == *libstdc++* || $needed == *absl* ]] && fail "$t links $needed"
done
unzip -l "$OUT/smp_fixed_fuzzer_seed_corpus.zip" >"$tmp/zip.txt" 2>&1; grep -q two_senders_one_target "$tmp/zip.txt" || fail "seed corpus lacks corpus/smp's inputs"

# The model's bug and its fix, through the libc++ build.
"$smpfuzz" convert "$self_loop" --to=bytes --out="$tmp/self_loop.bin" 2>"$tmp/convert.err" || fail "convert: $(cat "$tmp/convert.err")"
"$OUT/smp_b0473dcd_fuzzer" "$tmp/self_loop.bin" >"$tmp/b0473dcd.log" 2>&1 && fail "b0473dcd target ran the self-loop clean"
grep -q '==smpfuzz== finding on b0473dcd: llist-self-loop' "$tmp/b0473dcd.log" || fail "b0473dcd: $(tail -3 "$tmp/b0473dcd.log")"
"$OUT/smp_fixed_fuzzer" "$tmp/self_loop.bin" >"$tmp/fixed.log" 2>&1 || fail "fixed: $(tail -3 "$tmp/fixed.log")"
"$OUT/smp_baseline_fuzzer" "$root"/corpus/smp/* >"$tmp/baseline.log" 2>&1 || fail "baseline on corpus/smp: $(tail -3 "$tmp/baseline.log")"
"$OUT/repro_parser_fuzzer" "$root"/corpus/repro_parser/* >"$tmp/parser.log" 2>&1 || fail "repro_parser: $(tail -3 "$tmp/parser.log")"

# Drift: a closure file that starts using a piece of Abseil absl_compat lacks.
copy=$tmp/drift
mkdir -p "$copy"
cp -rL "$root/lib" "$root/fuzz" "$root/corpus" "$root/third_party" "$root/.clusterfuzzlite" "$root/.bazelrc" "$copy/"
chmod -R u+w "$copy"
sed -i 's|#include "absl/strings/str_cat.h"|#include "absl/strings/str_cat.h"\n#include "absl/strings/str_join.h"|' "$copy/lib/hex.h"
grep -q str_join "$copy/lib/hex.h" || fail "could not plant the drift"
SMPFUZZ_ROOT=$copy OUT=$tmp/drift-out WORK=$tmp/drift-work bash "$copy/.clusterfuzzlite/build.sh" >"$tmp/drift.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "build.sh accepted a use of absl/strings/str_join.h"
grep -q 'includes .*absl/strings/str_join.h: add what it uses to third_party/absl_compat' "$tmp/drift.log" ||
  fail "drift message: $(tail -2 "$tmp/drift.log")"
[ "$(wc -l <"$tmp/drift.log")" -eq 1 ] || fail "drift error is not one line: $(cat "$tmp/drift.log")"

# Bad input: a variable of the contract missing, a tree that is not ours.
rc=0; env -u WORK bash "$root/.clusterfuzzlite/build.sh" >/dev/null 2>"$tmp/nowork.err" || rc=$?
[ "$rc" = 2 ] && [ "$(cat "$tmp/nowork.err")" = 'build.sh: $WORK is not set (the builder'"'"'s compile sets it; ci/check-fuzz-build.sh shows a set by hand)' ] ||
  fail "build.sh without \$WORK: exit $rc: $(cat "$tmp/nowork.err")"
rc=0; SMPFUZZ_ROOT=$tmp bash "$root/.clusterfuzzlite/build.sh" >/dev/null 2>"$tmp/noroot.err" || rc=$?
[ "$rc" = 2 ] && grep -q "^build.sh: $tmp is not the smpfuzz tree" "$tmp/noroot.err" || fail "build.sh on another tree: exit $rc: $(cat "$tmp/noroot.err")"

if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "closure_test: OK"
