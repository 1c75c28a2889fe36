#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The overnight hunt: builds the smp fuzz target for each engine and the smpfuzz CLI, copies
# them into OUT/bin (so a rebuild during the night does not change what runs), then runs
# `smpfuzz hunt` with every argument given here. Run it again with the same --out to resume.
#
#   ci/hunt.sh --time=8h --variant=fixed --out=$HOME/hunt-fixed
#   ci/hunt.sh --time=2m --variant=b0473dcd --engine=libfuzzer,afl --jobs=1 --out=/tmp/h
#   HUNT_AFL_MUTATOR=1 ci/hunt.sh ...    # AFL++ also loads fuzz/afl_mutator.cc
set -euo pipefail
cd "$(dirname "$0")/.."

out=""
variant=b0473dcd
engines=libfuzzer,afl
prev=""
for a in "$@"; do
  case $prev in --out) out=$a ;; --variant) variant=$a ;; --engine) engines=$a ;; esac
  case $a in
    --out=*) out=${a#--out=} ;;
    --variant=*) variant=${a#--variant=} ;;
    --engine=*) engines=${a#--engine=} ;;
  esac
  prev=$a
done
if [ -z "$out" ]; then
  echo "hunt.sh: --out=DIR is needed (the hunt's directory; reuse it to resume)" >&2
  exit 2
fi

# One binary per variant where fuzz/BUILD has one; hunt sets SMPFUZZ_VARIANT in any case.
case $variant in baseline | b0473dcd | fixed) target=smp_${variant}_fuzzer ;; *) target=smp_fixed_fuzzer ;; esac

mkdir -p "$out/bin"
echo "hunt.sh: building //tools:smpfuzz and //fuzz:$target (libfuzzer-opt, afl)..." >&2
bazel build //tools:smpfuzz 2>/dev/null
install -m 755 "$(bazel info bazel-bin 2>/dev/null)/tools/smpfuzz" "$out/bin/smpfuzz"
# libFuzzer's binary also merges AFL++'s queue into the corpus, so it is built for any engine.
bazel build --config=libfuzzer-opt "//fuzz:$target" 2>/dev/null
install -m 755 "$(bazel info --config=libfuzzer-opt bazel-bin 2>/dev/null)/fuzz/$target" "$out/bin/libfuzzer_$target"
cp fuzz/smp.dict "$out/bin/smp.dict"
args=(--libfuzzer_target="$out/bin/libfuzzer_$target" --dict="$out/bin/smp.dict")
if [[ ",$engines," == *",afl,"* ]]; then
  bazel build --config=afl "//fuzz:$target" 2>/dev/null
  install -m 755 "$(bazel info --config=afl bazel-bin 2>/dev/null)/fuzz/$target" "$out/bin/afl_$target"
  args+=(--afl_target="$out/bin/afl_$target")
  # AFL++ with the structure-aware mutator, on request: on b0473dcd it found the self-loop
  # later than without it (BENCHMARKS.md). Built without AFL instrumentation: afl-fuzz
  # loads it into itself.
  if [ "${HUNT_AFL_MUTATOR:-0}" = 1 ]; then
    bazel build -c opt //fuzz:libsmp_afl_mutator.so 2>/dev/null
    install -m 644 "$(bazel info -c opt bazel-bin 2>/dev/null)/fuzz/libsmp_afl_mutator.so" "$out/bin/"
    args+=(--afl_mutator="$out/bin/libsmp_afl_mutator.so")
  fi
fi
exec "$out/bin/smpfuzz" hunt "${args[@]}" "$@"
