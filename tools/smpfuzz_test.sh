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

# run EXPECTED_STATUS ARGS...: runs smpfuzz, keeps stdout/stderr in $tmp/out, $tmp/err
# (a command that hangs is killed after 120 s: exit 124).
run() {
  local want=$1; shift
  timeout 120 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "smpfuzz $* exited $got, want $want; stderr: $(head -c 300 "$tmp/err")"
}
has() { grep -q -e "$2" "$tmp/$1" || fail "$1 lacks '$2': $(head -c 400 "$tmp/$1")"; }
# Memory limits (ulimit -v) only mean something without a sanitizer's shadow memory.
sanitized=0
grep -qa -e __asan_init -e __tsan_init "$bin" && sanitized=1
# limited KB ARGS...: run, under a virtual memory limit when it means something.
limited() {
  local kb=$1; shift
  if [ "$sanitized" -eq 0 ]; then (ulimit -v "$kb"; run "$@"); else run "$@"; fi
}
json_ok() { python3 -m json.tool "$tmp/out" >/dev/null 2>&1 || fail "not valid JSON: $(head -c 300 "$tmp/out")"; }

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
has err 'expected a whole number'
run 2 explore "$self_loop" --reduction=optimal
has err "expected 'sleep', 'dpor' or 'none'"
run 1 explore "$self_loop" --reduction=dpor --signatures=llist-self-loop
has err 'violation llist-self-loop with 1 preemption.*redundancy' 
run 2 explore "$self_loop" --signatures=llist-loop
has err "unknown signature 'llist-loop'"

# Parallel and sharded search: the same counts and verdict as one process.
ops='1: call_single target=0 wait=0; 2: call_single target=0 wait=1'
counts() { sed -n 's/.*(sleep sets): \(bound [0-9]*: [0-9]* executions ([0-9]* cut short), [0-9]* distinct traces\).*/\1/p' "$tmp/err"; }
run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=3 --noiterative
serial=$(counts)
[ -n "$serial" ] || fail "no counts in: $(cat "$tmp/err")"
run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=3 --noiterative --jobs=2
has err '2 jobs, [0-9]* units'
[ "$(counts)" = "$serial" ] || fail "--jobs=2 counted '$(counts)', one process '$serial'"
for i in 0 1 2; do
  run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=3 --noiterative --shard=$i/3 --out="$tmp/shard$i"
  has err "shard $i/3 done"
