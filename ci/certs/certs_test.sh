#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The committed certificates re-check (smpfuzz verify --check=CERT); a
# certificate with one line changed (its variant, one of its numbers) does
# not (exit 1); a malformed one is an error naming FILE:LINE (exit 2).
set -uo pipefail

bin=$1; fixed=$2; baseline=$3
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
run() {
  local want=$1; shift
  timeout 240 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "smpfuzz $* exited $got, want $want; stderr: $(tail -c 400 "$tmp/err")"
}
has() { grep -q -e "$2" "$tmp/$1" || fail "$1 lacks '$2': $(tail -c 400 "$tmp/$1")"; }

for cert in "$fixed" "$baseline"; do
  run 0 verify --check="$cert" --jobs=2
  has err "checks: every number reproduced"
done

# A tiny certificate of our own, then one-line changes to it.
sigs=llist-self-loop,csd-double-lock,callback-lost,callback-duplicated,callback-corrupted
run 0 verify --cpus=2 --ops=1 --kinds=single --csdlock_debug=on --preemptions=1 \
  --variant=fixed --signatures=$sigs --certificate="$tmp/small.cert" --jobs=1
has err "clean in scope"
run 0 verify --check="$tmp/small.cert" --jobs=1
sed 's/^variant fixed$/variant baseline/' "$tmp/small.cert" >"$tmp/variant.cert"
cmp -s "$tmp/small.cert" "$tmp/variant.cert" && fail "the variant line was not changed"
run 1 verify --check="$tmp/variant.cert" --jobs=1
has err "flags differ"
has err "digest="
has err "does NOT check"
# The variant's flags line made to match as well (a forged certificate): the runs still differ.
flags=$(sed -n 's/^variant_flags //p' "$baseline")
sed -e 's/^variant fixed$/variant baseline/' -e "s/^variant_flags .*/variant_flags $flags/" \
  "$tmp/small.cert" >"$tmp/forged.cert"
run 1 verify --check="$tmp/forged.cert" --jobs=1
has err "digest="
# One number changed.
sed '0,/^scenario executions=/s//scenario executions=9/' "$tmp/small.cert" >"$tmp/number.cert"
run 1 verify --check="$tmp/number.cert" --jobs=1
has err "number.cert:[0-9]*: executions=9"
# Malformed: exit 2, FILE:LINE.
sed 's/^bound .*/bound preemptions=x/' "$tmp/small.cert" >"$tmp/bad.cert"
run 2 verify --check="$tmp/bad.cert"
has err "bad.cert:[0-9]*: "
# Unbounded: the bound goes into the certificate by name and the check re-runs it.
run 0 verify --cpus=2 --ops=1 --kinds=flush --offline=1 --preemptions=unbounded \
  --variant=fixed --certificate="$tmp/unbounded.cert" --jobs=1
has err "clean in scope, for every interleaving"
grep -q '^bound preemptions=unbounded ' "$tmp/unbounded.cert" || fail "no unbounded bound line"
run 0 verify --check="$tmp/unbounded.cert" --jobs=1
has err "preemptions <= unbounded"
# Bad flags: one line naming the flag, exit 2.
run 2 verify --preemptions=forever
has err "^smpfuzz: --preemptions: "
run 2 verify --cpus=1
has err "^smpfuzz: --cpus: "
run 2 verify --kinds=sideways
has err "^smpfuzz: --kinds: unknown kind 'sideways'"
run 2 verify --ops=0
has err "^smpfuzz: --ops: "
run 2 verify --check
has err "needs the certificate"

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "certs_test: ok"
