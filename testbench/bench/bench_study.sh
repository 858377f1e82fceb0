#!/usr/bin/env bash
# Wall time of the paper's sublayer study: `t3vp study` on the full grid (Mega-GPT-2 and T-NLG, TP 8
# and 16, sublayers op, fc2, fc1, ip: 16 points, all five modes; up to 64 simulations, fewer where t3
# is taken from a t3-mca run in which MCA held nothing back, docs/statistics.md), --jobs 2 by
# default (target: under 10 minutes on 2 cores; issue 6). Prints the study's summary lines and
# the wall time.
# Usage: bench_study.sh [t3vp binary] [extra study arguments...]
#   e.g. bench_study.sh build/t3vp --models mega-gpt-2 --tp 8 --sublayers op --set workload.tokens=1024
#   (extra arguments restrict or change the grid for a quick check; the benchmark is the full grid).
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
start=$(date +%s.%N)
"$t3vp" study --quiet --jobs "${T3VP_JOBS:-2}" --json "$out/study.json" "$@" > "$out/study.txt"
end=$(date +%s.%N)
grep -E "^(Sublayer study|geomean|max)" "$out/study.txt" || true
python3 - "$out/study.json" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = [r for p in d["points"] for r in p["compare"]["runs"] if "derived_from" not in r]
wall = float(sys.argv[3]) - float(sys.argv[2])
sim_wall = sum(r["wall_s"] for r in runs)
rss = max(r["host"]["peak_rss_bytes"] for r in runs)
print(f"study: {len(d['points'])} points, {len(runs)} simulations: wall {wall:.1f} s "
      f"({wall / 60:.2f} min; simulations summed {sim_wall:.1f} s; peak RSS of one run {rss / 2**20:.0f} MiB)")
PY
