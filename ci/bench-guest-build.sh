#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Times building a kernel guest from a tree plus a patch (issue 15: under 10 s
# uncached, under 0.1 s cached), with `smpfuzz build-guest`:
#   ci/bench-guest-build.sh [ROUNDS]
# Each round: an empty cache, one build of the tree directory + b0473dcd.patch
# (uncached), then the same command again (cached). The tree is a directory
# extracted once from Debian's linux-source-6.12 (what --kernel=DIR names);
# the tarball's own one-time extraction is timed separately. Prints medians.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
bazel build -c opt //tools:smpfuzz >&2
bin=$(bazel info -c opt bazel-bin 2>/dev/null)/tools/smpfuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

mkdir -p "$work/tree"
t0=$(now)
tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$work/tree" --strip-components=1 \
  linux-source-6.12/kernel linux-source-6.12/lib linux-source-6.12/include linux-source-6.12/Makefile
t1=$(now)
echo "extracting kernel/ lib/ include/ from the tarball (once): $(awk "BEGIN{print $t1 - $t0}") s"
t0=$(now)
SMPFUZZ_CACHE_DIR=$work/tarcache "$bin" build-guest >/dev/null 2>&1
t1=$(now)
echo "first build from the tarball itself (extracts its 11 files, then compiles): $(awk "BEGIN{print $t1 - $t0}") s"

for i in $(seq "$rounds"); do
  rm -rf "$work/cache"
  t0=$(now)
  SMPFUZZ_CACHE_DIR=$work/cache "$bin" build-guest --kernel="$work/tree" --patch=kernel/patches/b0473dcd.patch >/dev/null 2>&1
  t1=$(now)
  SMPFUZZ_CACHE_DIR=$work/cache "$bin" build-guest --kernel="$work/tree" --patch=kernel/patches/b0473dcd.patch >/dev/null 2>&1
  t2=$(now)
  echo "$(awk "BEGIN{print $t1 - $t0}") $(awk "BEGIN{print $t2 - $t1}")"
done >"$work/times"
echo "tree dir + b0473dcd.patch, $rounds rounds (median):"
echo "  uncached: $(cut -d' ' -f1 "$work/times" | median) s"
echo "  cached:   $(cut -d' ' -f2 "$work/times" | median) s"
