#!/usr/bin/env bash
# Sets everything up and runs the full test suite: the default build (all tests), the asan build
# (ASan+UBSan, all tests) and the tsan build (the stress tests). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ntio_install_packages
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs=$(nproc)

run_preset() {
  local preset="$1"; shift
  echo "== ntio tests: $preset =="
  ntio_build "$preset" "$@"
  ctest --test-dir "$root/build/$preset" -j "$jobs" --output-on-failure --timeout 300 ${CTEST_ARGS_EXTRA:-} \
        $( [ "$preset" = tsan ] && echo "-L stress" )
}

run_preset default
run_preset asan
run_preset tsan ntio_stress_tests