done
run 0 explore --merge "$tmp/shard0" "$tmp/shard1" "$tmp/shard2"
has err '^explore: clean within preemptions <= 3.*3 shards'
[ "$(counts)" = "$serial" ] || fail "3 shards merged to '$(counts)', one process '$serial'"
run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=3 --noiterative --shard=0/2 --split_preemptions=2 --out="$tmp/u0"
run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=3 --noiterative --shard=1/2 --split_preemptions=2 --out="$tmp/u1"
run 0 explore --merge "$tmp/u0" "$tmp/u1"
[ "$(counts)" = "$serial" ] || fail "2 shards with units at preemption 2 merged to '$(counts)', one process '$serial'"
run 2 explore --merge "$tmp/u0" "$tmp/shard1" "$tmp/shard2"
has err 'a shard of another search'
run 2 explore --cpus=3 --ops="$ops" --split_preemptions=2
has err 'is for --jobs and --shard'
run 2 explore --cpus=3 --ops="$ops" --jobs=2 --split_preemptions=0
has err 'expected 1 or more'
run 2 explore --merge "$tmp/shard0" "$tmp/shard2"
has err '^smpfuzz: merge: shard 1/3 is missing (2 of 3 given)$'
run 2 explore --merge "$tmp/shard0" "$tmp/shard1" "$tmp/shard1"
has err "shard 1/3 given twice"
head -c 150 "$tmp/shard1" >"$tmp/cut"
run 2 explore --merge "$tmp/shard0" "$tmp/cut" "$tmp/shard2"
has err "^smpfuzz: $tmp/cut:[0-9]*: truncated"
run 2 explore --merge "$tmp/missing.shard"
has err "missing.shard"
# A batch engine's index: a Kubernetes Indexed Job, a Slurm array.
JOB_COMPLETION_INDEX=1 run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=1 --shard=auto/2 --out="$tmp/k1"
grep -q '^shard 1/2$' "$tmp/k1" || fail "JOB_COMPLETION_INDEX=1 did not make shard 1/2: $(head -5 "$tmp/k1")"
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=2 run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=1 --shard=auto --out="$tmp/s1"
grep -q '^shard 1/2$' "$tmp/s1" || fail "SLURM_ARRAY_TASK_ID=5 (min 4, count 2) did not make shard 1/2: $(head -5 "$tmp/s1")"
env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID "$bin" explore --cpus=3 --ops="$ops" --shard=auto/2 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "--shard=auto without an index did not exit 2"
has err 'neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set'
run 2 explore --cpus=3 --ops="$ops" --shard=2/2
has err "^smpfuzz: --shard: shard 2 is not below N"
run 2 explore --cpus=3 --ops="$ops" --shard=1/2 --jobs=2
run 2 explore --cpus=3 --ops="$ops" --jobs=65
has err '^smpfuzz: --jobs: explore runs at most 64 processes, got 65$'
# The iterative search too (bounds 0..3, each searched again in the next).
run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=3
serial=$(counts)
run 0 explore --cpus=3 --ops="$ops" --variant=fixed --preemptions=3 --jobs=2
[ "$(counts)" = "$serial" ] || fail "iterative --jobs=2 counted '$(counts)', one process '$serial'"
# Unbounded: bounds 0, 1, ... until one cuts nothing off; the estimate of a search's size.
canon_ops='1: call_single target=0 wait=0; 2: call_single target=0 wait=0'
run 0 explore --cpus=3 --ops="$canon_ops" --variant=fixed --preemptions=unbounded
has err '^explore: clean within preemptions <= unbounded.*: bound [0-9]*: .*clean for every interleaving$'
run 0 explore --cpus=3 --ops="$canon_ops" --variant=fixed --preemptions=unbounded --noiterative --jobs=2
has err 'bound unbounded: .*2 jobs.*clean for every interleaving$'
run 0 explore --cpus=3 --ops="$canon_ops" --variant=fixed --preemptions=2
grep -q 'every interleaving' "$tmp/err" && fail "bound 2 claims every interleaving: $(cat "$tmp/err")"
run 2 explore --cpus=3 --ops="$canon_ops" --preemptions=unbounded --jobs=2
has err 'needs --noiterative'
run 0 explore --cpus=3 --ops="$canon_ops" --variant=fixed --preemptions=3 --estimate
has err '^explore: estimate for bound 3: about [0-9.e+]* executions without reduction (standard error [0-9]*%, 3000 random runs)'
[ -s "$tmp/out" ] && fail "--estimate printed a result: $(head -3 "$tmp/out")"
# The first violation of a parallel search is the serial one's.
run 1 explore "$self_loop" --signatures=llist-self-loop --out="$tmp/serial.repro"
run 1 explore "$self_loop" --signatures=llist-self-loop --jobs=2 --out="$tmp/jobs.repro"
diff <(grep -v '^#' "$tmp/serial.repro") <(grep -v '^#' "$tmp/jobs.repro") >/dev/null ||
  fail "--jobs=2 found another counterexample than one process"

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

# scftorture: its module parameters, its closing line; each new signature a reproducer
# that replays with its verdict.
run 1 scftorture scftorture.nr_cpus=3 weight_single=1 ops_per_thread=2 --variant=b0473dcd --runs=20 \
  --out="$tmp/scf"
has err '^scftorture: nr_cpus=3 csdlock_debug=1 nthreads=3 ops_per_thread=2 weight_single=1, variant b0473dcd'
has err '^scftorture: End of test: FAILURE: 20 scenarios, '
has err 'llist-self-loop x'
has err "scenario [0-9]*: llist-self-loop, [0-9]* preemption(s) -> $tmp/scf/scftorture-llist-self-loop.repro"
run 0 replay --check "$tmp/scf/scftorture-llist-self-loop.repro"
has out 'scftorture-llist-self-loop.repro (3 expectations)'
run 1 replay --notrace "$tmp/scf/scftorture-llist-self-loop.repro"
has out 'verdict (b0473dcd): llist-self-loop'
run 0 scftorture nr_cpus=3 weight_single=1 ops_per_thread=2 --variant=fixed --runs=20
has err '^scftorture: End of test: SUCCESS: 20 scenarios, [0-9]* runs ([0-9]*/s), no violation'
[ ! -s "$tmp/out" ] || fail "a clean scftorture printed a reproducer: $(head -c 200 "$tmp/out")"
# Without --out the first reproducer goes to standard output.
run 1 scftorture nr_cpus=3 weight_single=1 ops_per_thread=2 --variant=b0473dcd --runs=3
has out '^smpfuzz-repro '
# The default mix says what it leaves out; timing parameters are accepted, said to do nothing.
run 0 scftorture stutter=5 nthreads=2 --runs=2
has err 'weight_single_rpc left out of the default mix'
has err 'stutter=5 ignored'
run 2 scftorture scftorture.nthreads=x
has err "^smpfuzz: scftorture: scftorture.nthreads=x: the value is not a whole number\$"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "a bad scftorture parameter gave more than one line: $(cat "$tmp/err")"
run 2 scftorture weight_single_rpc=1
has err '^smpfuzz: scftorture: weight_single_rpc=1: a handler that completes a waiter'
run 2 scftorture --runs=0
has err "^smpfuzz: --runs: expected a whole number from 1"

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

