#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The acceptance checks of `smpfuzz hunt` (issues 8 and 12), run by hand: all of them take
# about 15 minutes and both cores, which is too long for `bazel test //...`.
#
#   1. a 2-minute hunt on b0473dcd from an empty directory ends with an llist-self-loop
#      bucket whose reproducer has 1 preemption and passes `replay --check`;
#   2. a 2-minute hunt on fixed ends with no bucket;
#   3. a hunt stopped with SIGTERM and started again keeps its corpus and crash files;
#   4. triage of 100 copies of one crash file gives one bucket (needs 1);
#   5. a second hunt on the directory of a running one is refused: status 2, one line with
#      the directory and the first one's pid;
#   6. a restart does not flood OUT/crashes with crash files of buckets known before it: at
#      most 5 in its first 30 s (one restart saved 176 such files in 36 s before issue 12);
#   7. a full disk (a tmpfs; needs root): on 64 MB, below the 64 MB floor, the hunt is
#      refused in one line; with the floor off (SMPFUZZ_HUNT_MIN_FREE_MB=0) and the tmpfs
#      filled up while both engines run, no corpus file is left empty (libFuzzer leaves its
#      failed writes empty; hunt removes them);
#   8. a SIGKILLed afl-fuzz leaves nothing behind: its fork server (which calls setsid(),
#      out of reach of a kill of afl-fuzz's process group) is gone within seconds, and no
#      process of the hunt outlives it.
#
#   ci/hunt-acceptance.sh                    # every section; HUNT_TIME=2m by default
#   SECTIONS=5,6,7,8 ci/hunt-acceptance.sh   # only these
#   BAZEL=/work/bz ci/hunt-acceptance.sh     # passed on to ci/hunt.sh
set -euo pipefail
cd "$(dirname "$0")/.."
HUNT_TIME=${HUNT_TIME:-2m}
SECTIONS=${SECTIONS:-1,2,3,4,5,6,7,8}
work=$(mktemp -d)
mounted=""
cleanup() {
  [ -z "$mounted" ] || umount "$mounted" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
count() { { find "$1" -maxdepth 1 -type f ! -name '*.tmp' 2>/dev/null || true; } | wc -l; }
want() { [[ ",$SECTIONS," == *",$1,"* ]]; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds; false after SECONDS.
wait_for() {
  local n=$(($1 * 10))
  shift
  while ! "$@"; do
    n=$((n - 1))
    [ "$n" -gt 0 ] || return 1
    sleep 0.1
  done
}
started() {
  local n
  n=$(grep -c "start:" "$1/hunt.log" 2>/dev/null) || true
  [ "${n:-0}" -ge "${2:-1}" ]
}

if want 1; then
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
fi

if want 2; then
echo "== 2. $HUNT_TIME hunt on fixed"
rc=0
ci/hunt.sh --time="$HUNT_TIME" --variant=fixed --out="$work/f" >"$work/f.summary" 2>"$work/f.err" || rc=$?
cat "$work/f.summary"
[ "$rc" = 0 ] || fail "hunt on fixed exited $rc, expected 0; see $work/f.err"
[ "$(count "$work/f/buckets")" = 0 ] || fail "hunt on fixed left buckets"
echo "ok: fixed, no bucket"
fi

if want 3; then
echo "== 3. SIGTERM and restart"
ci/hunt.sh --time=10m --variant=b0473dcd --out="$work/r" >"$work/r1.summary" 2>"$work/r1.err" &
pid=$!
wait_for 600 started "$work/r" || fail "the hunt did not start; see $work/r1.err"  # after its build
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
fi

if want 4; then
want 1 || fail "section 4 needs section 1's crash files"
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
fi

if want 5; then
  echo "== 5. a second hunt on the directory of a running one"
  ci/hunt.sh --time=10m --variant=b0473dcd --out="$work/l" >"$work/l1.summary" 2>"$work/l1.err" &
  pid=$!
  wait_for 600 started "$work/l" || fail "the first hunt did not start; see $work/l1.err"
  rc=0
  ci/hunt.sh --time=1m --variant=b0473dcd --out="$work/l" >"$work/l2.summary" 2>"$work/l2.err" || rc=$?
  [ "$rc" = 2 ] || fail "the second hunt exited $rc, expected 2; see $work/l2.err"
  last=$(tail -1 "$work/l2.err")
  grep -qF -- "--out=$work/l: another hunt is running in this directory (pid $pid)" <<<"$last" ||
    fail "the second hunt's line lacks the directory or pid $pid: $last"
  [ "$(wc -l <"$work/l2.err")" = 1 ] || fail "the second hunt said more than its reason: $(cat "$work/l2.err")"
  # smpfuzz hunt itself refuses too (ci/hunt.sh checks first, to leave OUT/bin alone).
  rc=0
  "$work/l/bin/smpfuzz" hunt --time=1m --engine=libfuzzer --libfuzzer_target="$work/l/bin/libfuzzer_smp_b0473dcd_fuzzer" \
    --out="$work/l" >/dev/null 2>"$work/l3.err" || rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l <"$work/l3.err")" = 1 ] &&
    grep -qF -- "--out=$work/l: another hunt is running in this directory (pid $pid)" "$work/l3.err" ||
    fail "smpfuzz hunt on a running hunt's directory exited $rc: $(cat "$work/l3.err")"
  kill -TERM "$pid"
  wait "$pid" || true
  grep -q "smpfuzz hunt on" "$work/l1.summary" || fail "the first hunt wrote no summary"
  echo "ok: refused with: $last"
fi

if want 6; then
  echo "== 6. a restart skips the buckets known before it"
  rc=0
  ci/hunt.sh --time=90s --variant=b0473dcd --out="$work/k" >"$work/k1.summary" 2>"$work/k1.err" || rc=$?
  [ "$rc" = 1 ] || fail "the first hunt exited $rc, expected 1; see $work/k1.err"
  cp "$work/k/bucket-keys" "$work/k.keys"
  ls "$work/k/crashes" | sort >"$work/k.before"
  ci/hunt.sh --time=60s --variant=b0473dcd --out="$work/k" >"$work/k2.summary" 2>"$work/k2.err" &
  pid=$!
  wait_for 600 started "$work/k" 2 || fail "the restart did not start; see $work/k2.err"
  sleep 30
  ls "$work/k/crashes" | sort | comm -13 "$work/k.before" - | grep -v '\.tmp$' >"$work/k.new" || true
  rc=0
  wait "$pid" || rc=$?
  [ "$rc" = 1 ] || fail "the restart exited $rc, expected 1; see $work/k2.err"
  mkdir -p "$work/k.newfiles"
  while read -r f; do cp "$work/k/crashes/$f" "$work/k.newfiles/"; done <"$work/k.new"
  known=0
  if [ -s "$work/k.new" ]; then
    "$work/k/bin/smpfuzz" triage "$work/k.newfiles" --out="$work/k.triage" --json >"$work/k.json" || true
    while read -r key n; do
      grep -qxF -- "$key" "$work/k.keys" && known=$((known + n))
    done < <(grep -o '"key":"[^"]*","count":[0-9]*' "$work/k.json" | sed 's/"key":"\(.*\)","count":\(.*\)/\1 \2/')
  fi
  echo "restart: $(wc -l <"$work/k.new") new crash file(s) in its first 30 s, $known of them in the $(wc -l <"$work/k.keys") bucket(s) known before"
  [ "$known" -le 5 ] || fail "the restart wrote $known crash files of known buckets in 30 s"
  [ "$(wc -l <"$work/k/bucket-keys")" -ge "$(wc -l <"$work/k.keys")" ] || fail "bucket-keys lost keys in the restart"
  echo "ok: known buckets skipped after the restart"
fi

if want 7; then
  echo "== 7. a full disk"
  [ "$(id -u)" = 0 ] || fail "section 7 mounts a tmpfs: run it as root"
  disk=$work/disk
  mkdir -p "$disk"
  mount -t tmpfs -o size=64m tmpfs "$disk"
  mounted=$disk
  rc=0
  ci/hunt.sh --time=1m --variant=b0473dcd --out="$disk/h" >"$work/d0.summary" 2>"$work/d0.err" || rc=$?
  [ "$rc" = 2 ] && tail -1 "$work/d0.err" | grep -q "less than 64 MB free on its disk" ||
    fail "a hunt below the floor exited $rc: $(tail -1 "$work/d0.err")"
  echo "ok: below the floor: $(tail -1 "$work/d0.err")"
  SMPFUZZ_HUNT_MIN_FREE_MB=0 ci/hunt.sh --time=100s --variant=b0473dcd --out="$disk/h" \
    >"$work/d1.summary" 2>"$work/d1.err" &
  pid=$!
  wait_for 600 started "$disk/h" || fail "the hunt on the tmpfs did not start; see $work/d1.err"
  sleep 20
  dd if=/dev/zero of="$disk/filler" bs=1M 2>/dev/null || true  # until the disk is full
  full_at=$(df -k --output=avail "$disk" | tail -1)
  sleep 30
  # The engines add and delete corpus files while find walks it: a vanished file is no error.
  empty_during=$({ find "$disk/h/corpus" -type f -empty ! -name da39a3ee5e6b4b0d3255bfef95601890afd80709 2>/dev/null || true; } | wc -l)
  rc=0
  wait "$pid" || rc=$?
  empty=$({ find "$disk/h/corpus" -type f -empty ! -name da39a3ee5e6b4b0d3255bfef95601890afd80709 2>/dev/null || true; } | wc -l)
  echo "full disk: ${full_at} KB free after the filler, $empty_during empty corpus file(s) while full, $empty at the end; hunt exited $rc: $(tail -1 "$work/d1.err")"
  [ "$empty" = 0 ] || fail "$empty empty corpus file(s) left on the full disk"
  [ "$rc" = 1 ] || [ "$rc" = 2 ] || fail "the hunt on a full disk exited $rc"
  grep -q "less than\|cannot write\|no space" "$work/d1.err" "$disk/h/hunt.log" 2>/dev/null ||
    echo "note: the hunt did not report the full disk (nothing it wrote failed)"
  umount "$disk"
  mounted=""
  echo "ok: nothing empty in the corpus"
fi

if want 8; then
  echo "== 8. a SIGKILLed afl-fuzz leaves nothing behind"
  ci/hunt.sh --time=10m --variant=b0473dcd --engine=afl --jobs=1 --out="$work/a" >"$work/a.summary" 2>"$work/a.err" &
  pid=$!
  wait_for 600 started "$work/a" || fail "the AFL++ hunt did not start; see $work/a.err"
  target=$work/a/bin/afl_smp_b0473dcd_fuzzer
  wait_for 60 pgrep -f "^$target" >/dev/null || fail "AFL++'s target never ran"
  afl=$(pgrep -P "$pid" -x afl-fuzz | head -1)
  [ -n "$afl" ] || fail "no afl-fuzz under hunt (pid $pid)"
  sleep 5
  before=$(pgrep -f "^$target" | tr '\n' ' ')
  kill -KILL "$afl"
  sleep 3
  for p in $before; do
    if [ -r "/proc/$p/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$p/stat"; then
      # Only a target that AFL++ restarted since is allowed: a new pid.
      fail "AFL++'s target (pid $p) outlived the SIGKILLed afl-fuzz"
    fi
  done
  kill -TERM "$pid"
  wait "$pid" || true
  left=$(pgrep -f "^$target" | tr '\n' ' ' || true)
  [ -z "$left" ] || fail "processes of the hunt outlived it: $left"
  echo "ok: target pid(s) $before gone after the SIGKILL of afl-fuzz $afl; nothing left after the hunt"
fi
echo "all selected hunt acceptance checks passed ($SECTIONS)"
