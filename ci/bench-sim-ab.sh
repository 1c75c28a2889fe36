#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Simulator throughput, two commits side by side (issue 14: "within 5% of before").
# Builds //lib:sim_benchmark (opt) at OLD and at the work tree, then runs them in
# alternation ROUNDS times (this machine is shared and noisy: alternation, medians and
# ratios, not single runs) and prints each figure's median and the ratio new/old.
# Then, because a loaded machine can move those ratios by 20%, the figure that load
# cannot move: instructions (valgrind's callgrind) of the baseline and fixed fuzz
# targets (opt, standalone main: the fuzzers' harness and simulator) over the same 300
# seeded random inputs, old against new.
#
#   ci/bench-sim-ab.sh OLD [ROUNDS] [SECONDS]     # e.g. ci/bench-sim-ab.sh d37d20a 5 3
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: ci/bench-sim-ab.sh OLD-COMMIT [ROUNDS] [SECONDS]" >&2; exit 2; }
old=$1 rounds=${2:-5} seconds=${3:-3}
git rev-parse --verify -q "$old^{commit}" >/dev/null || { echo "bench-sim-ab: '$old' is not a commit" >&2; exit 2; }
case $rounds in '' | *[!0-9]* | 0) echo "bench-sim-ab: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2 ;; esac

bin=$(mktemp -d)
tree=$(mktemp -d)
cleanup() { git worktree remove --force "$tree/old" >/dev/null 2>&1 || true; rm -rf "$bin" "$tree"; }
trap cleanup EXIT
git worktree add -q --detach "$tree/old" "$old"
for side in old new; do
  dir=$PWD; [ $side = old ] && dir=$tree/old
  (cd "$dir" && bazel build --config=opt //lib:sim_benchmark //fuzz:smp_fixed_fuzzer //fuzz:smp_baseline_fuzzer >&2 &&
     out=$(bazel info --config=opt bazel-bin 2>/dev/null) &&
     cp "$out/lib/sim_benchmark" "$bin/$side" &&
     cp "$out/fuzz/smp_fixed_fuzzer" "$bin/$side-fixed" &&
     cp "$out/fuzz/smp_baseline_fuzzer" "$bin/$side-baseline")
  [ $side = old ] && (cd "$dir" && bazel shutdown >/dev/null 2>&1 || true)
done

for r in $(seq "$rounds"); do
  for side in old new; do
    "$bin/$side" --seconds="$seconds" | awk -v side=$side -v r=$r \
      '$2 == "fuzz" || $2 == "full" { print side, $1 "/" $2, $3, $4 }' >>"$bin/runs"
  done
  echo "round $r of $rounds done" >&2
done

echo "old $old ($(git log -1 --format=%h "$old")), new $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty'); $rounds alternating rounds of ${seconds} s; medians"
printf '%-16s %14s %14s %8s %14s %14s %8s\n' figure "old execs/s" "new execs/s" ratio "old steps/s" "new steps/s" ratio
awk '
  { k = $2; n = ++cnt[$1, k]; e[$1, k, n] = $3; s[$1, k, n] = $4; keys[k] = 1 }
  function median(arr, side, key, m,   i, j, t, v) {
    for (i = 1; i <= m; i++) v[i] = arr[side, key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
  }
  END {
    for (k in keys) {
      m = cnt["old", k]
      oe = median(e, "old", k, m); ne = median(e, "new", k, m)
      os = median(s, "old", k, m); ns = median(s, "new", k, m)
      printf "%-16s %14.0f %14.0f %8.3f %14.0f %14.0f %8.3f\n", k, oe, ne, ne / oe, os, ns, ns / os
    }
  }' "$bin/runs" | sort

# 300 inputs of 16..271 bytes from bash's seeded generator: the same files every run.
mkdir "$bin/inputs"
RANDOM=14
for i in $(seq 300); do
  n=$((16 + RANDOM % 256)) bytes=''
  for _ in $(seq "$n"); do printf -v b '\\%03o' $((RANDOM % 256)); bytes+=$b; done
  printf "$bytes" >"$bin/inputs/$(printf %03d "$i")"
done
if command -v valgrind >/dev/null; then
  printf '%-16s %16s %16s %8s\n' "fuzz target" "old instructions" "new instructions" ratio
  for target in baseline fixed; do
    for side in old new; do
      valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin/$side-$target" "$bin/inputs" 2>&1 |
        sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' >"$bin/ir-$side"
    done
    awk -v t="smp_${target}_fuzzer" -v o="$(cat "$bin/ir-old")" -v n="$(cat "$bin/ir-new")" \
      'BEGIN { printf "%-16s %16.0f %16.0f %8.4f\n", t, o, n, n / o }'
  done
else
  echo "(valgrind not installed: no instruction counts)"
fi
