#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `smpfuzz hunt` with a stand-in engine (fake_libfuzzer.sh): crash collection, triage into a
# minimized bucket, resuming, restarting a dead engine, SIGTERM, bad options, one hunt per
# directory, the buckets of an earlier run, a full disk, descendants that leave the engine's
# process group, the bound of --time, ci/hunt.sh's own checks, and crash files whose first
# bytes are '#'. The real engines are
# checked by ci/hunt-acceptance.sh.
# Usage: hunt_test.sh SMPFUZZ FAKE_LIBFUZZER SELF_LOOP_REPRO HUNT_SH
set -u
smpfuzz=$1 fake=$2 self_loop=$3 hunt_sh=$4
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
for _ in $(seq 1 25); do [ -f "$out/summary.md" ] && break; sleep 0.2; done
# While it runs, summary.md says so; "ended" only once it has.
grep -q "^- running since .* so far (this run; --time=00:10:00" "$out/summary.md" ||
  fail "summary.md of a running hunt does not say it runs: $(head -3 "$out/summary.md")"
grep -q "ended" "$out/summary.md" && fail "summary.md of a running hunt says it ended"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 1 ] || fail "hunt stopped by SIGTERM exited $rc, expected 1"
grep -q "stopping on Terminated" "$out/hunt.log" || fail "hunt.log does not record the stop"
[ -f "$out/summary.md" ] || fail "no summary after SIGTERM"
grep -q "^- ended .* after " "$out/summary.md" || fail "the final summary.md does not say it ended"
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

# alive PID: the process exists and is not a zombie.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

# 7. One hunt per directory: a second is refused in one line naming the directory and the
# first one's pid, with status 2; the lock of a killed hunt is taken over.
out=$tmp/h7
"$smpfuzz" hunt --time=10m --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --out="$out" \
  >"$tmp/7a.out" 2>"$tmp/7a.err" &
pid=$!
for _ in $(seq 1 50); do grep -q "start:" "$out/hunt.log" 2>/dev/null && break; sleep 0.1; done
rc=0
"$smpfuzz" hunt --time=2s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --out="$out" \
  >"$tmp/7b.out" 2>"$tmp/7b.err" || rc=$?
[ "$rc" = 2 ] || fail "a second hunt on one --out exited $rc, expected 2"
[ "$(wc -l <"$tmp/7b.err")" = 1 ] || fail "a second hunt: expected one line, got: $(cat "$tmp/7b.err")"
grep -qF -- "--out=$out: another hunt is running in this directory (pid $pid)" "$tmp/7b.err" ||
  fail "a second hunt: no directory and pid in: $(cat "$tmp/7b.err")"
[ "$(grep -c "start:" "$out/hunt.log")" = 1 ] || fail "the second hunt wrote to hunt.log"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
rc=0
"$smpfuzz" hunt --time=2s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --out="$out" \
  >"$tmp/7c.out" 2>"$tmp/7c.err" || rc=$?
[ "$rc" = 1 ] || fail "a hunt after a killed one exited $rc, expected 1: $(tail -2 "$tmp/7c.err")"
grep -q "the lock of an earlier hunt (pid $pid) that did not end cleanly is taken over" "$out/hunt.log" ||
  fail "hunt.log does not say the stale lock was taken over"

# 8. What an earlier run found is known from the start: bucket-keys only grows (a key on disk
# survives a rewrite), and the buckets of OUT/buckets count even before (or without) their
# crash files being triaged again.
out=$tmp/h8
mkdir -p "$out"
echo "a-key-from-an-earlier-run" >"$out/bucket-keys"
rc=0
"$smpfuzz" hunt --time=4s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --out="$out" \
  >"$tmp/8a.out" 2>"$tmp/8a.err" || rc=$?
