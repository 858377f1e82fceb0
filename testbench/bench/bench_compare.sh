#!/usr/bin/env bash
# Wall time and peak memory of the main job, `t3vp compare` on the embedded default (T-NLG FC-2, TP 8,
# 8192 tokens, synthetic data, every mode; issue 5, target: under 60 s wall and 4 GB), with --jobs 2
# unless T3VP_JOBS says otherwise. Prints the speedups, which modes were simulated (a derived mode
# names its source) and each simulation's wall time and peak RSS.
# Usage: bench_compare.sh [t3vp binary] [extra compare arguments...]
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
start=$(date +%s.%N)
"$t3vp" compare --quiet --jobs "${T3VP_JOBS:-2}" --json "$out/compare.json" "$@" > /dev/null
end=$(date +%s.%N)
python3 - "$out/compare.json" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
rss = 0
for r in d["runs"]:
    if "derived_from" in r:
        src = f"derived from {r['derived_from']}"
    else:
        rss = max(rss, r["host"]["peak_rss_bytes"])
        src = ("simulated" + (f", GEMM from {r['gemm_from']}" if "gemm_from" in r else "") +
               f"; wall {r['wall_s']:.1f} s, peak RSS {r['host']['peak_rss_bytes'] / 2**20:.0f} MiB")
    print(f"  {r['mode']:14s} {r['time_ns']['total'] / 1e3:9.1f} us  speedup {d['speedup'][r['mode']]:.3f}x  "
          f"mismatches {r['functional']['mismatches']}  ({src})")
print(f"compare: wall {wall:.1f} s, peak RSS of one simulation {rss / 2**20:.0f} MiB (target: 60 s, 4 GB)")
PY