# Reproducer or raw input. A reproducer begins with its header line; any other file is raw
# fuzzer bytes. A real libFuzzer crash (a newline, then '#') and a real AFL++ one ('#' first)
# replay as raw inputs and triage buckets both.
mkdir -p "$tmp/hash/default/crashes"
lf_crash="$tmp/hash/crash-0a23020200000300"
afl_crash="$tmp/hash/default/crashes/id:000000,sig:06,src:000000,time:1,execs:1,op:havoc,rep:2"
printf '\x0a\x23\x02\x02\x00\x00\x03\x00\x00\x02\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x02\x02\x02\x02\x02\x02\x02\x02' >"$lf_crash"
printf '\x23\x29\x29\x2e\x40\xca\xd6\x9b\xaa\xab\x20\x9b\x46\xf1\x29\x1b\xb1\x1a\x90\xed\x89\xf4\x89\x73\x76\x15\x6c\x89\xbd' >"$afl_crash"
run 1 replay --notrace "$lf_crash"
has out 'raw fuzzer input, variant b0473dcd, csdlock_debug on, 5 CPUs'
has out 'verdict (b0473dcd): llist-self-loop'
run 1 replay --notrace "$afl_crash"
has out 'verdict (b0473dcd): csd-double-lock'
run 1 triage "$tmp/hash" --out="$tmp/hash-triaged" --max_seconds=20
has out '^llist-self-loop .*crash-0a23020200000300'
has out '^csd-double-lock .*id:000000,sig:06'
has out '2 file(s): 2 bucket(s), 0 replay clean, 0 with known findings only, 0 unreadable'
# What triage writes begins with the header (comments after it).
[ "$(head -1 "$tmp/hash-triaged/llist-self-loop-1.repro")" = "smpfuzz-repro 1" ] || fail "triage output does not begin with its header"
# Text meant as a reproducer that does not begin with the header is refused, one line, not
# run as raw bytes; --raw still runs it as bytes.
{ echo '# a comment before the header'; cat "$self_loop"; } >"$tmp/late-header"
run 2 replay "$tmp/late-header"
has err "^$tmp/late-header:1:1: 'smpfuzz-repro 1' must begin the file, found it at line 2, column 1 (comments go after it); to run the file as raw fuzzer bytes, use --raw\$"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "a late header gave more than one line: $(cat "$tmp/err")"
grep -v '^smpfuzz-repro' "$self_loop" >"$tmp/no-header"
run 2 convert "$tmp/no-header" --to=bytes
has err "^$tmp/no-header:1:1: expected 'smpfuzz-repro 1' at the start of the file, got a comment"
grep -v -e '^smpfuzz-repro' -e '^#' "$self_loop" >"$tmp/keywords-first"
run 2 replay "$tmp/keywords-first"
has err "^$tmp/keywords-first:1:1: expected 'smpfuzz-repro 1' at the start of the file, got 'cpus'"
{ printf '\xef\xbb\xbf'; cat "$self_loop"; } >"$tmp/bom"
run 2 explore "$tmp/bom"
has err "^$tmp/bom:1:1: a UTF-8 byte order mark before the header"
run 0 replay --raw --notrace "$tmp/bom" --variant=fixed
has out 'raw fuzzer input'
# In a crash directory, a *.repro must be a reproducer: triage names the one that is not.
mkdir -p "$tmp/mixed"
cp "$lf_crash" "$tmp/mixed/crash-1"
cp "$tmp/late-header" "$tmp/mixed/old.repro"
run 2 triage "$tmp/mixed" --out="$tmp/mixed-triaged" --max_seconds=20
has err "^$tmp/mixed/old.repro:1:1: 'smpfuzz-repro 1' must begin the file"
has out '2 file(s): 1 bucket(s), 0 replay clean, 0 with known findings only, 1 unreadable'

# Inputs that would hang or eat memory: a FIFO, a directory, a file over the size cap, and a
# schedule line of millions of steps, each refused at once with one line.
mkfifo "$tmp/fifo"
run 2 replay "$tmp/fifo"
has err "^$tmp/fifo: not a regular file (a FIFO)\$"
run 2 triage "$tmp/fifo" --out="$tmp/fifo-triaged"
has err "^$tmp/fifo: not a regular file (a FIFO)\$"
run 2 replay "$tmp/hash"
has err "^$tmp/hash: not a regular file (a directory)\$"
run 2 minimize /dev/null
has err "^/dev/null: not a regular file (a character device)\$"
head_text='smpfuzz-repro 1\ncpus 3\nvariant b0473dcd\ncsdlock_debug on\n'
{ printf "$head_text"; printf 'schedule'; yes ' 1' | tr -d '\n' | head -c 50000000; echo; } >"$tmp/sched50"
start=$(date +%s)
limited 200000 2 replay "$tmp/sched50"
has err "^$tmp/sched50: too big: 500000[0-9]* bytes (inputs are at most 16777216)\$"
{ printf "$head_text"; printf 'schedule'; yes ' 1' | tr -d '\n' | head -c 15000000; echo; } >"$tmp/sched15"
limited 200000 2 replay "$tmp/sched15"
has err "^$tmp/sched15:5:8388618: schedule longer than 4194304 steps\$"
[ $(( $(date +%s) - start )) -le 20 ] || fail "refusing two big schedules took $(( $(date +%s) - start )) s"