[ "$rc" = 1 ] || fail "hunt with a key from before exited $rc"
grep -qx "a-key-from-an-earlier-run" "$out/bucket-keys" || fail "bucket-keys lost the key from before"
[ "$(wc -l <"$out/bucket-keys")" = 2 ] || fail "bucket-keys should hold 2 keys: $(cat "$out/bucket-keys")"
mv "$out/crashes" "$out/crashes.away" && mkdir "$out/crashes"
rm "$out/libfuzzer/artifacts/"*
rc=0
FAKE_MODE=nocrash "$smpfuzz" hunt --time=2s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" \
  --out="$out" >"$tmp/8b.out" 2>"$tmp/8b.err" || rc=$?
[ "$rc" = 1 ] || fail "hunt with a bucket from before (and no crash file) exited $rc, expected 1"
grep -q "bucket llist-self-loop: reproducer kept from before" "$tmp/8b.err" ||
  fail "the bucket from before was not loaded: $(cat "$tmp/8b.err")"
grep -q '| llist-self-loop | 0 |' "$out/summary.md" || fail "summary.md lacks the bucket from before"
[ "$(wc -l <"$out/bucket-keys")" = 2 ] || fail "bucket-keys changed: $(cat "$out/bucket-keys")"

# 9. A full disk: the engines stop while the floor (64 MB) is still free, status 2 with the
# reason, and no corpus file is left empty. On an 80 MB tmpfs the stand-in fills 10 MB/s.
if unshare -m true 2>/dev/null; then unshare=(unshare -m); else unshare=(unshare -rm); fi
if "${unshare[@]}" sh -c "mount -t tmpfs -o size=1m tmpfs '$tmp'" 2>/dev/null; then
  out=$tmp/h9
  mkdir -p "$out"
  rc=0
  FAKE_MODE=fill "${unshare[@]}" sh -c '
    mount -t tmpfs -o size=80m tmpfs "$1" || exit 99
    "$2" hunt --time=60s --jobs=1 --engine=libfuzzer --libfuzzer_target="$3" --out="$1" >"$4.out" 2>"$4.err"
    rc=$?
    empty=$(find "$1/corpus" -type f -empty | wc -l)
    entries=$(find "$1/corpus" -type f | wc -l)
    free=$(df -k --output=avail "$1" | tail -1)
    echo "$rc $empty $entries $free" >"$4.result"' sh "$out" "$smpfuzz" "$fake" "$tmp/9" || rc=$?
  read -r rc9 empty entries free <"$tmp/9.result" || fail "the full-disk hunt did not run"
  [ "${rc9:-}" = 2 ] || fail "hunt on a filling disk exited ${rc9:-?}, expected 2: $(tail -2 "$tmp/9.err")"
  tail -1 "$tmp/9.err" | grep -qx "smpfuzz hunt: $out: less than 64 MB free on its disk" ||
    fail "hunt on a filling disk: no reason: $(tail -1 "$tmp/9.err")"
  [ "${empty:-1}" = 0 ] || fail "$empty empty corpus file(s) left"
  [ "${entries:-0}" -gt 5 ] || fail "the corpus entries written before the floor are gone ($entries left)"
  # Stopped in time: at 10 MB/s, a check every second leaves more than 40 of the last 64 MB.
  [ "${free:-0}" -gt 40000 ] || fail "the engine was stopped too late: ${free:-?} KB free"
else
  echo "note: no tmpfs can be mounted here; the full-disk run is ci/hunt-acceptance.sh's"
fi
# A floor above the free space: refused at the start, and what a full disk left in the
# corpus before (empty files named after content they lack) is removed, not the rest.
out=$tmp/h9b
mkdir -p "$out/corpus"
: >"$out/corpus/00000000000000000000000000000000000000aa"
: >"$out/corpus/da39a3ee5e6b4b0d3255bfef95601890afd80709"  # the empty input: its true name
printf 'x' >"$out/corpus/00000000000000000000000000000000000000bb"
rc=0
SMPFUZZ_HUNT_MIN_FREE_MB=1099511627776 "$smpfuzz" hunt --time=4s --jobs=1 --engine=libfuzzer \
  --libfuzzer_target="$fake" --out="$out" >"$tmp/9b.out" 2>"$tmp/9b.err" || rc=$?
