#!/usr/bin/env bash
# The reduce-scatter by DMA + near-memory updates (T3's, run alone: --mode ideal-rs-nmc with
# workload.producer=none) against the ring on SMs, over the grid of validation.md section 7:
# p in {4, 8, 16}, S in {6, 24, 96, 192} MiB per GPU, timing only, symmetric execution (one GPU
# simulated). The NMC tracks whole tiles per chunk, so a chunk of fewer than gemm.tile_m (128) rows
# uses 64-row tiles (shown in the table).
# Usage: bench_nmc_rs.sh [t3vp binary]
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
echo "| p | S (MiB) | tile rows | ring on SMs (us) | DMA + NMC (us) | NMC gain | DRAM per GPU, ring / NMC (MiB) |"
echo "|---|---|---|---|---|---|---|"
for p in 4 8 16; do
  for shape in "1024 3072" "4096 3072" "8192 6144" "8192 12288"; do
    set -- $shape
    tile=128
    (( $1 / p % 128 )) && tile=64
    common=(--quiet --set workload.producer=none --set workload.collective=reduce-scatter --set data.mode=off
            --set workload.model=custom --set workload.m=$1 --set workload.n=$2 --set workload.k=64
            --set system.gpus=$p --set system.symmetric=true --set gemm.tile_m=$tile)
    "$t3vp" run "${common[@]}" --mode sequential --json "$out/ring.json" > /dev/null
    "$t3vp" run "${common[@]}" --mode ideal-rs-nmc --json "$out/nmc.json" > /dev/null
    python3 - "$out/ring.json" "$out/nmc.json" "$tile" <<'PY'
import json, sys
ring, nmc = (json.load(open(f)) for f in sys.argv[1:3])
p = ring["config"]["system"]["gpus"]
S = ring["workload"]["collective_bytes_per_gpu"]
tr, tn = ring["time_ns"]["reduce_scatter"], nmc["time_ns"]["reduce_scatter"]
dr, dn = (d["dram_bytes"]["total"] / p / 2**20 for d in (ring, nmc))
print(f"| {p} | {S / 2**20:.0f} | {sys.argv[3]} | {tr / 1e3:.1f} | {tn / 1e3:.1f} | {(tr / tn - 1) * 100:+.1f}% | {dr:.1f} / {dn:.1f} |")
PY
  done
done
