#!/usr/bin/env bash
# Usage: expect_race.sh BINARY expect|absent
# Runs the b0473dcd stress (BINARY).
#  expect (--config=tsan): passes only if the child fails with a ThreadSanitizer
#    data-race report whose stacks name csd_lock (the plain u_flags |= LOCK),
#    so a silent TSan fails the test.
#  absent (other configs): passes only if the child exits 0, printed its closing
#    summary, and nothing mentions ThreadSanitizer.
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BINARY expect|absent" >&2; exit 2; }
binary=$1 mode=$2

output=$("$binary" 2>&1)
status=$?
# The first report in full, then the run summaries.
echo "$output" | sed -n '/WARNING: ThreadSanitizer/,/^SUMMARY/p' | head -n 60
echo "$output" | grep -E '^b0473dcd_stress' || true
echo "--- $binary: exit $status, mode $mode"

has() { grep -qE -- "$1" <<<"$output"; }
case $mode in
  expect)
    ok=yes
    has 'WARNING: ThreadSanitizer: data race' || { echo "FAIL: no TSan data-race report"; ok=no; }
    # A report whose accesses are in csd_lock (the racing RMW of u_flags).
    has '#[0-9]+ smpfuzz::csd_lock\(' || { echo "FAIL: no report frame in csd_lock"; ok=no; }
    has 'SUMMARY: ThreadSanitizer: data race .* in smpfuzz::' ||
      { echo "FAIL: no TSan summary line for the race"; ok=no; }
    [ "$status" -ne 0 ] || { echo "FAIL: TSan reported nothing fatal (exit 0)"; ok=no; }
    [ $ok = yes ] && { echo PASS; exit 0; }
    exit 1 ;;
  absent)
    if [ "$status" -eq 0 ] && has '^b0473dcd_stress: [0-9]+ runs' && ! has ThreadSanitizer; then
      echo PASS; exit 0
    fi
    echo "FAIL: expected a clean exit with a summary and no TSan output"
    exit 1 ;;
  *)
    echo "unknown mode '$mode'" >&2
    exit 2 ;;
esac