[ "$rc" = 2 ] || fail "hunt below its floor exited $rc, expected 2"
grep -qx "smpfuzz hunt: --out=$out: less than 1099511627776 MB free on its disk" "$tmp/9b.err" ||
  fail "hunt below its floor: $(cat "$tmp/9b.err")"
[ -e "$out/corpus/00000000000000000000000000000000000000aa" ] && fail "an empty corpus file named after content is kept"
[ -e "$out/corpus/da39a3ee5e6b4b0d3255bfef95601890afd80709" ] || fail "the empty input was removed"
[ -s "$out/corpus/00000000000000000000000000000000000000bb" ] || fail "a corpus entry was removed"
SMPFUZZ_HUNT_MIN_FREE_MB=lots "$smpfuzz" hunt --time=4s --engine=libfuzzer --libfuzzer_target="$fake" \
  --out="$out" >/dev/null 2>"$tmp/9c.err" && fail "a bad SMPFUZZ_HUNT_MIN_FREE_MB was accepted"
grep -q "SMPFUZZ_HUNT_MIN_FREE_MB=lots: expected a whole number of MB" "$tmp/9c.err" ||
  fail "bad SMPFUZZ_HUNT_MIN_FREE_MB: $(cat "$tmp/9c.err")"

# 10. An engine's descendant in a session of its own (AFL++'s fork server) does not outlive
# the engine: hunt is their subreaper, and kills and reaps them when the engine dies or stops.
out=$tmp/h10
FAKE_MODE=orphan "$smpfuzz" hunt --time=10m --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" \
  --out="$out" >"$tmp/10.out" 2>"$tmp/10.err" &
pid=$!
for _ in $(seq 1 50); do [ -s "$out/engine.pid" ] && [ -s "$out/orphans" ] && break; sleep 0.1; done
first=$(head -1 "$out/orphans" 2>/dev/null)
[ -n "$first" ] && alive "$first" || fail "the stand-in engine did not start its child"
kill -KILL "$(cat "$out/engine.pid")"
for _ in $(seq 1 30); do [ -n "$first" ] && alive "$first" || break; sleep 0.1; done
[ -n "$first" ] && alive "$first" && fail "the child of a SIGKILLed engine (pid $first) survives it"
for _ in $(seq 1 50); do [ "$(wc -l <"$out/orphans")" -ge 2 ] && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
while read -r p; do alive "$p" && fail "pid $p, an engine's descendant, outlived the hunt"; done <"$out/orphans"
[ "$(wc -l <"$out/orphans")" -ge 2 ] || fail "the engine was not restarted after SIGKILL"

# 11. --time bounds the wall time, with an engine that ignores SIGTERM and crash files from
# before to triage again, the first of them slow to minimize (8 CPUs, 8 operations: 18 s
# unbounded); no crash file is lost. (What is not triaged in time is left for the next run,
# and the summary says so: 200 files take too little time to show that here.)
out=$tmp/h11
mkdir -p "$out/crashes"
cat >"$tmp/big.repro" <<'REPRO'
smpfuzz-repro 1
cpus 8
variant b0473dcd
csdlock_debug on
cpu 1: call_single target=0 wait=0
cpu 2: call_single target=0 wait=0
cpu 3: call_single target=4 wait=1
cpu 4: call_single target=5 wait=1
cpu 5: call_single target=6 wait=1
cpu 6: call_single target=7 wait=1
cpu 7: call_single target=3 wait=1
cpu 0: call_single target=3 wait=1
schedule 1 2*11 1*10
REPRO
"$smpfuzz" convert "$tmp/big.repro" --to=bytes --out="$out/crashes/libfuzzer-crash-0000000000000000" ||
  fail "cannot convert big.repro"
head -c 6000 /dev/urandom | split -a 2 -b 30 - "$out/crashes/libfuzzer-crash-"
start=$(date +%s%N)
rc=0
FAKE_MODE=many "$smpfuzz" hunt --time=3s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" \
  --out="$out" >"$tmp/11.out" 2>"$tmp/11.err" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -le 5500 ] || fail "hunt --time=3s took $ms ms"