# Minimize and triage are bounded: a big valid reproducer (63 CPUs, 18902 operations, the
# self-loop on CPUs 1 and 2) is minimized in bounded memory and stops at --max_seconds with
# the best so far, saying what it did not try.
{ printf 'smpfuzz-repro 1\ncpus 63\nvariant b0473dcd\ncsdlock_debug on\n'
  printf 'cpu 1: call_single target=0 wait=0\ncpu 2: call_single target=0 wait=0\n'
  awk 'BEGIN { for (c = 0; c < 63; c++) for (i = 0; i < 300; i++) printf "cpu %d: call_many mask=0x%x wait=0 local=0\n", c, 1 + i * 7919 % 65535 }'
  printf 'schedule 1 2*11 1*10\n'; } >"$tmp/huge.repro"
start=$(date +%s)
limited 1000000 1 minimize "$tmp/huge.repro" --max_seconds=3 --out="$tmp/huge-min.repro"
has err '^minimize: stopped at --max_seconds=3 with the best so far: [0-9]* cut(s) made, [0-9]* cut(s) not tried$'
[ $(( $(date +%s) - start )) -le 30 ] || fail "minimize --max_seconds=3 took $(( $(date +%s) - start )) s"
grep -q '^expect b0473dcd .*llist-self-loop' "$tmp/huge-min.repro" || fail "the bounded minimize lost the self-loop"
mkdir -p "$tmp/huge"
cp "$tmp/huge.repro" "$tmp/huge/"
limited 1000000 1 triage "$tmp/huge" --out="$tmp/huge-triaged" --max_seconds=3
has err '^triage: llist-self-loop@.*: minimizing stopped at --max_seconds=3 with the best so far: '
grep -q '^# smallest .*, minimized until the time limit: ' "$tmp/huge-triaged/llist-self-loop-1.repro" || fail "the bucket's reproducer does not say minimizing stopped"
run 2 minimize "$self_loop" --max_seconds=soon
has err "^smpfuzz: --max_seconds: expected a number from 0 to 10000000, got 'soon'"

# Output and flags. JSON stays JSON with any path and with an unreadable file first.
mkdir -p "$tmp/js"
odd="$tmp/js/q\"uote\\back.repro"
cp "$self_loop" "$odd"
run 2 replay --json --notrace "$tmp/does-not-exist" "$odd"
json_ok
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d) == 1 and d[0]["file"] == sys.argv[2], d' "$tmp/out" "$odd" || fail "replay --json lost the file name"
run 1 replay --json --notrace "$odd"
json_ok
run 2 replay --json "$tmp/does-not-exist"
[ ! -s "$tmp/out" ] || fail "replay --json of nothing readable printed: $(cat "$tmp/out")"
run 1 triage "$tmp/js" --json --out="$tmp/js-triaged"
json_ok
# Whole-number flags are whole numbers, in the range the message names.
run 2 explore "$self_loop" --preemptions=2.5
has err "^smpfuzz: --preemptions: expected a whole number from 0 to 64, got '2.5'\$"
run 2 explore "$self_loop" --pct=0.5
has err "^smpfuzz: --pct: expected a whole number from 0 to 64, got '0.5'\$"
run 2 explore "$self_loop" --pct=3 --runs=0
has err "^smpfuzz: --runs: expected a whole number from 1 to 1000000000000, got '0'\$"
run 2 explore "$self_loop" --pct=3 --seed=1e3
has err "^smpfuzz: --seed: expected a whole number"
run 2 explore "$self_loop" --max_steps=-5
has err "^smpfuzz: --max_steps: expected a whole number from 1 to 1000000000, got '-5'\$"
run 2 explore "$self_loop" --max_steps=0
has err "^smpfuzz: --max_steps: expected a whole number from 1 to 1000000000, got '0'\$"
run 2 explore --cpus=3 --ops=';;;;'
has err "^smpfuzz: --ops: no operations"
run 2 explore --cpus=3
has err "^smpfuzz: --ops: no operations"
run 2 frobnicate
has err "unknown command 'frobnicate'"
run 2 replay
has err 'replay needs at least one FILE'

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all smpfuzz CLI checks passed"
