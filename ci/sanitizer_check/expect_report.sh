#!/usr/bin/env bash
# Usage: expect_report.sh BINARY BUG expect|absent PATTERN
# Runs BINARY BUG. With `expect` (the sanitizer is on in this config) it passes only if the
# child fails and its output contains PATTERN; with `absent` (it is off) only if the child
# exits 0 without PATTERN. So a sanitizer config that silently lost its flags fails here.
set -uo pipefail
[ $# -eq 4 ] || { echo "usage: $0 BINARY BUG expect|absent PATTERN" >&2; exit 2; }
binary=$1 bug=$2 mode=$3 pattern=$4

output=$("$binary" "$bug" 2>&1)
status=$?
echo "$output" | head -n 40
echo "--- $binary $bug: exit $status, mode $mode, pattern '$pattern'"

found=no
grep -qF -- "$pattern" <<<"$output" && found=yes

case $mode in
  expect)
    if [ $found = yes ] && [ $status -ne 0 ]; then echo PASS; exit 0; fi
    echo "FAIL: expected a fatal report containing '$pattern' (found=$found, exit=$status)"
    exit 1 ;;
  absent)
    if [ $found = no ] && [ $status -eq 0 ]; then echo PASS; exit 0; fi
    echo "FAIL: sanitizer is off in this config, expected a clean exit (found=$found, exit=$status)"
    exit 1 ;;
  *)
    echo "unknown mode '$mode'" >&2
    exit 2 ;;
esac
