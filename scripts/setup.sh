#!/usr/bin/env bash
# Installs the Debian packages t3vp needs. Idempotent: does nothing when all are present.
# Run as root (or with sudo available). Nothing else is downloaded, ever.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libsystemc-dev          # SystemC 2.3.4 + TLM 2.0.6
  catch2                  # Catch2 2.13 (header-only test framework)
  nlohmann-json3-dev      # JSON configuration and results
  libboost-dev libboost-program-options-dev libboost-system-dev
  librsvg2-bin            # rsvg-convert: tests render the SVG charts to PNG
  parallel                # GNU parallel: tests run sharded sweeps through it (docs/sweeps.md)
  python3                 # the tests' PNG check (testbench/scripts/png_not_blank.py)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
