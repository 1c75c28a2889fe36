#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `smpfuzz hunt` with a stand-in engine (fake_libfuzzer.sh): crash collection, triage into a
# minimized bucket, resuming, restarting a dead engine, SIGTERM, and bad options. The real
# engines are checked by ci/hunt-acceptance.sh.
# Usage: hunt_test.sh SMPFUZZ FAKE_LIBFUZZER SELF_LOOP_REPRO
set -u
smpfuzz=$1 fake=$2 self_loop=$3
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
"$smpfuzz" convert "$self_loop" --to=bytes --out="$tmp/self_loop.bytes" || exit 1
export FAKE_CRASH=$tmp/self_loop.bytes

# 1. The crash is copied, bucketed and minimized; exit 1.
out=$tmp/h1
rc=0
"$smpfuzz" hunt --time=4s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --variant=b0473dcd \
  --out="$out" >"$tmp/1.out" 2>"$tmp/1.err" || rc=$?
[ "$rc" = 1 ] || fail "hunt with a crashing engine exited $rc, expected 1: $(cat "$tmp/1.err")"
[ "$(ls "$out"/crashes | wc -l)" = 1 ] || fail "expected 1 crash file in crashes/: $(ls "$out"/crashes)"
[ -f "$out/libfuzzer/artifacts/crash-fake" ] || fail "the engine's own crash file is gone"
bucket=$(ls "$out"/buckets/llist-self-loop-*.repro 2>/dev/null | head -1)
[ -n "$bucket" ] || fail "no llist-self-loop bucket: $(ls "$out"/buckets)"
[ -n "$bucket" ] && { "$smpfuzz" replay --json --notrace "$bucket" | grep -q '"preemptions":1,' ||
  fail "the bucket's reproducer does not have 1 preemption"; }
[ -n "$bucket" ] && { "$smpfuzz" replay --check "$bucket" >/dev/null || fail "the bucket fails --check"; }
grep -q '| llist-self-loop | 1 |' "$out/summary.md" || fail "summary.md lacks the bucket row: $(cat "$out/summary.md")"
cmp -s "$out/summary.md" <(sed -n '/^# smpfuzz hunt/,/^Next:/p' "$tmp/1.out") ||
  fail "the printed summary differs from summary.md"

# 2. A second run on the same directory resumes: crash kept, bucket reproducer reused.
rc=0
"$smpfuzz" hunt --time=2s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --variant=b0473dcd \
  --out="$out" >"$tmp/2.out" 2>"$tmp/2.err" || rc=$?
[ "$rc" = 1 ] || fail "resumed hunt exited $rc"
grep -q "resuming: 1 crash file(s)" "$tmp/2.err" || fail "no 'resuming' line: $(cat "$tmp/2.err")"
grep -q "reproducer kept from before" "$tmp/2.err" || fail "the bucket was minimized again"
[ "$(ls "$out"/crashes | wc -l)" = 1 ] || fail "the same crash was stored twice"

# 3. An engine that dies once is restarted.
out=$tmp/h3
rc=0
FAKE_MODE=once "$smpfuzz" hunt --time=4s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" \
  --out="$out" >"$tmp/3.out" 2>"$tmp/3.err" || rc=$?
grep -q "exited with status 4; restarting" "$out/hunt.log" || fail "no restart in hunt.log: $(cat "$out/hunt.log")"
grep -q "1 restart(s)" "$out/summary.md" || fail "summary does not count the restart"

# 4. An engine that keeps dying stops the hunt with status 2 and says why.
out=$tmp/h4
rc=0
FAKE_MODE=die "$smpfuzz" hunt --time=60s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" \
  --out="$out" >"$tmp/4.out" 2>"$tmp/4.err" || rc=$?
[ "$rc" = 2 ] || fail "hunt with a dying engine exited $rc, expected 2"
grep -q "every engine failed" "$tmp/4.err" || fail "no reason given: $(tail -3 "$tmp/4.err")"
grep -q "fake libfuzzer: cannot run" "$out/hunt.log" || fail "the engine's last words are not in hunt.log"

# 5. SIGTERM stops it cleanly: summary written, crash kept, status 1 (a bucket exists).
out=$tmp/h5
"$smpfuzz" hunt --time=10m --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --out="$out" \
  >"$tmp/5.out" 2>"$tmp/5.err" &
pid=$!
for _ in $(seq 1 50); do [ -n "$(ls "$out"/buckets 2>/dev/null)" ] && break; sleep 0.2; done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "hunt stopped by SIGTERM exited $rc, expected 1"
grep -q "stopping on Terminated" "$out/hunt.log" || fail "hunt.log does not record the stop"
[ -f "$out/summary.md" ] || fail "no summary after SIGTERM"
if command -v pgrep >/dev/null; then
  pgrep -f "fake_libfuzzer.sh -fork" >/dev/null && fail "the engine outlived the hunt"
fi

# 6. Bad options: one line, status 2.
check_bad() {
  local want=$1
  shift
  local rc=0
  PATH=${HUNT_PATH:-$PATH} "$smpfuzz" hunt "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
  [ "$rc" = 2 ] || fail "hunt $* exited $rc, expected 2"
  [ "$(wc -l <"$tmp/bad.err")" = 1 ] || fail "hunt $*: expected one line, got: $(cat "$tmp/bad.err")"
  grep -q -- "$want" "$tmp/bad.err" || fail "hunt $*: expected '$want' in: $(cat "$tmp/bad.err")"
}
check_bad "needs --time" --out="$tmp/x"
check_bad "expected a duration" --time=soon --out="$tmp/x"
check_bad "expected a duration" --time=-5m --out="$tmp/x"
check_bad "unknown engine 'honggfuzz'" --time=1m --engine=honggfuzz --out="$tmp/x"
check_bad "libfuzzer_target: needed" --time=1m --engine=libfuzzer --out="$tmp/x"
check_bad "no-such-binary: No such file" --time=1m --engine=libfuzzer --libfuzzer_target="$tmp/no-such-binary" --out="$tmp/x"
check_bad "unknown variant 'nope'" --time=1m --variant=nope --engine=libfuzzer --libfuzzer_target="$fake" --out="$tmp/x"
check_bad "expected a whole number" --time=1m --jobs=1.5 --engine=libfuzzer --libfuzzer_target="$fake" --out="$tmp/x"
check_bad "--out: needed" --time=1m --engine=libfuzzer --libfuzzer_target="$fake"
check_bad "dict=$tmp/none: No such file" --time=1m --engine=libfuzzer --libfuzzer_target="$fake" --out="$tmp/x" --dict="$tmp/none"
HUNT_PATH=/nonexistent check_bad "afl-fuzz is not on PATH" --time=1m --engine=afl --afl_target="$fake" --out="$tmp/x"

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all hunt checks passed"
