# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the fuzzing benchmarks (ci/bench-fuzz.sh, ci/bench-kernel-fuzz.sh); source it.

now() { date +%s.%N; }

# "median M s, p90 P s" of the times on stdin, one a line; TIMEOUT (a run that found
# nothing within $TIMEOUT seconds) sorts last and prints as ">$TIMEOUT".
summarize() {
  sort -g | awk -v timeout="$TIMEOUT" '
    { v[NR] = $1 }
    END {
      n = NR; m = v[int((n + 1) / 2)]; p = v[int(0.9 * n + 0.999)]
      printf "median %s s, p90 %s s", (m == "TIMEOUT" ? ">" timeout : m), (p == "TIMEOUT" ? ">" timeout : p)
    }'
}
