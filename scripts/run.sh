#!/usr/bin/env bash
# Sets up, builds and runs the main job on the embedded default configuration.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" "$root/build"
"$root/build/t3vp" compare "$@"
