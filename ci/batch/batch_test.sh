#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The batch-engine recipes run here as local processes: 8 shards through the
# Slurm array script and 8 through the Kubernetes Job's command, each merged,
# must give the verdict and counts of one unsharded explore.
set -uo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(pwd)  # the runfiles tree: ci/batch/... and ci/explore/... below it
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

scenario=$tmp/scenario.repro
printf 'smpfuzz-repro 1\ncpus 3\nvariant fixed\ncsdlock_debug on\ncpu 1: call_single target=0 wait=0\ncpu 2: call_single target=0 wait=1\n' >"$scenario"
args='--preemptions=3 --noiterative'
counts() { sed -n 's/.*(sleep sets): \(bound [0-9]*: [0-9]* executions ([0-9]* cut short), [0-9]* distinct traces, redundancy [0-9.]*, [0-9]* pruned\).*/\1/p' "$1"; }

# shellcheck disable=SC2086
"$bin" explore "$scenario" $args 2>"$tmp/one.err" || fail "unsharded explore failed: $(cat "$tmp/one.err")"
one=$(counts "$tmp/one.err")
[ -n "$one" ] || fail "no counts in: $(cat "$tmp/one.err")"

# Slurm: the array script, once per task.
for i in $(seq 0 7); do
  env -u JOB_COMPLETION_INDEX SLURM_ARRAY_TASK_ID=$((i + 100)) SLURM_ARRAY_TASK_MIN=100 SLURM_ARRAY_TASK_COUNT=8 \
    SLURM_SUBMIT_DIR="$root" SMPFUZZ="$bin" SCENARIO="$scenario" EXPLORE_ARGS="$args" RESULTS="$tmp/slurm" \
    bash "$root/ci/batch/explore-array.sbatch" 2>>"$tmp/slurm.err" || fail "slurm task $i failed: $(tail -3 "$tmp/slurm.err")"
done
"$bin" explore --merge "$tmp"/slurm/shard-* 2>"$tmp/slurm-merge.err" || fail "slurm merge: $(cat "$tmp/slurm-merge.err")"
grep -q '^explore: clean within preemptions <= 3.*8 shards' "$tmp/slurm-merge.err" || fail "slurm merge: $(cat "$tmp/slurm-merge.err")"
[ "$(counts "$tmp/slurm-merge.err")" = "$one" ] || fail "8 Slurm shards merged to '$(counts "$tmp/slurm-merge.err")', one process '$one'"
ls "$tmp"/slurm/.shard-* >/dev/null 2>&1 && fail "a temporary shard file was left behind"

# Kubernetes: the Job's container command and environment, as the manifest
# gives them (the scenario and arguments replaced by the small ones here).
job=$root/ci/batch/explore-job.yaml
grep -q 'completionMode: Indexed' "$job" || fail "the Job is not an Indexed Job"
completions=$(sed -n 's/^ *completions: *\([0-9]*\).*/\1/p' "$job")
shards=$(grep -A1 'name: SHARDS' "$job" | sed -n 's/.*value: *"\([0-9]*\)".*/\1/p')
[ -n "$completions" ] && [ "$completions" = "$shards" ] || fail "the Job's completions ($completions) and SHARDS ($shards) differ"
command=$(sed -n 's/^ *command: \["\(.*\)"\]$/\1/p' "$job")
[ "$command" = ci/batch/explore-shard.sh ] || fail "the Job runs '$command', not ci/batch/explore-shard.sh"
for i in $(seq 0 7); do
  env -u SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX=$i SHARDS=8 SMPFUZZ="$bin" SCENARIO="$scenario" \
    EXPLORE_ARGS="$args" RESULTS="$tmp/k8s" bash "$root/$command" 2>>"$tmp/k8s.err" ||
    fail "k8s pod $i failed: $(tail -3 "$tmp/k8s.err")"
done
"$bin" explore --merge "$tmp"/k8s/shard-* 2>"$tmp/k8s-merge.err" || fail "k8s merge: $(cat "$tmp/k8s-merge.err")"
[ "$(counts "$tmp/k8s-merge.err")" = "$one" ] || fail "8 Kubernetes shards merged to '$(counts "$tmp/k8s-merge.err")', one process '$one'"
# The same shard whichever engine numbered it (all but its time).
diff <(grep -v '^result ' "$tmp/k8s/shard-3") <(grep -v '^result ' "$tmp/slurm/shard-3") >/dev/null ||
  fail "shard 3 differs between the two engines"

# Bad input: a clear line, exit 2.
env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX SHARDS=8 SMPFUZZ="$bin" SCENARIO="$scenario" RESULTS="$tmp/x" \
  bash "$root/ci/batch/explore-shard.sh" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID' "$tmp/err" || fail "no index: $(cat "$tmp/err")"
JOB_COMPLETION_INDEX=0 SHARDS=zero SMPFUZZ="$bin" SCENARIO="$scenario" RESULTS="$tmp/x" \
  bash "$root/ci/batch/explore-shard.sh" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "SHARDS must be a positive integer, got 'zero'" "$tmp/err" || fail "SHARDS=zero: $(cat "$tmp/err")"
JOB_COMPLETION_INDEX=9 SHARDS=8 SMPFUZZ="$bin" SCENARIO="$scenario" RESULTS="$tmp/x" \
  bash "$root/ci/batch/explore-shard.sh" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'shard 9 is not below N' "$tmp/err" || fail "index 9 of 8: $(cat "$tmp/err")"

if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "batch recipes: 8 Slurm and 8 Kubernetes shards merge to '$one'"
