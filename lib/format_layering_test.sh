#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The layers as a table: each row names a layer's files and the headers none
# of them may include. Formats take data (a Scenario, Locations, a finished
# RunResult), never a simulator, so that triage and hunt can print and store
# what a run left behind. Runs from the workspace root (Bazel's runfiles tree,
# or by hand: lib/format_layering_test.sh).
set -uo pipefail

# layer: files: forbidden includes
read -r -d '' LAYERS <<'TABLE'
helpers: lib/hash.h lib/hex.h lib/json.h lib/json.cc: lib/simulator.h lib/checkers.h lib/locations.h lib/repro.h lib/run_result.h
data: lib/report.h lib/report.cc lib/run_result.h lib/run_result.cc lib/locations.h lib/locations.cc: lib/simulator.h lib/checkers.h lib/workload.h
formats: lib/repro.h lib/repro.cc lib/input_bytes.h lib/input_bytes.cc lib/inputs.h lib/inputs.cc lib/trace_format.h lib/trace_format.cc lib/trace_svg.h lib/trace_svg.cc: lib/simulator.h lib/checkers.h lib/race_detector.h lib/csd_owners.h lib/expectations.h lib/explorer.h lib/triage.h
TABLE

failures=0
while IFS= read -r row; do
  [ -n "$row" ] || continue
  layer=${row%%:*}
  rest=${row#*:}
  files=${rest%%:*}
  forbidden=${rest#*:}
  for f in $files; do
    if [ ! -f "$f" ]; then
      echo "FAIL: $layer: $f is in the table but not in the tree (renamed? update the table)"
      failures=$((failures + 1))
      continue
    fi
    for h in $forbidden; do
      if grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"$h\"" "$f"; then
        echo "FAIL: $layer: $f includes $h"
        failures=$((failures + 1))
      fi
    done
  done
done <<<"$LAYERS"

if [ "$failures" -gt 0 ]; then
  echo "$failures layering violation(s)"
  exit 1
fi
echo "layers hold"
