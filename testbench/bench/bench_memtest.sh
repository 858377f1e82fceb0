#!/usr/bin/env bash
# Benchmark of the memory model: simulated bytes and simulated time per wall-second, and peak memory,
# for `t3vp memtest --pattern sequential` with 1 GiB of traffic, in two configurations:
#   default  the validated fidelity settings (burst granularity, 256 B interleave, 256 B requests)
#   4k-req   the same system and fidelity, 4 KiB requests (a DMA-like stream: fewer transactions per byte)
#   fast     access granularity, 4 KiB interleave and 4 KiB requests (docs/validation.md: accuracy)
# Usage: bench_memtest.sh [t3vp binary] [MiB]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
t3vp="${1:-$root/build/t3vp}"
mib="${2:-1024}"
run() {
  local name="$1"; shift
  local out; out="$(mktemp)"
  "$t3vp" memtest --pattern sequential --set memtest.total_mib="$mib" --json "$out" "$@" > /dev/null
  python3 - "$name" "$out" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path)); h = d["host"]
print(f"{name:8s} {d['bytes']/2**20:.0f} MiB in {d['time_ns']/1e3:.1f} us simulated ({100*d['efficiency']:.1f}% of peak); "
      f"wall {d['wall_s']:.2f} s: {h['sim_bytes_per_wall_s']/1e9:.3f} GB/wall-s, "
      f"{h['sim_ns_per_wall_s']/1e3:.1f} us simulated/wall-s, peak RSS {h['peak_rss_bytes']/2**20:.0f} MiB")
PY
  rm -f "$out"
}
run default
run 4k-req --set memtest.request_bytes=4096
run fast --set hbm.timing_granularity=access --set hbm.interleave_bytes=4096 --set memtest.request_bytes=4096
