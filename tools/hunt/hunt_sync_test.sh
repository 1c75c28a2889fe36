#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `smpfuzz hunt --sync_dir`: two hunts with OUT directories of their own and one sync
# directory, each with a stand-in libFuzzer (fake_libfuzzer.sh) that finds one input of
# its own, end up with each other's input in their corpus (through the mirrors in the
# sync directory and the corpus merges), and say so in hunt.log; AFL++ is started as
# secondaries in the sync directory; bad sync directories are one-line errors with
# status 2. The real engines: ci/hunt-sync.sh.
# Usage: hunt_sync_test.sh SMPFUZZ FAKE_LIBFUZZER
set -u
smpfuzz=$1 fake=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
hunt() { "$smpfuzz" hunt --jobs=1 --engine=libfuzzer --libfuzzer_target="$fake" --variant=fixed "$@"; }

# Bad input: one line, status 2.
touch "$tmp/a-file"
for bad in "$tmp/a-file/sync" "$tmp/a-file"; do
  rc=0
  hunt --time=5s --out="$tmp/bad" --sync_dir="$bad" >/dev/null 2>"$tmp/bad.err" || rc=$?
  [ "$rc" = 2 ] || fail "--sync_dir=$bad exited $rc, expected 2"
  [ "$(wc -l <"$tmp/bad.err")" = 1 ] && grep -q "^smpfuzz hunt: --sync_dir=$bad: " "$tmp/bad.err" ||
    fail "--sync_dir=$bad: $(cat "$tmp/bad.err")"
done
rc=0
hunt --time=5s --out="$tmp/same" --sync_dir="$tmp/same" >/dev/null 2>"$tmp/same.err" || rc=$?
[ "$rc" = 2 ] && grep -q "must not be --out itself" "$tmp/same.err" || fail "--sync_dir=--out: $rc $(cat "$tmp/same.err")"

# Two hunts, one sync directory.
sync=$tmp/sync
FAKE_MODE=nocrash FAKE_ENTRY="found by hunt A" hunt --time=8s --merge_every=1s --out="$tmp/A" --sync_dir="$sync" \
  >"$tmp/A.out" 2>"$tmp/A.err" &
a=$!
FAKE_MODE=nocrash FAKE_ENTRY="found by hunt B" hunt --time=8s --merge_every=1s --out="$tmp/B" --sync_dir="$sync" \
  >"$tmp/B.out" 2>"$tmp/B.err" &
b=$!
rc=0; wait "$a" || rc=$?
[ "$rc" = 0 ] || fail "hunt A exited $rc: $(tail -2 "$tmp/A.err")"
rc=0; wait "$b" || rc=$?
[ "$rc" = 0 ] || fail "hunt B exited $rc: $(tail -2 "$tmp/B.err")"
[ "$(ls -d "$sync"/*_libfuzzer 2>/dev/null | wc -l)" = 2 ] || fail "expected two mirrors in the sync dir: $(ls "$sync")"
for pair in "A B" "B A"; do
  read -r me other <<<"$pair"
  grep -rlq "found by hunt $other" "$tmp/$me/corpus" || fail "hunt $me's corpus lacks hunt $other's input: $(ls "$tmp/$me/corpus")"
  grep -q "merge: [1-9][0-9]* AFL++ input(s) with new coverage added to corpus/ ([1-9][0-9]* of them from [1-9] queue(s) of other hunts in the sync dir)" "$tmp/$me/hunt.log" ||
    fail "hunt $me's log does not show an import: $(grep merge: "$tmp/$me/hunt.log")"
  grep -q "; sharing $sync as " "$tmp/$me/hunt.log" || fail "hunt $me's start line does not name the sync dir"
done
# Each hunt's own mirror holds its own input (the other hunts import from there).
grep -rlq "found by hunt A" "$sync"/*_libfuzzer/queue || fail "hunt A's input is not in the sync dir"

# AFL++'s command line: with a stand-in afl-fuzz on PATH that records its arguments, each
# hunt's instances are secondaries (-S NODE_i, never -M) with the sync dir as -o, named
# apart from the other hunt's; seeds stay in the hunt's own OUT.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/afl-fuzz" <<'FAKE'
#!/usr/bin/env bash
echo "$*" >>"$FAKE_AFL_LOG"
trap 'exit 0' TERM INT
while :; do sleep 0.2; done
FAKE
chmod +x "$tmp/bin/afl-fuzz"
sync2=$tmp/sync2
for h in C D; do
  rc=0
  PATH=$tmp/bin:$PATH FAKE_AFL_LOG=$tmp/afl-$h.args FAKE_MODE=nocrash hunt --time=3s --jobs=2 --engine=afl \
    --afl_target="$fake" --out="$tmp/$h" --sync_dir="$sync2" >/dev/null 2>"$tmp/$h.err" || rc=$?
  [ "$rc" = 0 ] || fail "afl hunt $h exited $rc: $(tail -2 "$tmp/$h.err")"
  [ "$(wc -l <"$tmp/afl-$h.args")" = 2 ] || fail "hunt $h: expected 2 afl-fuzz instances: $(cat "$tmp/afl-$h.args")"
  grep -q -- '-M ' "$tmp/afl-$h.args" && fail "hunt $h started a main instance: $(cat "$tmp/afl-$h.args")"
  node=$(sed -n 's/.*; sharing .* as \([A-Za-z0-9_-]*\)$/\1/p' "$tmp/$h/hunt.log")
  for i in 0 1; do
    grep -q -- "^-S ${node}_$i -i $tmp/$h/afl/seeds -o $sync2 " "$tmp/afl-$h.args" ||
      fail "hunt $h: no secondary ${node}_$i in $sync2: $(cat "$tmp/afl-$h.args")"
  done
  eval "node_$h=\$node"
done
[ -n "${node_C:-}" ] && [ "${node_C:-}" != "${node_D:-}" ] || fail "two hunts on one machine got one node name: ${node_C:-} ${node_D:-}"

if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all hunt --sync_dir checks passed"
