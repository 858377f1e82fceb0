#!/usr/bin/env bash
# Configures and builds t3vp into build/ (or $1): library, application and tests. Further arguments
# go to cmake (e.g. the sanitizer build's -DCMAKE_BUILD_TYPE=RelWithDebInfo -DT3VP_SANITIZE=ON).
#
# An optimised build (no arguments) is profile-guided: the first time in a build directory it builds
# an instrumented t3vp, runs scripts/pgo_train.sh with it and then builds everything with the
# recorded profile; later builds in that directory reuse the profile. T3VP_PGO=0 turns this off.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/build}"
shift || true
configure() { cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null; }
pgo=OFF
if [[ "${T3VP_PGO:-1}" != 0 && $# -eq 0 ]]; then
  pgo=use
  if [[ ! -f "$dir/pgo-trained" ]]; then
    echo "== profile-guided build: instrumented t3vp and its training runs"
    configure -DT3VP_PGO=generate
    cmake --build "$dir" -j "$(nproc)" --target t3vp
    find "$dir" -name '*.gcda' -delete
    bash "$root/scripts/pgo_train.sh" "$dir/t3vp"
    touch "$dir/pgo-trained"
  fi
fi
configure -DT3VP_PGO="$pgo" "$@"
cmake --build "$dir" -j "$(nproc)"
