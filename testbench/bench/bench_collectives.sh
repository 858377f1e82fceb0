#!/usr/bin/env bash
# Ring collectives against the analytic model, and the speed of the default sequential sublayer.
#  1. reduce-scatter alone (workload.producer=none), p in {4, 8, 16}, S in {6, 24, 96, 192} MiB per GPU,
#     default link: simulated time vs (p-1) a + (p-1)/p S/B (docs/blocks/collective_engine.md)
#  2. the default sublayer (T-NLG FC-2, TP 8, 8192 tokens, synthetic data) in sequential mode:
#     wall time and peak memory (target: under 30 s and 4 GB)
# Usage: bench_collectives.sh [t3vp binary] [--grid-only | --default-only]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
t3vp="${1:-$root/build/t3vp}"
what="${2:-all}"
if [[ "$what" != "--default-only" ]]; then
  echo "| p | S (MiB) | simulated (us) | alpha-beta (us) | error | a (ns) | link payload per GPU / ((p-1)/p S) | wall (s) |"
  echo "|---|---|---|---|---|---|---|---|"
  for p in 4 8 16; do
    for shape in "1024 3072" "4096 3072" "8192 6144" "8192 12288"; do
      set -- $shape
      out="$(mktemp)"
      "$t3vp" run --set workload.producer=none --set workload.collective=reduce-scatter --set data.mode=off \
        --set workload.model=custom --set workload.m=$1 --set workload.n=$2 --set workload.k=64 \
        --set system.gpus=$p --json "$out" > /dev/null
      python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["config"]
p = c["system"]["gpus"]
S = d["workload"]["collective_bytes_per_gpu"]
l, h, col = c["link"], c["hbm"], c["collective"]
B = l["bandwidth_gbps"] * l["packet_payload_bytes"] / (l["packet_payload_bytes"] + l["packet_header_bytes"])
peak = h["stacks"] * h["channels_per_stack"] * h["pseudo_channels_per_channel"] * h["burst_bytes"] / (h["burst_cycles"] * h["tck_ns"])
a = l["latency_ns"] + 2 * col["sms"] * col["slice_bytes"] / peak + col["slice_bytes"] / 2 / (col["add_elems_per_cycle"] * c["gpu"]["clock_ghz"]) + c["mc"]["frontend_latency_ns"]
model = (p - 1) * a + (p - 1) / p * S / B
t = d["time_ns"]["reduce_scatter"]
link = [g["link_sent"]["payload_bytes_reduce_scatter"] / ((p - 1) / p * S) for g in d["per_gpu"]]
print(f"| {p} | {S / 2**20:.0f} | {t / 1e3:.1f} | {model / 1e3:.1f} | {(t / model - 1) * 100:+.2f}% | {a:.0f} | "
      f"{min(link):.4f}..{max(link):.4f} | {d['wall_s']:.1f} |")
PY
      rm -f "$out"
    done
  done
fi
if [[ "$what" != "--grid-only" ]]; then
  out="$(mktemp)"
  "$t3vp" run --json "$out" > /dev/null
  python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["time_ns"]
print(f"default sequential all-reduce sublayer (T-NLG FC-2, TP 8, 8192 tokens, synthetic data): "
      f"total {t['total'] / 1e3:.1f} us simulated (gemm {t['gemm'] / 1e3:.1f}, reduce-scatter {t['reduce_scatter'] / 1e3:.1f}, "
      f"all-gather {t['all_gather'] / 1e3:.1f}); {d['functional']['checked_elements']} elements checked, "
      f"{d['functional']['mismatches']} mismatches; wall {d['wall_s']:.1f} s "
      f"({d['host']['sim_ns_per_wall_s'] / 1e3:.1f} us simulated per wall-s); peak RSS {d['host']['peak_rss_bytes'] / 2**20:.0f} MiB")
PY
  rm -f "$out"
fi
