#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: once optimised, once under AddressSanitizer +
# UndefinedBehaviorSanitizer. Each test runs in its own process with a timeout (testbench/CMakeLists.txt).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

echo "== release build and tests"
bash "$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest -j "$(nproc)" --output-on-failure)

echo "== sanitizer build (ASan + UBSan) and tests"
bash "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DT3VP_SANITIZE=ON
# SystemC's coroutines switch stacks, which ASan's stack-use-after-return check cannot follow.
export ASAN_OPTIONS="detect_stack_use_after_return=0:detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd "$root/build-asan" && ctest -j "$(nproc)" --output-on-failure --timeout 900)
