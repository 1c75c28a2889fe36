#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Two hunts on this machine with OUT directories of their own and one shared sync directory
# (what two machines do with an NFS or rsync'ed directory): each runs libFuzzer and AFL++
# (ci/hunt.sh --sync_dir=...), and each must end up with the other's inputs:
#   AFL++    its queue holds entries imported from the other hunt (id:...,sync:<other>_...)
#   libFuzzer  a corpus merge added inputs from the other hunt's queues (hunt.log)
#
#   ci/hunt-sync.sh [--time=3m] [--variant=fixed] [--dir=DIR]
#
# DIR (default: a new temporary directory, kept) holds sync/, A/ and B/. Exit 0: both hunts
# imported from each other; 1: one did not; 2: bad usage, or a hunt could not run.
set -uo pipefail
cd "$(dirname "$0")/.."
time=3m variant=fixed dir=""
for a in "$@"; do
  case $a in
    --time=*) time=${a#*=} ;;
    --variant=*) variant=${a#*=} ;;
    --dir=*) dir=${a#*=} ;;
    *) echo "hunt-sync.sh: unknown argument '$a' (usage: ci/hunt-sync.sh [--time=3m] [--variant=fixed] [--dir=DIR])" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || dir=$(mktemp -d /tmp/hunt-sync.XXXXXX)
why=$(mkdir -p "$dir/sync" 2>&1) || { echo "hunt-sync.sh: --dir=$dir: ${why#mkdir: }" >&2; exit 2; }
[ -w "$dir/sync" ] || { echo "hunt-sync.sh: --dir=$dir: not writable" >&2; exit 2; }
export BAZEL=${BAZEL:-bazel}
# AFL++ secondaries look at the others' queues every AFL_SYNC_TIME minutes (default 30,
# right for a night): every minute here, so that a short run shows it. One hunt starts
# after the other (the second waits for the first's build), so the first has nothing to
# import at its start.
export AFL_SYNC_TIME=${AFL_SYNC_TIME:-1}

echo "hunt-sync.sh: two hunts of $time on $variant, sharing $dir/sync" >&2
pids=()
for h in A B; do
  bash ci/hunt.sh --time="$time" --variant="$variant" --engine=libfuzzer,afl --jobs=1 --merge_every=30s \
    --sync_dir="$dir/sync" --out="$dir/$h" >"$dir/$h.out" 2>"$dir/$h.err" &
  pids+=($!)
done
status=0
for i in 0 1; do
  rc=0; wait "${pids[$i]}" || rc=$?
  # 0: no bucket, 1: buckets (the variant's known bugs); 2: it could not run.
  [ "$rc" -le 1 ] || { echo "hunt-sync.sh: hunt ${i/0/A} exited $rc: $(tail -1 "$dir/$([ "$i" = 0 ] && echo A || echo B).err")" >&2; status=2; }
done
[ "$status" = 0 ] || exit 2

node() { sed -n 's/.*; sharing .* as \([A-Za-z0-9_-]*\)$/\1/p' "$dir/$1/hunt.log" | head -1; }
A=$(node A) B=$(node B)
[ -n "$A" ] && [ -n "$B" ] || { echo "hunt-sync.sh: no node names in the hunts' logs" >&2; exit 1; }
ok=1
for pair in "A $A $B" "B $B $A"; do
  read -r h me other <<<"$pair"
  afl=$(ls "$dir/sync/${me}_0/queue" 2>/dev/null | grep -c "sync:${other}_")
  merged=$(sed -n 's/.*(\([0-9]*\) of them from [0-9]* queue(s) of other hunts in the sync dir)/\1/p' "$dir/$h/hunt.log" |
    awk '{s += $1} END {print s + 0}')
  echo "hunt $h ($me): AFL++ imported $afl input(s) from hunt ${other}'s queues; libFuzzer's corpus merges took $merged from the other hunt"
  [ "$afl" -gt 0 ] && [ "$merged" -gt 0 ] || ok=0
done
ls "$dir/sync"
if [ "$ok" = 1 ]; then echo "hunt-sync.sh: both hunts imported each other's inputs ($dir)"; exit 0; fi
echo "hunt-sync.sh: a hunt did not import the other's inputs ($dir)"; exit 1
