#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The kill matrix (issue 17): every mutant of the variant table (lib/variant.cc), and
# b0473dcd, through `smpfuzz verify` on four scopes, with the verdict, the signature and
# size of the minimal counterexample, and the time to it. `fixed` must be clean in every
# scopes (otherwise a kill means nothing). The rows are compared with
# ci/kill-matrix.expected (everything but the times); a difference fails the script.
#
# The scopes (opt build, both cores):
#   A  2-3 CPUs x 1 op, call_single (every target and wait), call_single_async with a
#      fresh csd, flush; offline sets of up to 1 CPU; csdlock_debug on and off; bound 2;
#      every signature but percpu-out-of-range (b0473dcd's per_cpu_ptr() of an impossible
#      CPU, which the fix keeps).
#   B  2 CPUs x up to 2 ops, call_single_async on the CPU's one static csd (so the second
#      call reuses it) and flush; same offline, debug and bound; every signature but
#      percpu-out-of-range and data-race (a reuse the caller does not serialize races
#      on u_flags in every kernel, see repro/async_ebusy.repro).
#   C  2 CPUs x 1 op, and up to 1 extra task (lib/scenario.h: a second task on a CPU,
#      preempted and migrated) with 1 op; call_single, fresh call_single_async and
#      flush; same offline, debug, bound and signatures as A.
#   D  3 CPUs x 1 op, smp_call_function_any() (call_any: every mask, wait 0/1); same
#      offline, debug and signatures as A, bound 1 (fixed's clean run there is 3 minutes
#      on 2 cores; at bound 2, or with call_function too, it is over 15).
#   E  2-3 CPUs x 1 op, call_single and CPU hotplug at run time (offline/online of every
#      CPU); same offline and debug as A, bound 1, every signature of A and
#      offline-cpu-entry.
#   F  2 CPUs x up to 2 ops, the other entries of call_single_queue: irq_work_queue_on
#      (one work for every CPU, every target) and ttwu_queue (every target), and flush;
#      same offline, debug and bound as B; every signature of B (re-queueing an irq_work
#      while its flush runs races on its node in every variant: README "The irq_work
#      re-queue race").
# A row is tried in A, then in B if A left it alive, then in C, D, E and F.
#   ROWS="v1 v2" ci/kill-matrix.sh    # only these rows (compared with their expected lines)
#
#   ci/kill-matrix.sh                 # BAZEL=/work/bz ci/kill-matrix.sh on a shared machine
#   ci/kill-matrix.sh --markdown      # also print the table for BENCHMARKS.md
#   SKIP_FIXED=1 ci/kill-matrix.sh    # skip fixed's two clean runs (~5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
BAZEL=${BAZEL:-bazel}
markdown=0
[ "${1:-}" = --markdown ] && markdown=1
$BAZEL build --config=opt //tools:smpfuzz >&2
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cp "$($BAZEL info --config=opt bazel-bin 2>/dev/null)/tools/smpfuzz" "$bin/smpfuzz"

sigs=llist-self-loop,cpu-stuck,csd-lock-timeout,callback-corrupted,callback-duplicated
sigs=$sigs,callback-lost,csd-double-lock,csd-unlock-unlocked,kernel-warn,csd-spurious-busy
scope_a=(--cpus=2-3 --ops=1 --kinds=single,async,flush --offline=1 --preemptions=2
         --signatures=$sigs,data-race)
scope_b=(--cpus=2 --ops=2 --kinds=async_reused,flush --offline=1 --preemptions=2
         --signatures=$sigs)
scope_c=(--cpus=2 --ops=1 --tasks=1 --kinds=single,async,flush --offline=1 --preemptions=2
         --signatures=$sigs,data-race)
scope_d=(--cpus=3 --ops=1 --kinds=any --offline=1 --preemptions=1
         --signatures=$sigs,data-race)
scope_e=(--cpus=2-3 --ops=1 --kinds=single,hotplug --offline=1 --preemptions=1
         --signatures=$sigs,data-race,offline-cpu-entry)
scope_f=(--cpus=2 --ops=2 --kinds=irq_work,ttwu,flush --offline=1 --preemptions=2
         --signatures=$sigs)

