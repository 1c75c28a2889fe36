#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The explorer's soundness check (lib/explorer_soundness_test.cc) on a wider campaign than
# `bazel test` runs: SCENARIOS random scenarios (default 3000) x every variant and mutant,
# each reduction (sleep sets, DPOR) against the unreduced search, from SEED (default: the
# date, so each night differs).
#
#   ci/soundness.sh                 # SCENARIOS=3000 SEED=$(date +%Y%m%d)
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIOS=${SCENARIOS:-3000}
SEED=${SEED:-$(date +%Y%m%d)}
for v in "$SCENARIOS" "$SEED"; do
  case $v in '' | *[!0-9]* | 0) echo "soundness: SCENARIOS and SEED must be positive whole numbers, got '$v'" >&2; exit 2 ;; esac
done
bazel build --config=opt //lib:explorer_soundness_test >&2
bin=$(bazel info --config=opt bazel-bin 2>/dev/null)/lib/explorer_soundness_test
echo "soundness: $SCENARIOS scenarios from seed $SEED"
SMPFUZZ_SOUNDNESS_SCENARIOS=$SCENARIOS SMPFUZZ_SOUNDNESS_SEED=$SEED "$bin"
