#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The smpfuzz command line: exit statuses, messages, replay output, convert.
set -uo pipefail

bin=$1; shift
self_loop=$1; shift
repros=("$@")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run EXPECTED_STATUS ARGS...: runs smpfuzz, keeps stdout/stderr in $tmp/out, $tmp/err.
run() {
  local want=$1; shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "smpfuzz $* exited $got, want $want; stderr: $(head -c 300 "$tmp/err")"
}
has() { grep -q -e "$2" "$tmp/$1" || fail "$1 lacks '$2': $(head -c 400 "$tmp/$1")"; }

# Replay: trace and verdict, exit 1 on the bug, 0 on the fix.
run 1 replay "$self_loop"
has out 'verdict (b0473dcd): llist-self-loop'
has out 'llist_add_batch .*store .*csd_data\[0\].node.llist.next *:= &csd_data\[0\]'
has out 'preemptions 1'
run 0 replay "$self_loop" --variant=fixed
has out 'verdict (fixed): clean'
run 0 replay --variant=baseline --notrace "$self_loop"
has out 'verdict (baseline): clean'
run 1 replay --json "$self_loop"
has out '"verdict":"llist-self-loop"'
has out '"trace":\['
# Every reproducer's expectations hold.
run 0 replay --check "${repros[@]}"

# A picture: swim lanes, the IPI arrow, the violation marked; it renders when
# rsvg-convert is there (librsvg2-bin; not needed to build).
run 1 replay --notrace "$self_loop" --svg="$tmp/run.svg"
grep -q '^<svg ' "$tmp/run.svg" && grep -q '</svg>' "$tmp/run.svg" || fail "not an SVG document"
grep -q 'llist-self-loop' "$tmp/run.svg" || fail "the SVG does not mark the self-loop"
grep -q 'CPU2' "$tmp/run.svg" || fail "the SVG lacks CPU2's lane"
if command -v rsvg-convert >/dev/null; then
  rsvg-convert "$tmp/run.svg" -o "$tmp/run.png" || fail "rsvg-convert could not render the SVG"
fi
run 2 replay --svg="$tmp/two.svg" "$self_loop" "$self_loop"
has err 'draws one FILE at a time'

# Convert text -> bytes -> text; the raw bytes replay to the same verdict.
run 0 convert "$self_loop" --to=bytes --out="$tmp/input.bin"
run 1 replay "$tmp/input.bin" --notrace
has out 'raw fuzzer input, variant b0473dcd'
has out 'llist-self-loop'
run 0 replay "$tmp/input.bin" --notrace --variant=fixed
run 0 convert "$tmp/input.bin" --to=text --out="$tmp/back.repro"
grep -q '^expect b0473dcd .*llist-self-loop' "$tmp/back.repro" || fail "converted text lacks expectations: $(cat "$tmp/back.repro")"
run 0 replay --check "$tmp/back.repro"

# Explore: the fewest-preemption counterexample, as a reproducer that replays.
run 1 explore "$self_loop" --signatures=llist-self-loop --out="$tmp/cex.repro"
has err 'violation llist-self-loop with 1 preemption'
run 0 replay --check "$tmp/cex.repro"
grep -q '^expect b0473dcd .*llist-self-loop' "$tmp/cex.repro" || fail "counterexample lacks its expectation: $(cat "$tmp/cex.repro")"
run 0 explore "$self_loop" --variant=fixed --preemptions=2
has err 'clean within preemptions <= 2'
run 1 explore "$self_loop" --pct=3 --runs=5000 --signatures=llist-self-loop --out="$tmp/pct.repro"
run 0 replay --check "$tmp/pct.repro"
# The scenario from flags.
run 1 explore --cpus=3 --ops='1: call_single target=0 wait=0; 2: call_single target=0 wait=0' --variant=b0473dcd --signatures=llist-self-loop
has out '^cpu 2: call_single target=0 wait=0'
run 0 explore --cpus=3 --ops='1: call_single target=0 wait=0; 2: call_single target=0 wait=0' --variant=b0473dcd --csdlock_debug=off
run 2 explore --cpus=3 --ops='1: call_singel target=0'
has err '^smpfuzz: --cpus/--ops:5:8: unknown operation'
run 2 explore --cpus=3 --ops='1: flush' "$self_loop"
run 2 explore "$self_loop" --preemptions=lots
has err 'expected a number'
run 2 explore "$self_loop" --reduction=dpor
has err "expected 'sleep' or 'none'"
run 2 explore "$self_loop" --signatures=llist-loop
has err "unknown signature 'llist-loop'"

# Minimize and triage: a crash directory with duplicates gives one bucket.
run 1 minimize "$self_loop" --out="$tmp/min.repro"
has err 'minimize: llist-self-loop with 1 preemption'
run 0 replay --check "$tmp/min.repro"
mkdir -p "$tmp/crashes/default/crashes"
for i in 1 2 3; do cp "$tmp/input.bin" "$tmp/crashes/crash-$i"; cp "$tmp/input.bin" "$tmp/crashes/default/crashes/id:00000$i"; done
echo 'not a crash' >"$tmp/crashes/default/crashes/README.txt"
run 1 triage "$tmp/crashes" --out="$tmp/triaged"
has out '^llist-self-loop .* 6 '
has out '6 file(s): 1 bucket(s)'
run 0 replay --check "$tmp/triaged/llist-self-loop-1.repro"
run 2 triage "$tmp/crashes"
has err 'triage needs --out=DIR'

# Bad input: one line naming the place, exit 2.
printf 'smpfuzz-repro 1\ncpus 3\nvariant fixed\ncsdlock_debug on\ncpu 1: call_singel target=0\n' >"$tmp/bad.repro"
run 2 replay "$tmp/bad.repro"
has err "^$tmp/bad.repro:5:8: unknown operation 'call_singel'"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "malformed input gave more than one line: $(cat "$tmp/err")"
# A bad file among good ones: the good ones still run, the status is 2.
run 2 replay --notrace "$self_loop" "$tmp/bad.repro"
has out 'llist-self-loop'
run 2 replay "$tmp/does-not-exist"
has err 'cannot read'
run 2 replay --variant=6.13 "$self_loop"
has err "unknown variant '6.13'"
run 2 replay --frobnicate "$self_loop"
has err 'unknown flag --frobnicate'
run 2 replay --json=maybe "$self_loop"
has err 'expected true or false'
run 2 convert "$self_loop" --to=xml
has err "expected 'text' or 'bytes'"
printf 'smpfuzz-repro 1\ncpus 12\nvariant fixed\ncsdlock_debug on\n' >"$tmp/big.repro"
run 2 convert "$tmp/big.repro" --to=bytes
has err 'cannot convert to bytes: the byte format holds 2..8 CPUs'
run 2 replay --check "$tmp/big.repro"
has err "no 'expect' lines"
run 2
has err 'missing command'
run 2 frobnicate
has err "unknown command 'frobnicate'"
run 2 replay
has err 'replay needs at least one FILE'

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all smpfuzz CLI checks passed"
