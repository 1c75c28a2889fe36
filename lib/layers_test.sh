#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Layers: which files may include which headers, checked on the sources.
#
# Bazel's layering_check (.bazelrc) makes every #include come from a direct
# dependency; this test pins the architecture those dependencies must keep:
#  - the machine layer (the simulator, the real-thread platform, the oracles
#    and the vocabulary they share with guests) includes no guest header;
#  - formats (reproducers, fuzzer inputs, trace printers) include no machine
#    and no guest header.
# Each rule is "files matching PATTERN must not include HEADER-PATTERN".
#
# Usage: layers_test.sh [FILE...]    (the sources to check; Bazel passes lib/)
#        layers_test.sh --selftest   (each rule fires on a file that breaks it,
#                                     and stays silent on one that does not)
set -uo pipefail

machine='^lib/(simulator|guest|checkers|race_detector|csd_owners|csd_flags|locations|run_result|report|requests|primitives|sites|task|scenario|variant)\.(h|cc)$|^lib/threads/thread_platform\.(h|cc)$'
guest_headers='^lib/(smp|llist|workload|model_guest)\.h$|^kernel/'
formats='^lib/(repro|input_bytes|inputs|trace_format|trace_svg|json|hex|hash|fuzz_stats)\.(h|cc)$'
machine_headers='^lib/(simulator|threads/thread_platform)\.h$'

# check ROOT FILE...: prints each violation, returns 1 if any.
check() {
  local root=$1; shift
  local bad=0 f inc
  for f in "$@"; do
    while IFS= read -r inc; do
      if [[ $f =~ $machine && $inc =~ $guest_headers ]]; then
        echo "layers: $f (machine) includes $inc (a guest header)"; bad=1
      fi
      if [[ $f =~ $formats && $inc =~ $machine_headers ]]; then
        echo "layers: $f (format) includes $inc (a machine)"; bad=1
      fi
      if [[ $f =~ $formats && $inc =~ $guest_headers ]]; then
        echo "layers: $f (format) includes $inc (a guest header)"; bad=1
      fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$root/$f")
  done
  return $bad
}

if [ "${1:-}" = --selftest ]; then
  dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
  mkdir -p "$dir/lib"
  printf '#include "lib/guest.h"\n#include "lib/smp.h"\n' >"$dir/lib/simulator.cc"
  printf '#include "lib/simulator.h"\n' >"$dir/lib/input_bytes.cc"
  printf '#include "lib/csd_flags.h"\n#include "lib/smp.h"\n' >"$dir/lib/trace_format.cc"
  printf '#include "lib/smp.h"\n#include "lib/simulator.h"\n' >"$dir/lib/triage.cc"
  out=$(check "$dir" lib/simulator.cc lib/input_bytes.cc lib/trace_format.cc lib/triage.cc) && {
    echo "layers selftest: no violation found in a tree that has three"; exit 1; }
  [ "$(grep -c . <<<"$out")" -eq 3 ] || { echo "layers selftest: expected 3 violations, got:"; echo "$out"; exit 1; }
  printf '#include "lib/guest.h"\n' >"$dir/lib/simulator.cc"
  check "$dir" lib/simulator.cc lib/triage.cc || { echo "layers selftest: a false violation"; exit 1; }
  echo "layers selftest: ok"
  exit 0
fi

[ $# -gt 0 ] || { echo "usage: $0 FILE... | --selftest" >&2; exit 2; }
files=()
for f in "$@"; do files+=("${f#./}"); done
n_machine=0
for f in "${files[@]}"; do [[ $f =~ $machine ]] && n_machine=$((n_machine + 1)); done
# The rules must have something to check: a renamed layer would pass silently.
[ "$n_machine" -ge 20 ] || { echo "layers: only $n_machine machine files among the inputs"; exit 1; }
check . "${files[@]}" || exit 1
echo "layers: ${#files[@]} files, $n_machine in the machine layer, no violation"
