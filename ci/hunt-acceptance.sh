#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The acceptance checks of `smpfuzz hunt` (issue 8), run by hand: they take about seven
# minutes and two cores, which is too long for `bazel test //...`.
#
#   1. a 2-minute hunt on b0473dcd from an empty directory ends with an llist-self-loop
#      bucket whose reproducer has 1 preemption and passes `replay --check`;
#   2. a 2-minute hunt on fixed ends with no bucket;
#   3. a hunt stopped with SIGTERM and started again keeps its corpus and crash files;
#   4. triage of 100 copies of one crash file gives one bucket.
#
#   ci/hunt-acceptance.sh            # HUNT_TIME=2m by default
set -euo pipefail
cd "$(dirname "$0")/.."
HUNT_TIME=${HUNT_TIME:-2m}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { find "$1" -maxdepth 1 -type f ! -name '*.tmp' | wc -l; }

echo "== 1. $HUNT_TIME hunt on b0473dcd"
rc=0
ci/hunt.sh --time="$HUNT_TIME" --variant=b0473dcd --out="$work/b" >"$work/b.summary" 2>"$work/b.err" || rc=$?
cat "$work/b.summary"
[ "$rc" = 1 ] || fail "hunt on b0473dcd exited $rc, expected 1 (buckets found); see $work/b.err"
smpfuzz=$work/b/bin/smpfuzz
ok=""
for f in "$work"/b/buckets/llist-self-loop-*.repro; do
  [ -e "$f" ] || fail "no llist-self-loop bucket"
  json=$("$smpfuzz" replay --json --notrace "$f" || true)
  if grep -q '"verdict":"llist-self-loop","steps":[0-9]*,"preemptions":1,' <<<"$json" &&
    "$smpfuzz" replay --check "$f" >/dev/null; then
    ok=$f
  fi
done
[ -n "$ok" ] || fail "no llist-self-loop bucket replays with 1 preemption and passes --check"
echo "ok: $ok: llist-self-loop, 1 preemption, expectations hold"

echo "== 2. $HUNT_TIME hunt on fixed"
rc=0
ci/hunt.sh --time="$HUNT_TIME" --variant=fixed --out="$work/f" >"$work/f.summary" 2>"$work/f.err" || rc=$?
cat "$work/f.summary"
[ "$rc" = 0 ] || fail "hunt on fixed exited $rc, expected 0; see $work/f.err"
[ "$(count "$work/f/buckets")" = 0 ] || fail "hunt on fixed left buckets"
echo "ok: fixed, no bucket"

echo "== 3. SIGTERM and restart"
ci/hunt.sh --time=10m --variant=b0473dcd --out="$work/r" >"$work/r1.summary" 2>"$work/r1.err" &
pid=$!
sleep 45
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "stopped hunt exited $rc, expected 1 (it had buckets); see $work/r1.err"
grep -q "stopping on" "$work/r/hunt.log" || fail "hunt.log does not record the stop"
corpus_before=$(count "$work/r/corpus")
crashes_before=$(count "$work/r/crashes")
ls "$work/r/crashes" >"$work/r.crashes"
[ "$corpus_before" -gt 0 ] && [ "$crashes_before" -gt 0 ] || fail "nothing to keep: corpus $corpus_before, crashes $crashes_before"
rc=0
ci/hunt.sh --time=20s --variant=b0473dcd --out="$work/r" >"$work/r2.summary" 2>"$work/r2.err" || rc=$?
[ "$rc" = 1 ] || fail "restarted hunt exited $rc; see $work/r2.err"
grep -q "resuming: $crashes_before crash file(s)" "$work/r2.err" || fail "the restart did not pick up the crash files"
while read -r f; do [ -f "$work/r/crashes/$f" ] || fail "crash file $f lost in the restart"; done <"$work/r.crashes"
corpus_after=$(count "$work/r/corpus")
[ "$corpus_after" -ge "$corpus_before" ] || fail "corpus shrank from $corpus_before to $corpus_after"
echo "ok: corpus $corpus_before -> $corpus_after, all $crashes_before crash files kept -> $(count "$work/r/crashes")"

echo "== 4. triage of 100 duplicate crashes"
crashes=("$work"/b/crashes/*)
one=${crashes[0]}
mkdir -p "$work/dups"
for i in $(seq 1 100); do cp "$one" "$work/dups/crash-$i"; done
rc=0
"$smpfuzz" triage "$work/dups" --out="$work/dups.out" >"$work/dups.table" || rc=$?
cat "$work/dups.table"
grep -q "100 file(s): 1 bucket(s)" "$work/dups.table" || fail "100 duplicates did not give one bucket"
echo "ok: one bucket"
echo "all hunt acceptance checks passed"
