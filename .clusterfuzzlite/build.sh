#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ClusterFuzzLite / OSS-Fuzz build of smpfuzz's fuzz targets (the build contract:
# https://google.github.io/oss-fuzz/getting-started/new-project-guide/#buildsh).
#
# Reads $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $FUZZING_ENGINE $SANITIZER $SRC $WORK
# and writes, for each target NAME, $OUT/NAME, $OUT/NAME_seed_corpus.zip (corpus/),
# $OUT/NAME.dict and $OUT/NAME.options.
#
# A plain compile, not Bazel: the builder image has no Bazel 4 (and cannot download one),
# the WORKSPACE points at Debian's paths (/usr/share/bazel, the system Abseil built for
# libstdc++), and the targets' closure is small (about 35 files). The closure is what the
# compiler says the target includes (-MM, with this build's defines), each header's
# sibling .cc, repeated until nothing new turns up; Abseil comes from
# third_party/absl_compat (headers only, first on the include path), so no prebuilt
# library is linked at all and -stdlib=libc++ (in the builder's $CXXFLAGS) is all there is.
#
# Targets: the model's smp_{baseline,b0473dcd,fixed}_fuzzer and repro_parser_fuzzer. The
# kernel guest's targets (kernel_smp_*_fuzzer) are not built here: they compile Linux's
# smp.c from Debian's linux-source tarball and link Boost.Context, neither of which the
# builder image has (ci/hunt.sh --guest=kernel runs them on a machine of your own).
#
# Outside the builder: ci/check-fuzz-build.sh sets the same variables by hand.
# SMPFUZZ_BUILD_JOBS: parallel compiles (default 2).

set -euo pipefail

for v in CXX CXXFLAGS LIB_FUZZING_ENGINE OUT WORK; do
  [ -n "${!v+set}" ] || { echo "build.sh: \$$v is not set (the builder's compile sets it; ci/check-fuzz-build.sh shows a set by hand)" >&2; exit 2; }
done
ROOT="${SMPFUZZ_ROOT:-${SRC:-}/smpfuzz}"
[ -f "$ROOT/fuzz/smp_fuzzer.cc" ] || { echo "build.sh: $ROOT is not the smpfuzz tree (set SRC or SMPFUZZ_ROOT)" >&2; exit 2; }
cd "$ROOT"
: "${FUZZING_ENGINE:=libfuzzer}"
: "${SANITIZER:=address}"
JOBS="${SMPFUZZ_BUILD_JOBS:-2}"
OBJ="$WORK/smpfuzz-obj"
mkdir -p "$OBJ" "$OUT"

# name  main source  variant (empty: none)
TARGETS=(
  "smp_baseline_fuzzer fuzz/smp_fuzzer.cc baseline"
  "smp_b0473dcd_fuzzer fuzz/smp_fuzzer.cc b0473dcd"
  "smp_fixed_fuzzer fuzz/smp_fuzzer.cc fixed"
  "repro_parser_fuzzer fuzz/repro_parser_fuzzer.cc"
)

DEFINES=()
case "$FUZZING_ENGINE" in
  libfuzzer) DEFINES+=(-DSMPFUZZ_LIBFUZZER=1) ;;
  afl) DEFINES+=(-DSMPFUZZ_AFL=1) ;;
esac
# -std=c++20 for the coroutines; -fno-sanitize=function: clang 14 cannot compile coroutines
# with it and coverage ("Cannot represent a difference across sections").
FLAGS=(-std=c++20 -fno-sanitize=function -isystem third_party/absl_compat -I. "${DEFINES[@]}")
read -r -a USER_FLAGS <<<"$CXXFLAGS"

# Files the libFuzzer configs of .bazelrc leave out of coverage (the simulator engine,
# formats, printing: their branches say nothing about the kernel's interleavings and cost
# about 3.5x in exec/s), read from there so the two builds keep one list. Not for AFL++
# (.bazelrc does that with -flegacy-pass-manager, which newer clangs, like the builder's,
# no longer have) nor for coverage reports (they should see everything).
UNCOVERED=" "
if [ "$FUZZING_ENGINE" = libfuzzer ] && [ "$SANITIZER" != coverage ]; then
  list=$(sed -n 's/^build:libfuzzer --per_file_copt=\(.*\)@-fno-sanitize=fuzzer-no-link$/\1/p' .bazelrc)
  UNCOVERED=" ${list//,/ } "
fi

