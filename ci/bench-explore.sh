#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Explorer benchmark (issue 7), opt build, one core: the b0473dcd counterexample on the
# canonical scenario, and the fixed variant proven clean for ci/explore/fixed_3cpu_2ops.repro
# at preemption bound 3 and ci/explore/fixed_4cpu_1op.repro at bound 2 (the bound itself,
# --noiterative), each with DPOR plus sleep sets (issue 16), the sound sleep sets, the old unsound ones,
# and without reduction (capped at CAP seconds; a capped run gives a lower bound on the factor);
# then the parallel and sharded search (issue 16): --jobs=1 against --jobs=2 (wall time), and
# 16 shards run one after another and merged (their summed time and runs against one process).
#
# Last, unbounded searches (--preemptions=unbounded) and the estimate of one too big to run.
#
#   ci/bench-explore.sh            # CAP=600, PARTS=reductions,parallel,unbounded
#   PARTS=parallel ci/bench-explore.sh
#   BAZEL=/work/bz CAP=120 ci/bench-explore.sh   # Bazel through a wrapper (e.g. a lock on a shared machine)
set -euo pipefail
cd "$(dirname "$0")/.."
CAP=${CAP:-600}
PARTS=${PARTS:-reductions,parallel,unbounded}
for part in ${PARTS//,/ }; do
  case $part in reductions | parallel | unbounded) ;; *) echo "bench-explore: PARTS: unknown part '$part' (reductions, parallel, unbounded)" >&2; exit 2 ;; esac
done
case $CAP in '' | *[!0-9]*) echo "bench-explore: CAP must be a positive integer, got '$CAP'" >&2; exit 2 ;; esac

BAZEL=${BAZEL:-bazel}
$BAZEL build --config=opt //tools:smpfuzz >&2
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cp "$($BAZEL info --config=opt bazel-bin 2>/dev/null)/tools/smpfuzz" "$bin/smpfuzz"

canon=$bin/canon.repro
printf 'smpfuzz-repro 1\ncpus 3\nvariant b0473dcd\ncsdlock_debug on\ncpu 1: call_single target=0 wait=0\ncpu 2: call_single target=0 wait=0\n' >"$canon"

run() {  # run LABEL ARGS...: prints the explorer's final line with the label
  local label=$1; shift
  local t0 t1 line
  t0=$(date +%s.%N)
  line=$("$bin/smpfuzz" explore "$@" 2>&1 >/dev/null | tail -1 || true)
  t1=$(date +%s.%N)
  printf '%-52s %7.2f s  %s\n' "$label" "$(echo "$t1 - $t0" | bc)" "$line"
}

if [[ ",$PARTS," == *,reductions,* ]]; then
for reduction in sleep dpor; do
  run "b0473dcd canonical, first violation, $reduction" "$canon" --reduction=$reduction
  run "b0473dcd canonical, first llist-self-loop, $reduction" "$canon" --signatures=llist-self-loop --reduction=$reduction
done
# Proofs search the bound itself (--noiterative): bounds 0..N-1 would be re-run inside it.
# unsound-legacy is the relation before issue 13 (unsound; kept to show what soundness costs).
for reduction in dpor sleep unsound-legacy none; do
  run "fixed 3 CPUs x 2 ops, bound 3, $reduction" ci/explore/fixed_3cpu_2ops.repro --preemptions=3 --noiterative --reduction=$reduction --max_seconds="$CAP"
  run "fixed 4 CPUs x 1 op, bound 2, $reduction" ci/explore/fixed_4cpu_1op.repro --preemptions=2 --noiterative --reduction=$reduction --max_seconds="$CAP"
done
fi

if [[ ",$PARTS," == *,parallel,* ]]; then
  shards=$bin/shards
  for spec in "ci/explore/fixed_4cpu_1op.repro 2 sleep" "ci/explore/fixed_4cpu_1op.repro 2 dpor" \
              "ci/explore/fixed_3cpu_2ops.repro 2 sleep"; do
    read -r file bound reduction <<<"$spec"
    name="$(basename "$file" .repro), bound $bound, $reduction"
    args=("$file" --preemptions="$bound" --noiterative --reduction="$reduction" --max_seconds="$CAP")
    run "$name, --jobs=1" "${args[@]}" --jobs=1
    run "$name, --jobs=2" "${args[@]}" --jobs=2
    rm -rf "$shards" && mkdir "$shards"
    t0=$(date +%s.%N)
    for i in $(seq 0 15); do "$bin/smpfuzz" explore "${args[@]}" --shard="$i/16" --out="$shards/$i" 2>/dev/null; done
    t1=$(date +%s.%N)
    line=$("$bin/smpfuzz" explore --merge "$shards"/* 2>&1 >/dev/null | tail -1 || true)
    printf '%-52s %7.2f s  %s\n' "$name, 16 shards one by one, merged" "$(echo "$t1 - $t0" | bc)" "$line"
  done
fi

if [[ ",$PARTS," == *,unbounded,* ]]; then
  fixed_canon=$bin/fixed_canon.repro
  sed 's/^variant b0473dcd$/variant fixed/' "$canon" >"$fixed_canon"
  for reduction in sleep dpor; do
    run "canonical, fixed, unbounded, $reduction" "$fixed_canon" --preemptions=unbounded --reduction=$reduction --max_seconds="$CAP"
    run "canonical, fixed, unbounded one search, $reduction" "$fixed_canon" --preemptions=unbounded --noiterative --reduction=$reduction --max_seconds="$CAP"
    run "fixed_4cpu_1op, unbounded, $reduction" ci/explore/fixed_4cpu_1op.repro --preemptions=unbounded --noiterative --reduction=$reduction --max_seconds="$CAP"
  done
  for file in ci/explore/fixed_4cpu_1op.repro ci/explore/fixed_3cpu_2ops.repro; do
    line=$("$bin/smpfuzz" explore "$file" --preemptions=unbounded --noiterative --estimate 2>&1 | tail -1)
    printf '%-52s %7s    %s\n' "$(basename "$file" .repro), unbounded, --estimate" "" "$line"
    line=$("$bin/smpfuzz" explore "$file" --preemptions=3 --noiterative --estimate 2>&1 | tail -1)
    printf '%-52s %7s    %s\n' "$(basename "$file" .repro), bound 3, --estimate" "" "$line"
  done
fi
