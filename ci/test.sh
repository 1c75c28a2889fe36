#!/usr/bin/env bash
# The project's test command: `bazel test //...` once per build config, with a count.
#
#   ci/test.sh [CONFIG...] [-- EXTRA_BAZEL_TEST_FLAGS...]
#
# CONFIG is `default` (no --config) or a config from .bazelrc (tsan, asan, opt, libfuzzer);
# without any, it runs default, tsan and asan. It prints Bazel's per-test lines, then a
# closing line `N passed, N failed` over all runs, and exits non-zero if any test failed,
# any run failed to build, or the default run executed no test.
set -euo pipefail
cd "$(dirname "$0")/.."

configs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do configs+=("$1"); shift; done
[ $# -gt 0 ] && shift  # the --
extra=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(default tsan asan)

# A per-test line of Bazel's short test summary, e.g.
#   //third_party:system_libs_test      (cached) PASSED in 0.1s
status_re='^//[^ ]+ +(\(cached\) +)?(PASSED|FLAKY|FAILED TO BUILD|FAILED|TIMEOUT|NO STATUS|INCOMPLETE)( |$)'

passed=0 failed=0 problems=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for config in "${configs[@]}"; do
  flags=()
  [ "$config" = default ] || flags=("--config=$config")
  echo "=== bazel test ${flags[*]} ${extra[*]} //..."
  rc=0
  bazel test "${flags[@]}" "${extra[@]}" --color=no --curses=no --test_summary=short //... \
    >"$log" 2>&1 || rc=$?
  # Bazel's progress is noisy without a terminal: show errors and the per-test lines.
  grep -E "$status_re|^(ERROR|FAIL):|^Executed|^INFO: Build" "$log" || true
  p=0 f=0
  while IFS= read -r line; do
    if [[ $line =~ $status_re ]]; then
      case ${BASH_REMATCH[2]} in
        PASSED) p=$((p + 1)) ;;
        *) f=$((f + 1)) ;;  # FLAKY counts as failed: nothing here may pass by retrying
      esac
    fi
  done <"$log"
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    # Failed before any test could report (analysis or build error, no tests found, ...).
    tail -n 30 "$log"
    f=1
    problems+=("$config: bazel exited $rc")
  fi
  if [ "$config" = default ] && [ $((p + f)) -eq 0 ]; then
    f=1
    problems+=("$config: no test ran")
  fi
  echo "--- $config: $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
done

for problem in "${problems[@]}"; do echo "problem: $problem"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