[ "$rc" = 1 ] || fail "hunt --time=3s with a slow bucket exited $rc: $(tail -2 "$tmp/11.err")"
grep -q '| llist-self-loop |' "$out/summary.md" || fail "no bucket for the slow input: $(cat "$out/summary.md")"
crashes=$(ls "$out/crashes" | wc -l)
[ "$crashes" -ge 402 ] || fail "only $crashes crash files were kept"

# 12. ci/hunt.sh: an --out it cannot use is status 2 (1 means "buckets found") in one line,
# before it builds anything (BAZEL=false would fail the build).
: >"$tmp/a-file"
for bad in "$tmp/a-file" "$tmp/a-file/sub" /proc/no-hunt-here; do
  rc=0
  BAZEL=false bash "$hunt_sh" --time=1m --out="$bad" >"$tmp/12.out" 2>"$tmp/12.err" || rc=$?
  [ "$rc" = 2 ] || fail "ci/hunt.sh --out=$bad exited $rc, expected 2: $(cat "$tmp/12.err")"
  [ "$(wc -l <"$tmp/12.err")" = 1 ] && grep -qF "hunt.sh: --out=$bad: " "$tmp/12.err" ||
    fail "ci/hunt.sh --out=$bad: expected one line naming it: $(cat "$tmp/12.err")"
done
# ... and a directory a hunt runs in is refused before anything in OUT/bin is replaced.
mkdir -p "$tmp/h12/bin"
echo 4242 >"$tmp/h12/hunt.lock"
flock "$tmp/h12/hunt.lock" sleep 10 &
holder=$!
for _ in $(seq 1 50); do flock -n "$tmp/h12/hunt.lock" true || break; sleep 0.1; done
: >"$tmp/h12/bin/smpfuzz"
rc=0
BAZEL=false bash "$hunt_sh" --time=1m --out="$tmp/h12" >"$tmp/12.out" 2>"$tmp/12.err" || rc=$?
[ "$rc" = 2 ] || fail "ci/hunt.sh on a running hunt's directory exited $rc, expected 2"
[ "$(cat "$tmp/12.err")" = "hunt.sh: --out=$tmp/h12: another hunt is running in this directory (pid 4242)" ] ||
  fail "ci/hunt.sh on a running hunt's directory: $(cat "$tmp/12.err")"
kill "$holder"
wait "$holder" 2>/dev/null

# 13. Crash files whose first bytes are '#' (about 1 in 256 raw inputs) are raw inputs, not
# broken reproducers: a libFuzzer one (first bytes 0a 23: blank, then '#') that is the
# self-loop, and an AFL++ one (23 29 29 2e) that is a csd-double-lock, each get a bucket.
out=$tmp/h13
printf '\x0a\x23\x02\x02\x00\x00\x03\x00\x00\x02\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x02\x02\x02\x02\x02\x02\x02\x02' >"$tmp/hash_lf.bytes"
printf '\x23\x29\x29\x2e\x40\xca\xd6\x9b\xaa\xab\x20\x9b\x46\xf1\x29\x1b\xb1\x1a\x90\xed\x89\xf4\x89\x73\x76\x15\x6c\x89\xbd' >"$tmp/hash_afl.bytes"
for f in hash_lf hash_afl; do
  rm -rf "$out"
  rc=0
  FAKE_CRASH=$tmp/$f.bytes "$smpfuzz" hunt --time=4s --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" \
    --variant=b0473dcd --out="$out" >"$tmp/13-$f.out" 2>"$tmp/13-$f.err" || rc=$?
  [ "$rc" = 1 ] || fail "$f: hunt exited $rc, expected 1 (a bucket): $(tail -3 "$tmp/13-$f.err")"
  grep -q ", 0 unreadable" "$out/summary.md" || fail "$f: $(grep unreadable "$out/summary.md")"
  case $f in
    hash_lf) want=llist-self-loop ;;
    hash_afl) want=csd-double-lock ;;
  esac
  ls "$out"/buckets/$want-*.repro >/dev/null 2>&1 || fail "$f: no $want bucket: $(ls "$out"/buckets)"
done

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all hunt checks passed"
