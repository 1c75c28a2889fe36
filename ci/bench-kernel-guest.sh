#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernel guest's executions/s against the model's, side by side in one
# process (issue 15): ci/bench-kernel-guest.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-2}
rounds=${2:-3}
bazel build -c opt //kernel:guest_benchmark >&2
"$(bazel info -c opt bazel-bin 2>/dev/null)/kernel/guest_benchmark" --seconds="$seconds" --rounds="$rounds"
