#include "platform/platform_config.h"

#include <algorithm>
#include <iterator>
#include "tlm/global_address.h"

namespace t3vp {
namespace {
bool is_pow2(std::uint64_t v) { return v && (v & (v - 1)) == 0; }

void require(bool ok, const std::string& key, const std::string& what) {
  if (!ok) throw config_error("parameter '" + key + "': " + what);
}
}  // namespace

data_mode parse_data_mode(const std::string& s) {
  if (s == "exact") return data_mode::exact;
  if (s == "synthetic") return data_mode::synthetic;
  if (s == "off") return data_mode::off;
  throw config_error("parameter 'data.mode': unknown value '" + s + "'");
}

const char* to_string_data(data_mode m) {
  return m == data_mode::exact ? "exact" : m == data_mode::off ? "off" : "synthetic";
}

platform_config make_platform_config(const config& c) {
  platform_config p;
  auto u = [&](const char* key) { return static_cast<unsigned>(c.get_int(key)); };

  hbm_geometry& g = p.hbm.geometry;
  g.stacks = u("hbm.stacks");
  g.channels_per_stack = u("hbm.channels_per_stack");
  g.pcs_per_channel = u("hbm.pseudo_channels_per_channel");
  g.bank_groups = u("hbm.bank_groups");
  g.banks_per_group = u("hbm.banks_per_group");
  g.row_bytes = u("hbm.row_bytes");
  g.burst_bytes = u("hbm.burst_bytes");
  g.pc_capacity_bytes = std::uint64_t(c.get_int("hbm.pc_capacity_mib")) << 20;
  g.interleave_bytes = u("hbm.interleave_bytes");
  g.pc_hash = c.get_bool("hbm.pc_hash");
  g.bank_hash = c.get_bool("hbm.bank_hash");
  const std::string& m = c.get_string("hbm.mapping");
  g.mapping = m == "ro-co-ba-bg" ? pc_mapping::ro_co_ba_bg : m == "ro-ba-bg-co" ? pc_mapping::ro_ba_bg_co : pc_mapping::ro_ba_co_bg;
  require(is_pow2(g.row_bytes), "hbm.row_bytes", "must be a power of two");
  require(is_pow2(g.bank_groups), "hbm.bank_groups", "must be a power of two");
  require(is_pow2(g.banks_per_group), "hbm.banks_per_group", "must be a power of two");
  require(is_pow2(g.burst_bytes), "hbm.burst_bytes", "must be a power of two");
  require(g.burst_bytes <= g.row_bytes, "hbm.burst_bytes", "must not exceed hbm.row_bytes");
  require(is_pow2(g.interleave_bytes), "hbm.interleave_bytes", "must be a power of two");
  require(g.interleave_bytes >= g.burst_bytes, "hbm.interleave_bytes", "must be at least hbm.burst_bytes");
  require(g.pc_capacity_bytes % (std::uint64_t(g.row_bytes) * g.banks()) == 0, "hbm.pc_capacity_mib",
          "must hold a whole number of rows in every bank");
  require(g.capacity_bytes() <= gpu_control_offset, "hbm.pc_capacity_mib",
          "too large: a GPU's HBM (hbm.stacks x hbm.channels_per_stack x hbm.pseudo_channels_per_channel x "
          "hbm.pc_capacity_mib) must end below its control registers at 0xFF00000000 (1020 GiB) in its 1 TiB window");

  dram_timing& t = p.hbm.timing;
  t.tck_ns = c.get_real("hbm.tck_ns");
  t.burst_cycles = u("hbm.burst_cycles");
  t.cl = u("hbm.cl");
  t.cwl = u("hbm.cwl");
  t.trcd = u("hbm.trcd");
  t.trp = u("hbm.trp");
  t.tras = u("hbm.tras");
  t.trc = u("hbm.trc");
  t.tccd_s = u("hbm.tccd_s");
  t.tccd_l = u("hbm.tccd_l");
  t.trrd_s = u("hbm.trrd_s");
  t.trrd_l = u("hbm.trrd_l");
  t.tfaw = u("hbm.tfaw");
  t.twr = u("hbm.twr");
  t.twtr_s = u("hbm.twtr_s");
  t.twtr_l = u("hbm.twtr_l");
  t.trtp = u("hbm.trtp");
  t.trtw = u("hbm.trtw");
  const std::string& r = c.get_string("hbm.refresh");
  t.refresh = r == "off" ? refresh_mode::off : r == "all-bank" ? refresh_mode::all_bank : refresh_mode::per_bank;
  t.trefi = u("hbm.trefi");
  t.trfc = u("hbm.trfc");
  t.trfc_pb = u("hbm.trfc_pb");
  t.nmc_alu_cycles = u("nmc.alu_cycles");
  t.access_granularity = c.get_string("hbm.timing_granularity") == "access";
  require(t.tccd_s >= t.burst_cycles, "hbm.tccd_s", "must be at least hbm.burst_cycles (one burst per column slot)");
  require(t.trc >= t.tras, "hbm.trc", "must be at least hbm.tras");
  require(t.refresh == refresh_mode::off || t.trefi > (t.refresh == refresh_mode::per_bank ? t.trfc_pb : t.trfc),
          "hbm.trefi", "must exceed the refresh duration");

  p.mc.queue_entries = u("mc.queue_entries");
  p.mc.reorder_window = u("mc.reorder_window");
  p.mc.frontend_latency_ns = c.get_real("mc.frontend_latency_ns");
  p.mc.write_drain_high = u("mc.write_drain_high");
  p.mc.write_drain_low = u("mc.write_drain_low");
  p.mc.write_drain_age_ns = c.get_real("mc.write_drain_age_ns");
  require(p.mc.write_drain_high == 0 || p.mc.write_drain_low < p.mc.write_drain_high, "mc.write_drain_low",
          "must be below mc.write_drain_high (" + std::to_string(p.mc.write_drain_high) + ")");
  p.mc.policy = c.get_string("mc.policy");
  p.mc.mca.threshold_low = u("mc.mca_threshold_low");
  p.mc.mca.threshold_high = u("mc.mca_threshold_high");
  p.mc.mca.intensity_cut = c.get_real("mc.mca_intensity_cut");
  p.mc.mca.window_cycles = std::uint64_t(c.get_real("mc.mca_window_ns") / t.tck_ns + 0.5);
  p.mc.mca.starvation_cycles = std::uint64_t(c.get_real("mc.mca_starvation_ns") / t.tck_ns + 0.5);
  p.mc.mca.peak_bytes_per_cycle = double(g.burst_bytes) / t.burst_cycles;

  p.l2.size_bytes = std::uint64_t(c.get_int("l2.size_kib")) << 10;
  p.l2.ways = u("l2.ways");
  p.l2.line_bytes = u("l2.line_bytes");
  p.l2.slices = u("l2.slices");
  p.l2.clock_ghz = c.get_real("l2.clock_ghz");
  p.l2.slice_bytes_per_cycle = u("l2.slice_bytes_per_cycle");
  p.l2.hit_latency_cycles = u("l2.hit_latency_cycles");
  require(is_pow2(p.l2.line_bytes), "l2.line_bytes", "must be a power of two");
  require(p.l2.size_bytes >= std::uint64_t(p.l2.line_bytes) * p.l2.slices, "l2.size_kib",
          "must hold at least one line per slice");
  require(p.hbm.geometry.capacity_bytes() / p.l2.line_bytes < l2_cache::line_number_limit, "l2.line_bytes",
          "too small for the HBM capacity: the L2 tags hold 32-bit line numbers (at most 2^32 - 1 lines of HBM)");

  p.gpus = u("system.gpus");
  p.topology = c.get_string("system.topology");
  p.symmetric = c.get_bool("system.symmetric");
  p.workload.model = c.get_string("workload.model");
  p.workload.sublayer = c.get_string("workload.sublayer");
  p.workload.tokens = std::uint64_t(c.get_int("workload.tokens"));
  p.workload.tp = p.gpus;
  p.workload.m = std::uint64_t(c.get_int("workload.m"));
  p.workload.n = std::uint64_t(c.get_int("workload.n"));
  p.workload.k = std::uint64_t(c.get_int("workload.k"));
  p.workload.collective = c.get_string("workload.collective");
  p.seed = u("workload.seed");
  for (const char* key : {"workload.m", "workload.n", "workload.k"}) {
    if (p.workload.model == "custom") require(c.get_int(key) > 0, key, "must be set (> 0) when workload.model is custom");
    else  // (silently running the model's shape instead would answer another question)
      require(c.get_int(key) == 0, key,
              "applies only when workload.model is custom (workload.model is '" + p.workload.model +
                  "', whose GEMM shape follows from its hidden size, workload.sublayer, workload.tokens and system.gpus)");
  }
  p.sms.sms = u("gpu.sms");
  p.sms.clock_ghz = c.get_real("gpu.clock_ghz");
  p.sms.flop_per_cycle = u("gpu.flop_per_cycle");
  p.sms.load_bytes = u("gemm.load_bytes");
  p.sms.workgroups_per_sm = u("gpu.workgroups_per_sm");
  p.gemm.tile_m = u("gemm.tile_m");
  p.gemm.tile_n = u("gemm.tile_n");
  p.gemm.k_step = u("gemm.k_step");
  p.gemm.order = c.get_string("gemm.order");
  p.gemm.group_rows = u("gemm.group_rows");
  p.gemm.serpentine = c.get_bool("gemm.serpentine");
  {  // each resident workgroup holds two A and two B fragments (double buffering) and FP32 accumulators
    const std::uint64_t per_workgroup = 2ull * 2 * (std::uint64_t(p.gemm.tile_m) + p.gemm.tile_n) * p.gemm.k_step +
                                        4ull * p.gemm.tile_m * p.gemm.tile_n;
    const std::uint64_t bytes = p.sms.workgroups_per_sm * per_workgroup;
    // Named after the first of the four keys the user raised above its default (else changed at all).
    const char* blamed = "gemm.tile_m";
    if (bytes > (1u << 20)) {
      const config defaults;
      const char* keys[] = {"gemm.tile_m", "gemm.tile_n", "gemm.k_step", "gpu.workgroups_per_sm"};
      const auto raised = std::find_if(std::begin(keys), std::end(keys), [&](const char* k) { return c.get_int(k) > defaults.get_int(k); });
      const auto changed = std::find_if(std::begin(keys), std::end(keys), [&](const char* k) { return !c.is_default(k); });
      blamed = raised != std::end(keys) ? *raised : changed != std::end(keys) ? *changed : blamed;
    }
    require(bytes <= (1u << 20), blamed,
            "gemm.tile_m x gemm.tile_n = " + std::to_string(p.gemm.tile_m) + "x" + std::to_string(p.gemm.tile_n) +
                " with gemm.k_step = " + std::to_string(p.gemm.k_step) + " needs " + std::to_string(per_workgroup) +
                " B per workgroup (two A and two B fragments, FP32 accumulators), x gpu.workgroups_per_sm = " +
                std::to_string(p.sms.workgroups_per_sm) + ": " + std::to_string(bytes) +
                " B of SM storage, more than the 1 MiB an SM holds");
  }

  p.producer = c.get_string("workload.producer");
  p.link.bandwidth_gbps = c.get_real("link.bandwidth_gbps");
  p.link.latency_ns = c.get_real("link.latency_ns");
  p.link.payload_bytes = u("link.packet_payload_bytes");
  p.link.header_bytes = u("link.packet_header_bytes");
  p.link.buffer_bytes = std::uint64_t(c.get_int("link.buffer_bytes"));
  require(p.link.payload_bytes % 16 == 0, "link.packet_payload_bytes", "must be a multiple of 16");
  require(p.link.buffer_bytes >= p.link.payload_bytes + p.link.header_bytes, "link.buffer_bytes",
          std::to_string(p.link.buffer_bytes) + " B is smaller than one packet (" +
              std::to_string(p.link.payload_bytes + p.link.header_bytes) +
              " B = link.packet_payload_bytes + link.packet_header_bytes): no packet could ever be sent");
  p.collective.sms = u("collective.sms");
  p.collective.slice_bytes = u("collective.slice_bytes");
  p.collective.add_elems_per_cycle = u("collective.add_elems_per_cycle");
  p.collective.final_reduce_whole_chunk = c.get_string("collective.final_reduce") == "whole-chunk";
  p.collective.clock_ghz = p.sms.clock_ghz;
  require(p.collective.slice_bytes % 256 == 0, "collective.slice_bytes", "must be a multiple of 256");
  p.collective.sms = std::min(p.collective.sms, p.sms.sms);  // a kernel cannot use more SMs than the GPU has

  p.tracker.entries = u("tracker.entries");
  p.tracker.lookup_ns = c.get_real("tracker.lookup_ns");
  p.tracker.spill_penalty_ns = c.get_real("tracker.spill_penalty_ns");
  p.tracker.tck_ns = t.tck_ns;
  p.dma.engines = u("dma.engines");
  p.dma.queue_depth = u("dma.queue_depth");

  p.quantum_ns = c.get_real("sim.quantum_ns");
  p.data = parse_data_mode(c.get_string("data.mode"));

  memtest_config& mt = p.memtest;
  mt.initiators = u("memtest.initiators");
  mt.request_bytes = u("memtest.request_bytes");
  mt.random_request_bytes = u("memtest.random_request_bytes");
  mt.outstanding = u("memtest.outstanding");
  mt.seed = u("memtest.seed");
  mt.total_bytes = std::uint64_t(c.get_int("memtest.total_mib")) << 20;
  require(mt.request_bytes % g.burst_bytes == 0, "memtest.request_bytes", "must be a multiple of hbm.burst_bytes");
  require(mt.random_request_bytes % g.burst_bytes == 0, "memtest.random_request_bytes",
          "must be a multiple of hbm.burst_bytes");
  require(mt.total_bytes <= g.capacity_bytes(), "memtest.total_mib", "exceeds the HBM capacity");
  return p;
}

}  // namespace t3vp
