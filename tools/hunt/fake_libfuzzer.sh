#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A stand-in for a libFuzzer binary, for hunt_test.sh: it writes the input in $FAKE_CRASH as
# a crash artifact and one corpus entry, then runs until it is stopped.
# FAKE_MODE=die: exits at once with status 3 (an engine that cannot run).
# FAKE_MODE=once: exits after writing the crash the first time it runs in this hunt
# directory (an engine that dies once and must be restarted).
# FAKE_MODE=nocrash: writes no crash.
# FAKE_MODE=orphan: also starts a child in a session of its own (as AFL++'s fork server
# does), appends its pid to ../orphans and its own pid to ../engine.pid.
# FAKE_MODE=many: also writes $FAKE_MANY (200) distinct random crash files, and ignores
# SIGTERM (only SIGKILL stops it).
# FAKE_MODE=fill: writes corpus entries named after their content (40 hex digits, as
# libFuzzer does) and 1 MB blobs beside them, about 10 MB/s, until it is stopped; on a full
# disk each entry is left empty, as libFuzzer leaves them.
# FAKE_ENTRY: the content of its corpus entry (default "corpus entry"), named fake-<its md5>.
# -merge=1 DIR1 DIR2...: copies into DIR1 each file of the others whose content DIR1 lacks
# (libFuzzer adds only what brings new coverage; here, anything new).
set -u
artifacts="" corpus="" merge=0 dirs=()
for a in "$@"; do
  case $a in
    -artifact_prefix=*) artifacts=${a#-artifact_prefix=} ;;
    -merge=1) merge=1 ;;
    -*) ;;
    *) corpus=$a; dirs+=("$a") ;;
  esac
done
if [ "$merge" = 1 ]; then
  for d in "${dirs[@]:1}"; do
    for f in "$d"/*; do
      [ -f "$f" ] || continue
      sum=$(md5sum <"$f" | cut -c1-32)
      if ! (cd "${dirs[0]}" && md5sum ./* 2>/dev/null | grep -q "^$sum "); then cp "$f" "${dirs[0]}/$sum"; fi
    done
  done
  exit 0
fi
mode=${FAKE_MODE:-}
echo "fake libfuzzer: $*"
[ "$mode" = die ] && { echo "fake libfuzzer: cannot run"; exit 3; }
[ "$mode" = nocrash ] || cp "$FAKE_CRASH" "${artifacts}crash-fake"
entry=${FAKE_ENTRY:-corpus entry}
printf '%s' "$entry" >"$corpus/fake-$(printf '%s' "$entry" | md5sum | cut -c1-32)"
if [ "$mode" = once ] && [ ! -e "$corpus/../ran-once" ]; then
  touch "$corpus/../ran-once"
  exit 4
fi
if [ "$mode" = orphan ]; then
  # Not a group leader, so setsid(1) calls setsid() itself, without forking: $! is the child.
  setsid sleep 600 &
  echo "$!" >>"$corpus/../orphans"
  echo "$$" >"$corpus/../engine.pid"
fi
if [ "$mode" = many ]; then
  for i in $(seq 1 "${FAKE_MANY:-200}"); do
    head -c $((20 + i % 40)) /dev/urandom >"${artifacts}crash-many$i"
  done
  trap '' TERM
  while :; do sleep 0.2; done
fi
if [ "$mode" = fill ]; then
  trap 'exit 0' TERM
  dir=${artifacts%/*}
  for i in $(seq 1 100000); do
    printf 'entry %d' "$i" >"$corpus/$(printf '%040x' "$i")" 2>/dev/null
    head -c 1048576 /dev/zero >"$dir/blob$i" 2>/dev/null
    sleep 0.1
  done
fi
trap 'exit 0' TERM
while :; do sleep 0.2; done
