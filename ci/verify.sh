#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# smpfuzz verify in scopes too large for `bazel test` (issue 17), opt build, both cores:
# the acceptance scope on b0473dcd (the self-loop as the minimal counterexample), fixed
# and baseline clean in the certificates' scope re-checked, and fixed clean in the
# default kinds on 2-3 CPUs x 1 op at bound 2. Prints each run's summary lines.
#
#   ci/verify.sh                      # BAZEL=/work/bz ci/verify.sh on a shared machine
set -euo pipefail
cd "$(dirname "$0")/.."
BAZEL=${BAZEL:-bazel}
$BAZEL build --config=opt //tools:smpfuzz >&2
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cp "$($BAZEL info --config=opt bazel-bin 2>/dev/null)/tools/smpfuzz" "$bin/smpfuzz"
# Every signature but percpu-out-of-range (b0473dcd's per_cpu_ptr() of an impossible CPU,
# which the fix keeps).
sigs=llist-self-loop,csd-double-lock,callback-lost,callback-duplicated,callback-corrupted
sigs=$sigs,csd-unlock-unlocked,csd-lock-timeout,cpu-stuck,data-race

run() {  # run WANT_STATUS ARGS...: the summary lines; fails on another exit status
  local want=$1; shift
  local status=0
  echo "== smpfuzz verify $*"
  "$bin/smpfuzz" verify "$@" >"$bin/out" 2>"$bin/err" || status=$?
  grep -v '^verify: [0-9]* CPUs, ' "$bin/err" || true  # without the progress lines
  grep -v '^#\|^expect' "$bin/out" || true
  [ "$status" -eq "$want" ] || { echo "ci/verify.sh: exit status $status, want $want" >&2; exit 1; }
}

run 1 --cpus=2-3 --ops=1 --kinds=single --csdlock_debug=on --variant=b0473dcd \
  --signatures=llist-self-loop --preemptions=2
run 1 --cpus=2-3 --ops=1 --variant=b0473dcd --preemptions=2 --signatures=$sigs
run 0 --check=ci/certs/fixed.cert
run 0 --check=ci/certs/baseline.cert
run 0 --cpus=2-3 --ops=1 --variant=fixed --preemptions=2 --signatures=$sigs
run 0 --cpus=2-3 --ops=1 --offline=1 --variant=baseline --preemptions=2
