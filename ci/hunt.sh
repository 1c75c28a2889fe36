#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The overnight hunt: builds the smp fuzz target for each engine and the smpfuzz CLI, copies
# them into OUT/bin (so a rebuild during the night does not change what runs), then runs
# `smpfuzz hunt` with every argument given here. Run it again with the same --out to resume.
#
#   ci/hunt.sh --time=8h --variant=fixed --out=$HOME/hunt-fixed
#   ci/hunt.sh --time=2m --variant=b0473dcd --engine=libfuzzer,afl --jobs=1 --out=/tmp/h
#   HUNT_AFL_MUTATOR=1 ci/hunt.sh ...    # AFL++ also loads fuzz/afl_mutator.cc
#   BAZEL=/work/bz ci/hunt.sh ...        # another bazel command (e.g. one that takes a lock)
#   ci/hunt.sh --guest=kernel --variant=fixed ...   # Linux's own smp.c (the default tree)
#
# Exit status: that of `smpfuzz hunt` (0 no bucket, 1 buckets, 2 the hunt could not run);
# 2 also when --out cannot be used or a build fails, with a one-line reason.
set -euo pipefail
cd "$(dirname "$0")/.."
bazel=${BAZEL:-bazel}
die() {
  echo "hunt.sh: $*" >&2
  exit 2
}

out=""
variant=b0473dcd
engines=libfuzzer,afl
guest=model
prev=""
for a in "$@"; do
  case $prev in --out) out=$a ;; --variant) variant=$a ;; --engine) engines=$a ;; --guest) guest=$a ;; esac
  case $a in
    --out=*) out=${a#--out=} ;;
    --variant=*) variant=${a#--variant=} ;;
    --engine=*) engines=${a#--engine=} ;;
    --guest=*) guest=${a#--guest=} ;;
  esac
  prev=$a
done
if [ -z "$out" ]; then
  echo "hunt.sh: --out=DIR is needed (the hunt's directory; reuse it to resume)" >&2
  exit 2
fi

# One binary per variant where fuzz/BUILD has one; hunt sets SMPFUZZ_VARIANT in any case.
# The kernel guest's targets link the default tree with the variant's patches.
case $guest/$variant in
  model/baseline | model/b0473dcd | model/fixed) target=smp_${variant}_fuzzer ;;
  model/*) target=smp_fixed_fuzzer ;;
  kernel/baseline | kernel/b0473dcd | kernel/fixed) target=kernel_smp_${variant}_fuzzer ;;
  kernel/*) die "--variant=$variant: the kernel guest has baseline, b0473dcd and fixed" ;;
  *) die "--guest=$guest: expected model or kernel" ;;
esac

# Status 1 means "buckets found": a directory that cannot be made must not look like that.
why=$(mkdir -p "$out/bin" 2>&1) || die "--out=$out: ${why#mkdir: }"
[ -w "$out/bin" ] || die "--out=$out: $out/bin is not writable"
# A hunt running in OUT holds OUT/hunt.lock (smpfuzz hunt refuses a second one): leave its
# binaries in OUT/bin alone and say so at once.
if [ -e "$out/hunt.lock" ] && ! flock -n "$out/hunt.lock" true 2>/dev/null; then
  holder=$(head -1 "$out/hunt.lock" 2>/dev/null) || true
  die "--out=$out: another hunt is running in this directory (pid ${holder:-unknown})"
fi
# build CONFIG... TARGET DEST MODE: builds TARGET and installs it as DEST.
build() {
  local mode=${*: -1} dest=${*: -2:1} target=${*: -3:1}
  local flags=("${@:1:$#-3}") log path=${target#//}
  path=${path/://}
  log=$("$bazel" build "${flags[@]}" "$target" 2>&1) ||
    die "building $target ${flags[*]} failed: $(grep -m1 -E 'ERROR|error:' <<<"$log" || tail -1 <<<"$log")"
  install -m "$mode" "$("$bazel" info "${flags[@]}" bazel-bin 2>/dev/null)/$path" "$dest" ||
    die "cannot install $target into $dest"
}
echo "hunt.sh: building //tools:smpfuzz and //fuzz:$target (libfuzzer-opt, afl)..." >&2
build //tools:smpfuzz "$out/bin/smpfuzz" 755
# libFuzzer's binary also merges AFL++'s queue into the corpus, so it is built for any engine.
build --config=libfuzzer-opt "//fuzz:$target" "$out/bin/libfuzzer_$target" 755
cp fuzz/smp.dict "$out/bin/smp.dict"
args=(--libfuzzer_target="$out/bin/libfuzzer_$target" --dict="$out/bin/smp.dict")
if [[ ",$engines," == *",afl,"* ]]; then
  build --config=afl "//fuzz:$target" "$out/bin/afl_$target" 755
  args+=(--afl_target="$out/bin/afl_$target")
  # AFL++ with the structure-aware mutator, on request: on b0473dcd it found the self-loop
  # later than without it (BENCHMARKS.md). Built without AFL instrumentation: afl-fuzz
  # loads it into itself.
  if [ "${HUNT_AFL_MUTATOR:-0}" = 1 ]; then
    build -c opt //fuzz:libsmp_afl_mutator.so "$out/bin/libsmp_afl_mutator.so" 644
    args+=(--afl_mutator="$out/bin/libsmp_afl_mutator.so")
  fi
fi
exec "$out/bin/smpfuzz" hunt "${args[@]}" "$@"
