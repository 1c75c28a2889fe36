#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernel guest on the command line (issue 15): a tree and patches, as a
# kernel developer names them. The tree is Bazel's extraction of Debian's 6.12
# (what smpfuzz would extract from the tarball itself); the build cache is the
# test's own, so the first build of each guest really compiles.
set -uo pipefail

bin=$1
tree=$2
patches=$3  # the directory of kernel/patches/*.patch
fake_engine=$4  # tools/hunt/fake_libfuzzer.sh: writes $FAKE_CRASH as its crash
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export SMPFUZZ_CACHE_DIR=$tmp/cache
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
run() {
  local want=$1; shift
  timeout 300 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "smpfuzz $* exited $got, want $want; stderr: $(tail -c 400 "$tmp/err")"
}
has() { grep -q -e "$2" "$tmp/$1" || fail "$1 lacks '$2': $(head -c 600 "$tmp/$1")"; }
lacks() { ! grep -q -e "$2" "$tmp/$1" || fail "$1 has '$2': $(grep -m3 -e "$2" "$tmp/$1")"; }
lines() { [ "$(wc -l <"$tmp/$1")" -eq "$2" ] || fail "$1 has $(wc -l <"$tmp/$1") lines, want $2: $(cat "$tmp/$1")"; }

printf -- '--- a/kernel/smp.c\n+++ b/kernel/smp.c\n@@ -1,2 +1,3 @@\n // SPDX-License-Identifier: GPL-2.0-only\n+\n /*\n' >"$tmp/whitespace.patch"
printf -- '--- a/kernel/smp.c\n+++ b/kernel/smp.c\n@@ -1,2 +1,2 @@\n-no such line\n+at all\n nowhere\n' >"$tmp/stale.patch"

# check-patch: b0473dcd introduces the self-loop, with a 1-preemption reproducer.
run 1 check-patch "$patches/b0473dcd.patch" --kernel="$tree" --out="$tmp/cex"
has out 'two-senders-wait0/debug-on (3 CPUs): INTRODUCES .*llist-self-loop'
has out 'llist-self-loop with 1 preemption(s)'
has out 'check-patch: the patch INTRODUCES .*llist-self-loop'
lacks out 'NOT COVERED'
cex=$tmp/cex/two-senders-wait0-debug-on-llist-self-loop.repro
[ -f "$cex" ] || fail "no reproducer $cex"
# The reproducer replays to the self-loop on the patched tree, not on the tree.
run 1 replay "$cex" --guest=kernel --kernel="$tree" --patch="$patches/b0473dcd.patch" --notrace
has out 'llist-self-loop'
has out 'kernel guest: linux'
run 0 replay "$cex" --guest=kernel --kernel="$tree" --notrace
# The reproducer names its build; replaying it on another says so, on the same not.
has err 'note: recorded on kernel guest build [0-9a-f]*, replaying on build [0-9a-f]* (the same tree'
grep -q '^guest kernel tree=[0-9a-f]\{16\} build=[0-9a-f]\{16\} patches=[0-9a-f]\{16\}$' "$cex" \
  || fail "the reproducer does not name its kernel build: $(grep guest "$cex")"
