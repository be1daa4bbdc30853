#!/usr/bin/env bash
# Sets everything up and runs the full test suite: the default build (all tests), the asan build
# (ASan+UBSan, all tests), the clang build (-Wthread-safety, all tests: a second compiler catches
# what one optimiser hides) and the tsan build (the stress tests). The benchmarks and their smoke
# run are in the default build only. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ntio_install_packages
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs=$(nproc)

run_preset() {
  local preset="$1"; shift
  echo "== ntio tests: $preset =="
  ntio_build "$preset" "$@"
  local prefix=() labels=()
  if [ "$preset" = tsan ]; then
    labels=(-L stress)
    # ThreadSanitizer cannot map its shadow memory on kernels with high mmap randomisation;
    # running without address-space randomisation avoids that where the kernel allows it.
    if setarch "$(uname -m)" -R true 2>/dev/null; then prefix=(setarch "$(uname -m)" -R); fi
  fi
  "${prefix[@]}" ctest --test-dir "$root/build/$preset" -j "$jobs" --output-on-failure --timeout 300 "${labels[@]}"
}

run_preset default
run_preset asan
run_preset clang
run_preset tsan ntio_stress_tests