# run SCOPE_NAME VARIANT ARGS...: one verify; sets status, summary, time and result.
run() {
  local name=$1 variant=$2; shift 2
  status=0
  "$bin/smpfuzz" verify "$@" --variant="$variant" --jobs=2 >"$bin/out" 2>"$bin/err" || status=$?
  summary=$(grep '^verify: [0-9]* scenarios, ' "$bin/err" || true)
  time=$(sed -n 's/.* executions, \([0-9.]*\) s$/\1/p' <<<"$summary")
  case $status in
    0) result="$variant $name clean" ;;
    1)
      local line sig p cpus ops
      line=$(grep '^verify: counterexample ' "$bin/err")
      sig=$(sed -n 's/^verify: counterexample \([a-z-]*\) with.*/\1/p' <<<"$line")
      p=$(sed -n 's/.* with \([0-9]*\) preemption(s).*/\1/p' <<<"$line")
      cpus=$(sed -n 's/^# fewest CPUs (\([0-9]*\)).*/\1/p' "$bin/out")
      ops=$(sed -n 's/.*then operations (\([0-9]*\)).*/\1/p' "$bin/out")
      result="$variant $name killed $sig cpus=$cpus ops=$ops preemptions=$p" ;;
    *)
      echo "ci/kill-matrix.sh: verify --variant=$variant (scope $name) exited $status:" >&2
      cat "$bin/err" >&2
      exit 1 ;;
  esac
}

# scope_run SCOPE VARIANT: run with that scope's arguments.
scope_run() {
  case $1 in
    A) run A "$2" "${scope_a[@]}" ;;
    B) run B "$2" "${scope_b[@]}" ;;
    C) run C "$2" "${scope_c[@]}" ;;
    D) run D "$2" "${scope_d[@]}" ;;
    E) run E "$2" "${scope_e[@]}" ;;
    F) run F "$2" "${scope_f[@]}" ;;
  esac
}

# The rows of the table, in its order (or those of $ROWS).
rows=$(sed -n 's/^ *\(Mutant(\)\?{\.name = "\([a-z0-9-]*\)".*/\2/p' lib/variant.cc)
[ -n "${ROWS:-}" ] && rows=$ROWS
got=$bin/got
: >"$got"
table=$bin/table
: >"$table"
for variant in $rows; do
  [ "$variant" = baseline ] && continue
  if [ "$variant" = fixed ]; then
    [ -n "${SKIP_FIXED:-}" ] && continue
    for s in A B C D E F; do
      scope_run "$s" fixed
      echo "$result" | tee -a "$got"
      echo "| fixed (scope $s) | clean | | | ${time} s |" >>"$table"
    done
    continue
  fi
  # A, then each next scope while the row survives; the time adds up.
  total=0
  for s in A B C D E F; do
    scope_run "$s" "$variant"
    total=$(awk -v a="$total" -v b="$time" 'BEGIN { printf "%.1f", a + b }')
    [ "$status" -eq 0 ] || break
  done
  time=$total
  echo "$result" | tee -a "$got"
  read -r _ scope verdict sig size <<<"$result" || true
  echo "| $variant | $verdict in $scope | $sig | ${size//=/ } | ${time} s |" >>"$table"
done

want=ci/kill-matrix.expected
filter() {
  if [ -n "${ROWS:-}" ]; then
    grep -E "^($(tr ' ' '|' <<<"$ROWS")) "
  elif [ -n "${SKIP_FIXED:-}" ]; then
    grep -v '^fixed '
  else
    cat
  fi
}
if ! diff <(grep -v '^#' "$want" | filter) "$got" >"$bin/diff"; then
  echo "ci/kill-matrix.sh: the matrix differs from $want (< expected, > now):" >&2
  cat "$bin/diff" >&2
  exit 1
fi
if [ $markdown = 1 ]; then
  echo
  echo "| row | verdict | signature | minimal counterexample (CPUs, ops in all, preemptions) | time to it (A, then B, C, D, E, F) |"
  echo "|---|---|---|---|---|"
  cat "$table"
fi
echo "ci/kill-matrix.sh: matrix as expected ($(grep -c killed "$got") killed)"
