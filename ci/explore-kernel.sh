#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernel guest's proofs on ci/explore's scenarios (issue 15: fixed clean
# within bound 3), too long for `bazel test`:
#   ci/explore-kernel.sh [BOUND] [VARIANT] [MAX_SECONDS]
# Each scenario is explored with --noiterative (the whole bound at once) on the
# kernel guest built from the default tree (--kernel=TREE via KERNEL=...), on
# JOBS processes (default: every core; explore --jobs, the same verdict and counts).
# Exit 0 when every scenario is clean and complete, 1 on a violation, 3 when a
# search ran out of its budget (not a proof).
set -uo pipefail
cd "$(dirname "$0")/.."
bound=${1:-3}
variant=${2:-fixed}
max_seconds=${3:-0}
JOBS=${JOBS:-$(nproc)}
case $JOBS in '' | *[!0-9]* | 0) echo "explore-kernel: JOBS must be a positive integer, got '$JOBS'" >&2; exit 2 ;; esac
bazel build -c opt //tools:smpfuzz >&2 || exit 2
bin=$(bazel info -c opt bazel-bin 2>/dev/null)/tools/smpfuzz
status=0
for f in ci/explore/*.repro; do
  log=$(mktemp)
  "$bin" explore "$f" --guest=kernel ${KERNEL:+--kernel="$KERNEL"} --variant="$variant" \
    --preemptions="$bound" --noiterative --max_seconds="$max_seconds" --jobs="$JOBS" --out=/dev/null 2>"$log"
  rc=$?
  echo "$f: $(tail -1 "$log")"
  if [ "$rc" -eq 1 ]; then status=1; fi
  if [ "$rc" -eq 0 ] && grep -q 'budget ran out' "$log" && [ "$status" -eq 0 ]; then status=3; fi
  if [ "$rc" -eq 2 ]; then cat "$log" >&2; exit 2; fi
  rm -f "$log"
done
exit "$status"
