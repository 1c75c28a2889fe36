#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A stand-in for a libFuzzer binary in fork mode, for hunt_test.sh: it writes the input in
# $FAKE_CRASH as a crash artifact and one corpus entry, then runs until it is stopped.
# FAKE_MODE=die: exits at once with status 3 (an engine that cannot run).
# FAKE_MODE=once: exits after writing the crash the first time it runs in this hunt
# directory (an engine that dies once and must be restarted).
set -u
artifacts="" corpus=""
for a in "$@"; do
  case $a in
    -artifact_prefix=*) artifacts=${a#-artifact_prefix=} ;;
    -merge=1) exit 0 ;;
    -*) ;;
    *) corpus=$a ;;
  esac
done
echo "fake libfuzzer: $*"
[ "${FAKE_MODE:-}" = die ] && { echo "fake libfuzzer: cannot run"; exit 3; }
cp "$FAKE_CRASH" "${artifacts}crash-fake"
printf 'corpus entry' >"$corpus/fake-entry"
if [ "${FAKE_MODE:-}" = once ] && [ ! -e "$corpus/../ran-once" ]; then
  touch "$corpus/../ran-once"
  exit 4
fi
trap 'exit 0' TERM
while :; do sleep 0.2; done