run 1 replay "$cex" --kernel="$tree" --patch="$patches/b0473dcd.patch" --notrace
lacks err 'note:'
# The trace names the tree's own functions and lines; so do the verdict and the SVG.
run 1 replay "$cex" --guest=kernel --kernel="$tree" --patch="$patches/b0473dcd.patch" --svg="$tmp/cex.svg"
has out 'csd_lock  *kernel/smp.c:[0-9][0-9]*  *store  *csd_data\[0\].node.u_flags'
has out 'llist_add_batch  *lib/llist.c:[0-9][0-9]*  *try_cmpxchg'
has out 'llist-self-loop .* llist_add_batch (lib/llist.c:[0-9]*)'
grep -q 'smp.c:[0-9]*: store' "$tmp/cex.svg" || fail "the SVG lacks the tree's lines"
# The fix on top, and a whitespace-only patch: nothing introduced.
run 0 check-patch "$patches/b0473dcd.patch" --patch="$patches/fixed.patch" --kernel="$tree"
has out 'the patch introduces nothing within preemptions <= 1'
lacks out 'INTRODUCES'
run 0 check-patch "$tmp/whitespace.patch" --kernel="$tree"
has out 'the patch introduces nothing'
# A patch whose bug needs two tasks on one CPU (the suite's extra-task scenarios): put_cpu()
# before csd_lock(), on top of the fix. debug-off: each task takes CPU 1's own csd_data.
run 1 check-patch "$patches/b0473dcd.patch" "$patches/fixed.patch" "$patches/mutant-put-cpu-early.patch" --kernel="$tree"
has out 'two-tasks-one-cpu/debug-off (2 CPUs): INTRODUCES .*llist-self-loop'
has out 'task 2 on 1: call_single target=0 wait=0'
lacks out 'NOT COVERED'
# A patch to smp_call_function_any() (the first CPU of the mask, online or not): the suite's
# call-any-offline scenario gets -ENXIO for a mask with an online CPU, against its promise.
run 1 check-patch "$patches/b0473dcd.patch" "$patches/fixed.patch" "$patches/mutant-any-offline-cpu.patch" --kernel="$tree"
has out 'call-any-offline/debug-on (3 CPUs): INTRODUCES .*callback-lost'
lacks out 'NOT COVERED'
# A patch that releases an ASYNC csd after its callback (as before 8053871d0f7f): the
# suite's callbacks that free their csd make the flush's csd_unlock() write freed memory.
run 1 check-patch "$patches/b0473dcd.patch" "$patches/fixed.patch" "$patches/mutant-async-unlock-after-call.patch" --kernel="$tree"
has out 'async-handler-frees/debug-on (2 CPUs): INTRODUCES .*use-after-free'
has out 'cpu 1: call_single_async target=0 free=1'
# ... and the suite's callback that queues its own csd again gets -EBUSY.
has out 'callbacks-that-act/debug-on (3 CPUs): INTRODUCES .*csd-spurious-busy'
# A patch that drops smpcfd_dying_cpu()'s flush (as before 8d056c48e486): the suite's
# hotplug scenario takes CPU 2 down with a callback queued to it, which stays there.
run 1 check-patch "$patches/b0473dcd.patch" "$patches/fixed.patch" "$patches/mutant-no-dying-flush.patch" --kernel="$tree"
has out 'hotplug/debug-on (3 CPUs): INTRODUCES .*offline-cpu-entry'
# A patch that drops the flush's third pass: the suite's remote wakeup is never activated.
run 1 check-patch "$patches/b0473dcd.patch" "$patches/fixed.patch" "$patches/mutant-ttwu-dropped.patch" --kernel="$tree"
has out 'irq-work-and-ttwu/debug-on (3 CPUs): INTRODUCES .*callback-lost'
# The same mutant as a variant of the kernel guest: explore finds the self-loop at one
# preemption, by preempting one task of CPU 1 with the other, in the tree's own code.
printf 'smpfuzz-repro 1\ncpus 2\nvariant mutant-put-cpu-early\ncsdlock_debug off\ncpu 1: call_single target=0 wait=0\ntask 2 on 1: call_single target=0 wait=0\n' >"$tmp/tasks.repro"
run 1 explore "$tmp/tasks.repro" --guest=kernel --kernel="$tree" --signatures=llist-self-loop --preemptions=2
has err 'violation llist-self-loop with 1 preemption'
has out 'task 2 on 1: call_single target=0 wait=0'
sed -i 's/mutant-put-cpu-early/fixed/' "$tmp/tasks.repro"
run 0 explore "$tmp/tasks.repro" --guest=kernel --kernel="$tree" --preemptions=3
has err 'clean for every interleaving'

# minimize and triage on the kernel guest: the reproducer keeps its self-loop.
run 1 minimize "$cex" --kernel="$tree" --patch="$patches/b0473dcd.patch" --out="$tmp/min.repro" --max_seconds=60
has err 'minimize: llist-self-loop with 1 preemption(s)'
grep -q '^guest kernel tree=' "$tmp/min.repro" || fail "the minimized reproducer does not name its build"
run 1 replay "$tmp/min.repro" --kernel="$tree" --patch="$patches/b0473dcd.patch" --notrace
has out 'llist-self-loop'
mkdir -p "$tmp/crashes" && cp "$cex" "$tmp/crashes/"
run 1 triage "$tmp/crashes" --out="$tmp/triaged" --kernel="$tree" --variant=b0473dcd --max_seconds=60
ls "$tmp/triaged" | grep -q 'llist-self-loop' || fail "triage made no llist-self-loop bucket: $(ls "$tmp/triaged")"
# A raw crash file (the kernel fuzz targets' bytes) carries no guest: its bucket's
# reproducer records the build triage ran it on, so replay runs it there.
run 0 convert "$cex" --to=bytes --out="$tmp/self_loop.bytes"
mkdir -p "$tmp/raw" && cp "$tmp/self_loop.bytes" "$tmp/raw/crash-0"
run 1 triage "$tmp/raw" --out="$tmp/raw_triaged" --kernel="$tree" --variant=b0473dcd --max_seconds=60
raw_bucket=$(ls "$tmp"/raw_triaged/llist-self-loop-*.repro 2>/dev/null | head -1)
if [ -z "$raw_bucket" ]; then
  fail "triage of the raw crash made no llist-self-loop bucket: $(ls "$tmp/raw_triaged")"
