#!/usr/bin/env bash
# Benchmark of the memory model: simulated bytes and simulated time per wall-second, and peak memory,
# for `t3vp memtest` (default: sequential, 1 GiB of traffic). Usage: bench_memtest.sh [t3vp] [pattern] [MiB]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
t3vp="${1:-$root/build/t3vp}"
pattern="${2:-sequential}"
mib="${3:-1024}"
out="$(mktemp)"
"$t3vp" memtest --pattern "$pattern" --set memtest.total_mib="$mib" --json "$out" > /dev/null
python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
h = d["host"]
print(f"memtest {d['pattern']}: {d['bytes']/2**20:.0f} MiB simulated in {d['time_ns']/1e3:.1f} us "
      f"({d['bandwidth_gbps']:.1f} GB/s = {100*d['efficiency']:.1f}% of peak)")
print(f"wall {d['wall_s']:.3f} s: {h['sim_bytes_per_wall_s']/1e9:.3f} GB simulated traffic per wall-second, "
      f"{h['sim_ns_per_wall_s']/1e3:.1f} us simulated per wall-second, peak RSS {h['peak_rss_bytes']/2**20:.0f} MiB")
PY
rm -f "$out"