# The .cc files a source's closure needs: what it includes from this tree, each header's
# sibling .cc, and fuzz/known_findings.cc (the one implementation file not named after
# its header, fuzz/smp_harness.h), until nothing new turns up.
closure() {
  local -A seen=()
  local todo=("$1") f h c deps leak extra
  while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}; todo=("${todo[@]:1}")
    [ -n "${seen[$f]:-}" ] && continue
    seen[$f]=1
    echo "$f"
    deps=$("$CXX" "${USER_FLAGS[@]}" "${FLAGS[@]}" $2 -M -MT x "$f" | tr -d '\\' | tr ' ' '\n')
    # Every Abseil header must be absl_compat's: one from anywhere else (a system Abseil
    # built for another standard library, or none at all in the builder) means the
    # closure uses a part of Abseil that absl_compat lacks.
    if leak=$(grep -E '(^|/)absl/' <<<"$deps" | grep -v '^third_party/absl_compat/absl/' | head -1) && [ -n "$leak" ]; then
      echo "build.sh: $f includes $leak: add what it uses to third_party/absl_compat (README there)" >&2
      return 1
    fi
    for h in $(grep -E '^(lib|fuzz|tools|kernel)/.*\.h$' <<<"$deps"); do
      extra=("${h%.h}.cc")
      [ "$h" = fuzz/smp_harness.h ] && extra+=(fuzz/known_findings.cc)
      for c in "${extra[@]}"; do [ -f "$c" ] && [ -z "${seen[$c]:-}" ] && todo+=("$c"); done
    done
  done
}

# obj_name SRC DEFINES: where SRC compiled with the target's DEFINES goes.
obj_name() {
  local tag=""
  [ -n "$2" ] && tag="-$(echo "$2" | md5sum | cut -c1-8)"
  echo "$OBJ/${1//\//_}${tag}.o"
}

compile_one() {  # SRC "TARGET_DEFINES"
  local src=$1 defs=$2 o per=()
  o=$(obj_name "$src" "$defs")
  [[ $UNCOVERED == *" $src "* ]] && per=(-fno-sanitize=fuzzer-no-link)
  # shellcheck disable=SC2086
  "$CXX" "${USER_FLAGS[@]}" "${FLAGS[@]}" $defs "${per[@]}" -c "$src" -o "$o"
}
export -f compile_one obj_name
export CXX OBJ UNCOVERED
export USER_FLAGS_STR="$CXXFLAGS" FLAGS_STR="${FLAGS[*]}"

declare -A ALL=()
declare -a LINKS=()
for t in "${TARGETS[@]}"; do
  read -r name main variant <<<"$t"
  defs=""
  [ -n "${variant:-}" ] && defs="-DSMPFUZZ_DEFAULT_VARIANT=\"$variant\""
  objs=()
  files=$(closure "$main" "$defs") || exit 1
  for src in $files; do
    d=""; [ "$src" = "$main" ] && d=$defs
    ALL["$src|$d"]=1
    objs+=("$(obj_name "$src" "$d")")
  done
  LINKS+=("$name ${objs[*]}")
done

# Compile every distinct (source, defines) pair once, JOBS at a time.
printf '%s\n' "${!ALL[@]}" | sort | while IFS='|' read -r src d; do printf '%s\0%s\0' "$src" "$d"; done |
  xargs -0 -n2 -P "$JOBS" bash -c 'read -r -a USER_FLAGS <<<"$USER_FLAGS_STR"; read -r -a FLAGS <<<"$FLAGS_STR"; compile_one "$1" "$2"' _

for l in "${LINKS[@]}"; do
  read -r name objs <<<"$l"
  # shellcheck disable=SC2086
  "$CXX" "${USER_FLAGS[@]}" $objs $LIB_FUZZING_ENGINE -o "$OUT/$name"
  case "$name" in
    repro_parser_fuzzer) corpus=corpus/repro_parser; dict=fuzz/repro_parser.dict ;;
    *) corpus=corpus/smp; dict=fuzz/smp.dict ;;
  esac
  rm -f "$OUT/${name}_seed_corpus.zip"
  (cd "$corpus" && zip -q -j "$OUT/${name}_seed_corpus.zip" ./*)
  cp "$dict" "$OUT/$name.dict"
  # max_len as `smpfuzz hunt` runs them; the dictionary by name (ClusterFuzz also finds
  # NAME.dict by itself).
  printf '[libfuzzer]\nmax_len = 512\ndict = %s.dict\n' "$name" >"$OUT/$name.options"
  echo "build.sh: $OUT/$name"
done
