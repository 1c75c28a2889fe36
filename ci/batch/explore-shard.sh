#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# One shard of an explorer proof on a batch engine: what each pod of
# ci/batch/explore-job.yaml (a Kubernetes Indexed Job) and each task of
# ci/batch/explore-array.sbatch (a Slurm job array) runs.
#
#   SCENARIO=FILE RESULTS=DIR SHARDS=N [EXPLORE_ARGS='--preemptions=3 --noiterative'] \
#     [SMPFUZZ=smpfuzz] ci/batch/explore-shard.sh
#
# The shard's number comes from the engine: JOB_COMPLETION_INDEX (Kubernetes) or
# SLURM_ARRAY_TASK_ID (Slurm, less SLURM_ARRAY_TASK_MIN), through
# `explore --shard=auto/N`. Its result goes to RESULTS/shard-I; the exit status
# is 0 whatever the shard found (the verdict is the merge's:
# `smpfuzz explore --merge RESULTS/shard-*`), 2 on bad input.
set -euo pipefail
: "${SCENARIO:?set SCENARIO to the reproducer whose scenario is explored}"
: "${RESULTS:?set RESULTS to the directory for the shard results}"
: "${SHARDS:?set SHARDS to the number of shards (the Job's completions, the array's size)}"
SMPFUZZ=${SMPFUZZ:-smpfuzz}
EXPLORE_ARGS=${EXPLORE_ARGS:---preemptions=3 --noiterative}
case $SHARDS in '' | *[!0-9]* | 0) echo "explore-shard: SHARDS must be a positive integer, got '$SHARDS'" >&2; exit 2 ;; esac
index=${JOB_COMPLETION_INDEX:-${SLURM_ARRAY_TASK_ID:-}}
[ -n "$index" ] || { echo "explore-shard: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set" >&2; exit 2; }
if [ -z "${JOB_COMPLETION_INDEX:-}" ]; then index=$((index - ${SLURM_ARRAY_TASK_MIN:-0})); fi
mkdir -p "$RESULTS"
# Written under a temporary name and renamed: a shard killed half-way leaves no
# result that the merge could mistake for a whole one.
tmp="$RESULTS/.shard-$index.$$"
# shellcheck disable=SC2086  # EXPLORE_ARGS is a list of flags
"$SMPFUZZ" explore "$SCENARIO" $EXPLORE_ARGS --shard="auto/$SHARDS" --out="$tmp"
mv -f "$tmp" "$RESULTS/shard-$index"
