#!/usr/bin/env bash
# Benchmark and roofline checks of the producer GEMM (`t3vp run --set workload.collective=none`):
#  1. compute-bound: T-NLG FC-2 at TP 8 with 8192 tokens (8192 x 4256 x 2128) on one GPU vs 2MNK/peak
#  2. memory-bound: 8192 x 8192 x 64 on one GPU vs DRAM bytes / peak bandwidth
#  3. wall time of the FC-2 GEMM on all 8 GPUs (target: under 10 s): default settings; timing only
#     (data.mode=off: the same simulated times and statistics, no payload data, as sweeps and the
#     study run); fast settings (access granularity, 4 KiB interleave: another memory system)
# Usage: bench_gemm.sh [t3vp binary]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
t3vp="${1:-$root/build/t3vp}"
run() {
  local name="$1"; shift
  local out; out="$(mktemp)"
  "$t3vp" run --set workload.collective=none --json "$out" "$@" > /dev/null
  python3 - "$name" "$out" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
g, t, b = d["gemm"], d["time_ns"]["gemm"], d["dram_bytes"]
gpus = d["config"]["system"]["gpus"]
hbm_peak = 1024e9  # default HBM: 64 pseudo-channels x 16 GB/s
dram = b["total"] / gpus
f = d["functional"]
check = ("no data check (timing only)" if f["mode"] == "off"
         else f"{f['mismatches']} mismatches of {f['checked_elements']} elements")
print(f"{name}: GEMM {d['workload']['gemm']['m']}x{d['workload']['gemm']['n']}x{d['workload']['gemm']['k']} on {gpus} GPU(s): "
      f"{t/1e3:.1f} us simulated; {g['tflops_per_gpu']:.1f} TFLOP/s per GPU; "
      f"x{t/g['roofline_ns']:.3f} of the FLOP roofline; x{t/(dram/hbm_peak*1e9):.3f} of the DRAM roofline "
      f"({dram/2**20:.1f} MiB per GPU: read {b['gemm_read']/gpus/2**20:.1f}, write {b['gemm_write']/gpus/2**20:.1f}); "
      f"L2 hit rate {g['l2_hit_rate']:.3f}; wall {d['wall_s']:.2f} s; {d['host']['sim_ns_per_wall_s']/1e3:.1f} us simulated "
      f"per wall-s; peak RSS {d['host']['peak_rss_bytes']/2**20:.0f} MiB; {check}")
PY
  rm -f "$out"
}
fc2="--set workload.model=t-nlg --set workload.sublayer=fc2 --set workload.tokens=8192"
fast="--set hbm.timing_granularity=access --set hbm.interleave_bytes=4096"
run "compute-bound (1 GPU)" --set system.gpus=1 --set workload.model=custom --set workload.m=8192 --set workload.n=4256 --set workload.k=2128
run "memory-bound (1 GPU)" --set system.gpus=1 --set workload.model=custom --set workload.m=8192 --set workload.n=8192 --set workload.k=64
run "FC-2 TP8, 8 GPUs, default" $fc2 --set system.gpus=8
run "FC-2 TP8, 8 GPUs, timing only" $fc2 --set system.gpus=8 --set data.mode=off
run "FC-2 TP8, 8 GPUs, fast" $fc2 --set system.gpus=8 $fast
