// Every parameter of t3vp: key, type, default, unit, range, description. `t3vp params` prints this
// table and docs/configuration.md explains the groups. Defaults are the paper's system
// (shared/reference/t3.md section 3); values marked (assumed) are ours, not published.
#include "platform/config.h"

namespace t3vp {
namespace {
param_def integer(const char* key, long long def, const char* unit, long long lo, long long hi, const char* desc) {
  return {key, param_type::integer, std::to_string(def), unit, double(lo), double(hi), {}, desc};
}
param_def real(const char* key, const char* def, const char* unit, double lo, double hi, const char* desc) {
  return {key, param_type::real, def, unit, lo, hi, {}, desc};
}
param_def boolean(const char* key, bool def, const char* desc) {
  return {key, param_type::boolean, def ? "true" : "false", "", 0, 1, {}, desc};
}
param_def choice(const char* key, const char* def, std::vector<std::string> choices, const char* desc) {
  return {key, param_type::string, def, "", 0, 0, std::move(choices), desc};
}
}  // namespace

std::vector<param_def> build_parameter_schema() {
  return {
      // --- simulation ---
      real("sim.quantum_ns", "20", "ns", 1, 500,
           "global quantum of temporal decoupling: how far an initiator may run ahead of SystemC time (the "
           "ordering error grows with it: validated up to 500 ns, docs/validation.md section 3)"),
      choice("sim.log_level", "warning", {"error", "warning", "info", "debug", "trace"}, "log verbosity"),
      choice("data.mode", "synthetic", {"exact", "synthetic", "off"},
             "payload data of t3vp run: exact = real FP16 GEMM, synthetic = cheap deterministic partials, "
             "off = timing only (no storage)"),

      // --- system and workload (the contract's keys) ---
      integer("system.gpus", 8, "GPUs", 1, 64, "GPUs in the node (the tensor-parallel degree)"),
      choice("system.topology", "ring", {"ring", "fully-connected"},
             "GPU-to-GPU link topology: ring (each GPU linked to g-1 and g+1, both directions) or fully-connected "
             "(a link between every pair)"),
      boolean("system.symmetric", false,
              "symmetric execution (the paper's method): simulate GPU 0 only; what it sends to GPU N-1 comes back "
              "as GPU 1's traffic, its chunk rotated by one. Ring, data.mode=off, equal chunks of whole tile rows; "
              "DRAM and link bytes are GPU 0's times N"),
      choice("workload.model", "t-nlg", {"mega-gpt-2", "t-nlg", "gpt-3", "palm", "mt-nlg", "custom"},
             "model whose sublayer runs (custom: workload.m/n/k)"),
      choice("workload.sublayer", "fc2", {"op", "fc2", "fc1", "ip"},
             "sublayer: op (attention output projection), fc2 (second MLP linear), fc1 and ip (backward input gradients)"),
      integer("workload.tokens", 8192, "tokens", 1, 1 << 20, "tokens per GEMM (T, the rows of the output)"),
      integer("workload.m", 0, "elements", 0, 1ll << 31, "custom GEMM rows (workload.model=custom)"),
      integer("workload.n", 0, "elements", 0, 1ll << 31, "custom GEMM columns (workload.model=custom)"),
      integer("workload.k", 0, "elements", 0, 1ll << 31, "custom GEMM inner dimension per device (workload.model=custom)"),
      choice("workload.collective", "all-reduce", {"all-reduce", "reduce-scatter", "all-gather", "none"},
             "collective after the GEMM (none: the producer GEMM alone)"),
      choice("workload.producer", "gemm", {"gemm", "none"},
             "what produces the tensor the collective reduces: gemm (the sublayer's GEMM) or none (the collective "
             "alone on an M x N FP16 tensor preloaded in memory, for microbenchmarks)"),
      integer("workload.seed", 1, "", 0, 0x7fffffff, "seed of the deterministic inputs (data.mode=exact)"),

      // --- GPU compute ---
      integer("gpu.sms", 80, "SMs", 1, 1024, "streaming multiprocessors (compute units) per GPU"),
      real("gpu.clock_ghz", "1.4", "GHz", 0.1, 10, "SM clock"),
      integer("gpu.flop_per_cycle", 1024, "FLOP/cycle", 1, 1 << 20, "FP16 matrix FLOP per cycle per SM (assumed)"),
      integer("gpu.workgroups_per_sm", 1, "workgroups", 1, 16,
              "resident workgroups per SM: they share its matrix units, each with its own operand buffers"),
      integer("gemm.load_bytes", 0, "B", 0, 1 << 20,
              "largest operand load request: 0 loads a whole k-step fragment at once (fast); the L2 line size "
              "(e.g. 128) loads line by line (finer)"),
      integer("gemm.tile_m", 128, "elements", 1, 1024, "workgroup output tile rows"),
      integer("gemm.tile_n", 128, "elements", 1, 1024, "workgroup output tile columns"),
      integer("gemm.k_step", 32, "elements", 1, 1024, "inner-dimension elements loaded and computed per step"),
      choice("gemm.order", "grouped", {"row-major", "column-major", "t3-stage", "grouped"},
             "workgroup dispatch order (grouped: bands of gemm.group_rows tile rows, column by column; t3-stage: GPU g "
             "produces chunk (g+s) mod N at stage s; the T3 modes always use t3-stage)"),
      integer("gemm.group_rows", 8, "tile rows", 0, 1 << 20,
              "tile rows per band of the grouped order and within a T3 stage (0: row-major), for L2 reuse of the "
              "operands"),
      boolean("gemm.serpentine", true,
              "grouped and T3 stage orders: every second band runs its columns right to left, so that it starts on "
              "the B columns still in the L2 (matters when B exceeds the L2, e.g. thin T3 chunks at TP 32)"),

      // --- GPU-to-GPU links and NICs ---
      real("link.bandwidth_gbps", "75", "GB/s", 0.001, 1e6,
           "bandwidth of one link direction on the wire (headers included); the paper's 150 GB/s bidirectional"),
      real("link.latency_ns", "500", "ns", 0, 1e9, "one-way latency of a link: tail of a packet sent to tail received"),
      integer("link.packet_payload_bytes", 256, "B", 16, 1 << 20, "data bytes per packet; a multiple of 16"),
      integer("link.packet_header_bytes", 16, "B", 0, 4096, "header bytes per packet (routing, address, op, CRC)"),
      integer("link.buffer_bytes", 131072, "B", 1, 1ll << 32,
              "receive buffer per link direction, counted by the sender in bytes (credits): a packet holds its "
              "payload + header from its start until one link latency after the receiver has handed it to its "
              "memory controllers (or sent it on). Must hold at least one full packet; at least bandwidth x round trip (link.bandwidth_gbps x 2 x "
              "link.latency_ns: ~80 KB at the defaults) to never stall"),

      // --- collective kernels (baseline ring reduce-scatter / all-gather on SMs) ---
      integer("collective.sms", 16, "SMs", 1, 1024,
              "SMs the ring collective kernels run on (at most gpu.sms; each moves slices of the step's chunk)"),
      integer("collective.slice_bytes", 16384, "B", 256, 1 << 24,
              "bytes one SM reads, adds and sends as a unit; a multiple of 256"),
      integer("collective.add_elems_per_cycle", 128, "elements/cycle", 1, 1 << 16,
              "FP16 additions per cycle per SM (vector ALUs) in the reduce-scatter kernel"),
      choice("collective.final_reduce", "streamed", {"streamed", "whole-chunk"},
             "last reduce-scatter step: streamed reduces each slice as soon as it has landed (RCCL's slice "
             "pipeline); whole-chunk waits for the whole chunk, like the forwarding steps, leaving the final "
             "reduction exposed (a baseline kernel the paper does not describe; docs/validation.md section 9)"),

      // --- T3: tracker and DMA engine ---
      integer("tracker.entries", 256, "entries", 1, 1 << 20,
              "tiles the track-and-trigger table holds at once; more spill to memory (slower trigger, never a stall)"),
      real("tracker.lookup_ns", "2", "ns", 0, 1e6, "table lookup and count update after an update is queued (assumed)"),
      real("tracker.spill_penalty_ns", "100", "ns", 0, 1e6,
           "extra trigger delay of a tile tracked in the spill area (a memory round trip, assumed)"),
      integer("dma.engines", 4, "engines", 1, 1024, "DMA transfers (tiles) in flight at once per GPU"),
      integer("dma.queue_depth", 64, "descriptors", 1, 1 << 20,
              "ready descriptors the DMA engine queues; a full queue leaves triggered tiles waiting in the tracker"),

      // --- HBM geometry ---
      integer("hbm.stacks", 4, "stacks", 1, 16, "HBM stacks per GPU"),
      integer("hbm.channels_per_stack", 8, "channels", 1, 32, "channels per stack"),
      integer("hbm.pseudo_channels_per_channel", 2, "pseudo-channels", 1, 4,
              "pseudo-channels per channel; each has its own memory controller"),
      integer("hbm.bank_groups", 4, "bank groups", 1, 8, "bank groups per pseudo-channel"),
      integer("hbm.banks_per_group", 4, "banks", 1, 8, "banks per bank group"),
      integer("hbm.row_bytes", 1024, "B", 128, 16384, "row (page) size per bank; a power of two"),
      integer("hbm.burst_bytes", 32, "B", 16, 256, "bytes per burst (64-bit pseudo-channel, BL4); a power of two"),
      integer("hbm.pc_capacity_mib", 512, "MiB", 1, 65536, "capacity of one pseudo-channel"),
      integer("hbm.interleave_bytes", 256, "B", 16, 1 << 20,
              "consecutive bytes mapped to one pseudo-channel before moving to the next; a power of two"),
      boolean("hbm.pc_hash", true,
              "XOR higher address bits into the pseudo-channel index (avoids channel camping); only with a "
              "power-of-two number of pseudo-channels"),
      boolean("hbm.bank_hash", true,
              "XOR a multiplicative hash of the row into the bank and bank-group index (spreads aligned streams)"),
      choice("hbm.mapping", "ro-ba-co-bg", {"ro-ba-co-bg", "ro-co-ba-bg", "ro-ba-bg-co"},
             "order of the pseudo-channel-local address fields, most significant first (row, bank, column, bank group)"),

      // --- HBM timing (HBM2, Ramulator2/DRAMSys configurations) ---
      real("hbm.tck_ns", "1.0", "ns", 0.1, 10,
           "memory clock period: every DRAM timing in tCK scales with it, and it sets the HBM peak (1024 GB/s "
           "at 1.0 ns with the default geometry; memtest reports peak_gbps)"),
      integer("hbm.burst_cycles", 2, "tCK", 1, 16, "data-bus cycles per burst (BL4 at double data rate)"),
      integer("hbm.cl", 14, "tCK", 1, 100, "read latency: RD command to first data"),
      integer("hbm.cwl", 4, "tCK", 1, 100, "write latency: WR command to first data (assumed)"),
      integer("hbm.trcd", 14, "tCK", 1, 100, "ACT to RD/WR, same bank"),
      integer("hbm.trp", 14, "tCK", 1, 100, "PRE to ACT, same bank"),
      integer("hbm.tras", 34, "tCK", 1, 200, "ACT to PRE, same bank"),
      integer("hbm.trc", 48, "tCK", 1, 300, "ACT to ACT, same bank"),
      integer("hbm.tccd_s", 2, "tCK", 1, 32, "column to column, different bank group"),
      integer("hbm.tccd_l", 4, "tCK", 1, 32, "column to column, same bank group"),
      integer("hbm.trrd_s", 4, "tCK", 1, 32, "ACT to ACT, different bank group"),
      integer("hbm.trrd_l", 6, "tCK", 1, 32, "ACT to ACT, same bank group"),
      integer("hbm.tfaw", 16, "tCK", 1, 32, "window in which at most four ACTs may issue"),
      integer("hbm.twr", 16, "tCK", 1, 100, "write recovery: end of write data to PRE"),
      integer("hbm.twtr_s", 6, "tCK", 1, 100, "end of write data to RD, different bank group"),
      integer("hbm.twtr_l", 8, "tCK", 1, 100,
              "end of write data to RD, same bank group; used by the cycle-level reference only (the LT model "
              "applies hbm.twtr_s to every read, docs/blocks/hbm.md)"),
      integer("hbm.trtp", 5, "tCK", 1, 100, "RD to PRE, same bank"),
      integer("hbm.trtw", 3, "tCK", 0, 100, "bus turnaround between read data and following write data (assumed)"),
      choice("hbm.timing_granularity", "burst", {"burst", "access"},
             "LT timing granularity: burst places every burst on its own (validated default); access places each "
             "access's bursts as one block on the data bus (2-6x faster, up to ~17% lower bandwidth)"),
      choice("hbm.refresh", "per-bank", {"off", "all-bank", "per-bank"},
             "refresh mode: per-bank refreshes one bank at a time, all-bank blocks the pseudo-channel"),
      integer("hbm.trefi", 3900, "tCK", 100, 1000000, "refresh interval (per bank in per-bank mode)"),
      integer("hbm.trfc", 350, "tCK", 1, 10000, "all-bank refresh duration"),
      integer("hbm.trfc_pb", 160, "tCK", 1, 10000, "per-bank refresh duration (assumed)"),

      // --- near-memory adder ---
      integer("nmc.alu_cycles", 1, "tCK", 0, 64,
              "adder latency; an update occupies its bank group for 2*tCCD_L + this (the in-bank read-modify-write)"),

      // --- memory controller ---
      integer("mc.queue_entries", 64, "requests", 1, 4096, "request queue per pseudo-channel, shared by both traffic classes"),
      choice("mc.policy", "fr-fcfs", {"fr-fcfs", "fcfs", "mca"},
             "arbitration policy: fr-fcfs lets ready requests overtake older ones within the reorder window "
             "(first-ready); fcfs serves strictly in arrival order; mca is T3's (FR-FCFS plus communication held "
             "back while the producer's queue is busy; --mode t3-mca selects it)"),
      integer("mc.mca_threshold_low", 4, "requests", 1, 4096,
              "MCA: communication issues only while fewer compute requests are queued, for a memory-intensive "
              "producer (assumed)"),
      integer("mc.mca_threshold_high", 64, "requests", 1, 4096,
              "MCA: the same threshold for a compute-intensive producer; the default, the whole queue, leaves a "
              "compute-bound producer's communication unthrottled (assumed)"),
      real("mc.mca_intensity_cut", "0.5", "ratio", 0, 1,
           "MCA: the producer is memory-intensive when its first-window bytes exceed this fraction of the "
           "pseudo-channel's peak (assumed)"),
      real("mc.mca_window_ns", "10000", "ns", 1, 1e9,
           "MCA: the window, from the producer's first request, in which its memory intensity is measured (its "
           "first stage; assumed)"),
      real("mc.mca_starvation_ns", "2000", "ns", 0, 1e9,
           "MCA: a communication request is never held back longer than this (starvation limit; assumed)"),
      integer("mc.reorder_window", 64, "requests", 1, 4096,
              "how many older requests a ready request may overtake (the FR-FCFS reorder window)"),
      integer("mc.write_drain_high", 16, "requests", 0, 4096,
              "posted writes: a write is acknowledged when queued and waits until this many wait, then they go to "
              "DRAM as one batch (one bus turnaround); 0 places each write on arrival. Not with mc.policy=fcfs"),
      integer("mc.write_drain_low", 0, "requests", 0, 4095,
              "posted writes left waiting after a batch; below mc.write_drain_high"),
      real("mc.write_drain_age_ns", "400", "ns", 0, 1e6,
           "posted writes: once the first waiting write has waited this long, all waiting writes go to DRAM "
           "from that moment; 0: no age limit"),
      real("mc.frontend_latency_ns", "10", "ns", 0, 1000,
           "fixed controller pipeline latency added to every request (decode, queue insertion, PHY)"),

      // --- L2 ---
      integer("l2.size_kib", 16384, "KiB", 64, 1 << 20, "total L2 capacity per GPU"),
      integer("l2.ways", 16, "ways", 1, 64, "associativity"),
      integer("l2.line_bytes", 128, "B", 32, 65536, "line size; larger lines trade fidelity for speed"),
      integer("l2.slices", 32, "slices", 1, 256, "address-interleaved slices, each with its own bandwidth"),
      real("l2.clock_ghz", "1.4", "GHz", 0.1, 10, "L2 clock"),
      integer("l2.slice_bytes_per_cycle", 64, "B/cycle", 1, 1024, "data bandwidth of one slice"),
      integer("l2.hit_latency_cycles", 120, "cycles", 1, 10000, "load-to-use latency of a hit, in L2 clock cycles"),

      // --- memtest ---
      integer("memtest.initiators", 64, "initiators", 1, 1024, "traffic generators running in parallel"),
      integer("memtest.request_bytes", 256, "B", 32, 65536,
              "bytes per request of the sequential and gemm-mix patterns (a multiple of hbm.burst_bytes)"),
      integer("memtest.random_request_bytes", 64, "B", 32, 65536,
              "bytes per request of the random pattern (a multiple of hbm.burst_bytes)"),
      integer("memtest.outstanding", 32, "requests", 1, 1024, "requests in flight per initiator"),
      integer("memtest.total_mib", 256, "MiB", 1, 1 << 20, "traffic moved by one memtest run"),
      integer("memtest.seed", 1, "", 0, 0x7fffffff, "seed of the random pattern"),
  };
}

}  // namespace t3vp
