#!/usr/bin/env bash
# Training runs of the profile-guided build (scripts/build.sh): short runs that exercise what the
# main jobs spend their time in (the DRAM engine, the L2, the SMs, the ring collectives, the tracker,
# DMA and NMC path, memtest's patterns, symmetric execution). About 10 s with the instrumented binary.
# Usage: pgo_train.sh <instrumented t3vp>
set -euo pipefail
t3vp="$1"
small="--set system.gpus=4 --set workload.tokens=1024"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
"$t3vp" run --quiet --mode sequential $small > /dev/null
"$t3vp" run --quiet --mode t3-mca $small > /dev/null
"$t3vp" run --quiet --mode ideal-rs-nmc --set workload.producer=none $small > /dev/null
"$t3vp" run --quiet --mode t3 --set data.mode=off --set system.symmetric=true --set system.gpus=8 \
  --set workload.tokens=2048 > /dev/null
for pattern in sequential random gemm-mix; do
  "$t3vp" memtest --quiet --pattern "$pattern" --set memtest.total_mib=16 > /dev/null
done