else
  grep -q '^guest kernel tree=' "$raw_bucket" || fail "the raw crash's bucket does not name its build: $(head -5 "$raw_bucket")"
  run 1 replay "$raw_bucket" --kernel="$tree" --notrace
  has out 'llist-self-loop'
fi

# hunt on the kernel guest (a stand-in engine that writes that crash): triaged and
# minimized on the kernel guest, its bucket names the build.
export FAKE_CRASH=$tmp/self_loop.bytes
run 1 hunt --guest=kernel --time=20s --jobs=1 --engine=libfuzzer \
  --libfuzzer_target="$fake_engine" --variant=b0473dcd --out="$tmp/hunt"
hunt_bucket=$(ls "$tmp"/hunt/buckets/llist-self-loop-*.repro 2>/dev/null | head -1)
if [ -z "$hunt_bucket" ]; then
  fail "hunt --guest=kernel made no llist-self-loop bucket: $(ls "$tmp/hunt/buckets"); $(tail -5 "$tmp/hunt/hunt.log")"
else
  grep -q '^guest kernel tree=' "$hunt_bucket" || fail "the hunt's bucket does not name its build"
  # Buckets are per place of the tree (function and line), not per Site::kernel_guest.
  grep -q '^# bucket llist-self-loop@llist_add_batch(lib/llist.c:[0-9][0-9]*)$' "$hunt_bucket" ||
    fail "the bucket key does not name the tree's place: $(grep '^# bucket' "$hunt_bucket")"
  run 0 replay "$hunt_bucket" --check --notrace
fi
grep -q 'start: variant b0473dcd, linux' "$tmp/hunt/hunt.log" || fail "hunt.log does not name the kernel guest: $(head -2 "$tmp/hunt/hunt.log")"
grep -q '^# smpfuzz hunt on b0473dcd (linux' "$tmp/hunt/summary.md" || fail "summary.md does not name the kernel guest: $(head -1 "$tmp/hunt/summary.md")"
run 2 hunt --guest=kernel --kernel="$tree" --time=2s --libfuzzer_target="$fake_engine" --out="$tmp/hunt2"
lines err 1

# explore on the kernel guest: b0473dcd's self-loop at 1 preemption; fixed clean.
ops='1: call_single target=0 wait=0; 2: call_single target=0 wait=0'
run 1 explore --cpus=3 --ops="$ops" --guest=kernel --kernel="$tree" --variant=b0473dcd \
  --signatures=llist-self-loop --preemptions=1
has err 'violation llist-self-loop with 1 preemption(s)'
run 0 explore --cpus=3 --ops="$ops" --guest=kernel --kernel="$tree" --variant=fixed --preemptions=2
has err 'clean within preemptions <= 2'

# Bad input: one line naming the place, exit 2.
run 2 check-patch "$tmp/stale.patch" --kernel="$tree"
has err 'stale.patch: does not apply to'
lines err 1
run 2 explore --cpus=3 --ops="$ops" --kernel=/nonexistent/tree
has err '/nonexistent/tree: no such kernel tree'
lines err 1
run 2 explore --cpus=3 --ops="$ops" --guest=kernel --kernel="$tree" --variant=mutant-sync-unlock-first
has err 'the kernel guest has baseline, b0473dcd, fixed, mutant-put-cpu-early, mutant-any-offline-cpu, mutant-async-unlock-after-call, mutant-no-dying-flush and mutant-ttwu-dropped'
run 2 explore --cpus=3 --ops="$ops" --guest=model --patch="$patches/b0473dcd.patch"
has err 'kernel guest'
run 2 check-patch --kernel="$tree"
has err 'check-patch needs at least one PATCH'

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all kernel CLI checks passed"
