#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs, builds (release and
# ASan+UBSan), runs the unit tests and the end-to-end tests against both builds, the unit tests
# of the threaded parts under TSan, then a short libFuzzer run of every parser.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/setup.sh
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

passed=0
failed=0
run() {  # run <label> <command...>
  echo "==> $1"
  if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

for kind in release asan; do
  dir=build; [[ $kind == asan ]] && dir=build-asan
  bash scripts/build.sh "$kind"
  run "unit tests ($kind)" ctest --test-dir "$dir" --output-on-failure -j2
  run "end-to-end tests ($kind)" env LACQUER_BIN="$root/$dir/edge/lacquer" \
    /usr/bin/python3 -m pytest tests/e2e -q -p no:cacheprovider
done

# The threaded parts (memory tier, disk tier, version table, purge store, sweeper, cluster records) under
# ThreadSanitizer: only their two unit-test binaries are built (about 2 minutes on 2 cores).
bash scripts/build.sh tsan
run "unit tests of the threaded parts (tsan)" env \
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/scripts/tsan.supp" \
  ctest --test-dir build-tsan -R '^(storage_test|purge_test|cluster_test)$' --output-on-failure

# A short fuzzing run of every parser target (scripts/fuzz.sh runs them longer).
run "fuzzing, 20 s per target" bash scripts/fuzz.sh 20

echo "suites: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
