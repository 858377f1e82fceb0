#include "platform/run.h"

#include <chrono>
#include <cstdio>
#include <sstream>
#include <nlohmann/json.hpp>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "models/sm/gemm_math.h"
#include "platform/node_system.h"
#include "platform/platform_config.h"
#include "platform/results.h"
#include "workloads/workgroup_order.h"

namespace t3vp {
namespace {

const std::vector<std::string> known_modes = {"sequential", "t3", "t3-mca", "ideal-overlap", "ideal-rs-nmc"};

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

// Seeds of the two operands of GPU g (distinct per GPU and operand).
std::uint64_t operand_seed(std::uint32_t seed, unsigned g, char which) {
  return mix64((std::uint64_t(seed) << 20) ^ (std::uint64_t(g) << 8) ^ std::uint64_t(which));
}

// The operand in the packed layout the kernel reads (gemm_kernel.h): fragments, zero padded.
std::vector<std::uint8_t> pack_a(const gemm_kernel& k, std::uint64_t seed) {
  std::vector<std::uint8_t> out(k.a_packed_bytes(), 0);
  auto* p = reinterpret_cast<std::uint16_t*>(out.data());
  for (std::uint32_t i = 0; i < k.tiles_m(); ++i)
    for (std::uint32_t s = 0; s < k.k_steps(); ++s) {
      const std::uint64_t r0 = std::uint64_t(i) * k.tile_m, c0 = std::uint64_t(s) * k.k_step;
      const std::size_t rows = std::min<std::uint64_t>(k.tile_m, k.m - r0), cols = std::min<std::uint64_t>(k.k_step, k.k - c0);
      fill_inputs_tile(seed, r0, c0, rows, cols, p + (k.a_fragment(i, s) - k.a) / 2, k.k_step);
    }
  return out;
}

std::vector<std::uint8_t> pack_b(const gemm_kernel& k, std::uint64_t seed) {
  std::vector<std::uint8_t> out(k.b_packed_bytes(), 0);
  auto* p = reinterpret_cast<std::uint16_t*>(out.data());
  for (std::uint32_t s = 0; s < k.k_steps(); ++s)
    for (std::uint32_t j = 0; j < k.tiles_n(); ++j) {
      const std::uint64_t r0 = std::uint64_t(s) * k.k_step, c0 = std::uint64_t(j) * k.tile_n;
      const std::size_t rows = std::min<std::uint64_t>(k.k_step, k.k - r0), cols = std::min<std::uint64_t>(k.tile_n, k.n - c0);
      fill_inputs_tile(seed, r0, c0, rows, cols, p + (k.b_fragment(s, j) - k.b) / 2, k.tile_n);
    }
  return out;
}

// The expected C of GPU g: FP16 GEMM with FP32 accumulation in increasing k (exact), or the
// synthetic partials. Computed row band by row band to bound memory.
struct check_result {
  std::uint64_t checked = 0, mismatches = 0;
};

check_result check_output(gpu_node& node, const gemm_kernel& k, std::uint64_t seed_a, std::uint64_t seed_b) {
  check_result r;
  if (k.data == kernel_data::off) return r;
  std::vector<std::uint16_t> got(k.n), want(k.n), b;
  std::vector<std::uint16_t> arow(k.k);
  std::vector<float> acc(k.n);
  if (k.data == kernel_data::exact) {
    b.resize(std::size_t(k.k) * k.n);
    fill_inputs(seed_b, k.k, k.n, b.data(), k.n);
  }
  for (std::uint64_t row = 0; row < k.m; ++row) {
    node.hbm.storage()->read(k.c + row * k.ldc * 2, reinterpret_cast<std::uint8_t*>(got.data()), std::uint64_t(k.n) * 2);
    if (k.data == kernel_data::exact) {
      fill_inputs_tile(seed_a, row, 0, 1, k.k, arow.data(), k.k);
      std::fill(acc.begin(), acc.end(), 0.0f);
      gemm_tile_fp16_accumulate(arow.data(), k.k, b.data(), k.n, acc.data(), k.n, 1, k.n, k.k);
      round_tile(acc.data(), k.n, want.data(), k.n, 1, k.n);
    } else {
      fill_synthetic_partials(unsigned(k.gpu), row, 0, 1, k.n, want.data(), k.n);
    }
    for (std::uint32_t c = 0; c < k.n; ++c) r.mismatches += got[c] != want[c];
    r.checked += k.n;
  }
  return r;
}

}  // namespace

run_result run_sublayer(const config& cfg, const std::string& mode) {
  if (std::find(known_modes.begin(), known_modes.end(), mode) == known_modes.end())
    throw config_error("--mode: unknown mode '" + mode + "' (sequential, t3, t3-mca, ideal-overlap, ideal-rs-nmc)");
  const platform_config pc = make_platform_config(cfg);
  workload wl;
  try {
    wl = resolve_workload(pc.workload);
  } catch (const std::invalid_argument& e) {
    throw config_error(std::string("workload: ") + e.what());
  }
  if (wl.collective.kind != collective_kind::none)
    throw config_error("parameter 'workload.collective': '" + pc.workload.collective +
                       "' is not modelled yet (GPU-to-GPU links and collectives come next); use none to run the "
                       "producer GEMM alone");
  const auto wall0 = std::chrono::steady_clock::now();
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(pc.quantum_ns, sc_core::SC_NS));
  auto top = std::make_unique<node_system>("system", pc);

  const dispatch_kind order = pc.gemm.order == "column-major" ? dispatch_kind::column_major
                              : pc.gemm.order == "t3-stage"   ? dispatch_kind::t3_stage
                                                              : dispatch_kind::row_major;
  std::vector<kernel_job> jobs;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seeds;
  for (unsigned g = 0; g < pc.gpus; ++g) {
    const gemm_shape s = wl.gemm_for_device(g);
    kernel_job j;
    j.gpu = g;
    gemm_kernel& k = j.kernel;
    k.m = std::uint32_t(s.m);
    k.n = std::uint32_t(s.n);
    k.k = std::uint32_t(s.k);
    k.ldc = k.n;
    k.tile_m = pc.gemm.tile_m;
    k.tile_n = pc.gemm.tile_n;
    k.k_step = pc.gemm.k_step;
    k.data = pc.data == data_mode::exact ? kernel_data::exact : pc.data == data_mode::off ? kernel_data::off : kernel_data::synthetic;
    k.gpu = std::int32_t(g);
    k.seed = pc.seed;
    k.a = 0;
    k.b = align_up(k.a_packed_bytes(), 4096);
    k.c = align_up(k.b + k.b_packed_bytes(), 4096);
    if (k.c + k.c_bytes() > pc.hbm.geometry.capacity_bytes())
      throw config_error("workload: the operands of GPU " + std::to_string(g) + " (" +
                         std::to_string((k.c + k.c_bytes()) >> 20) + " MiB) do not fit in its HBM");
    j.order = order;
    j.devices = pc.gpus;
    j.rank = g;
    const std::uint64_t sa = operand_seed(pc.seed, g, 'A'), sb = operand_seed(pc.seed, g, 'B');
    seeds.push_back({sa, sb});
    if (k.data == kernel_data::exact) {
      j.a_packed = pack_a(k, sa);
      j.b_packed = pack_b(k, sb);
    }
    jobs.push_back(std::move(j));
  }
  top->cpu.set_jobs(jobs);
  sc_core::sc_start();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

  // Results.
  double gemm_ns = 0;
  bool kernel_ok = true;
  std::uint64_t checked = 0, mismatches = 0;
  std::uint64_t l2_hits = 0, l2_misses = 0;
  std::uint64_t gemm_read = 0, gemm_write = 0;
  for (unsigned g = 0; g < pc.gpus; ++g) {
    const kernel_outcome& o = top->cpu.outcomes()[g];
    kernel_ok &= o.status == std::uint64_t(cp_status::done);
    gemm_ns = std::max(gemm_ns, double(o.kernel_time_ps) / 1e3);
    gpu_node& n = *top->gpu[g];
    gemm_read += n.bytes(traffic_phase::gemm, mem_op::read);
    gemm_write += n.bytes(traffic_phase::gemm, mem_op::write);
    l2_hits += n.l2->hits();
    l2_misses += n.l2->misses();
    if (o.status == std::uint64_t(cp_status::done)) {
      const check_result c = check_output(n, jobs[g].kernel, seeds[g].first, seeds[g].second);
      checked += c.checked;
      mismatches += c.mismatches;
    }
  }
  const double flops = wl.gemm.flops();
  const double tflops = gemm_ns > 0 ? flops / (gemm_ns * 1e-9) / 1e12 : 0;
  const double peak_tflops = pc.sms.sms * double(pc.sms.flop_per_cycle) * pc.sms.clock_ghz * 1e9 / 1e12;

  run_result r;
  r.functional_ok = kernel_ok && mismatches == 0;
  nlohmann::ordered_json doc;
  doc["mode"] = mode;
  doc["config"] = nlohmann::ordered_json::parse(cfg.to_json(-1));
  doc["workload"] = {{"model", wl.model ? wl.model->name : "custom"}, {"sublayer", to_string(wl.sublayer)},
                     {"tp", pc.gpus}, {"gemm", {{"m", wl.gemm.m}, {"n", wl.gemm.n}, {"k", wl.gemm.k}}},
                     {"collective", to_string(wl.collective.kind)}};
  doc["time_ns"] = {{"total", gemm_ns}, {"gemm", gemm_ns}, {"reduce_scatter", 0.0}, {"all_gather", 0.0}};
  doc["dram_bytes"] = {{"gemm_read", gemm_read}, {"gemm_write", gemm_write}, {"rs_read", 0}, {"rs_write", 0},
                       {"rs_update", 0},         {"ag_read", 0},           {"ag_write", 0},
                       {"total", gemm_read + gemm_write}};
  doc["link_bytes"] = 0;
  doc["gemm"] = {{"tflops_per_gpu", tflops}, {"peak_tflops_per_gpu", peak_tflops},
                 {"roofline_ns", flops / (peak_tflops * 1e12) * 1e9},
                 {"l2_hit_rate", l2_hits + l2_misses ? double(l2_hits) / double(l2_hits + l2_misses) : 0.0}};
  doc["functional"] = {{"mode", to_string_data(pc.data)}, {"checked_elements", checked}, {"mismatches", mismatches},
                       {"kernels_ok", kernel_ok}};
  doc["wall_s"] = wall;
  doc["host"] = {{"sim_ns_per_wall_s", wall > 0 ? gemm_ns / wall : 0.0}, {"peak_rss_bytes", peak_rss_bytes()}};
  const auto records = collect_stats();
  doc["stats"] = stats_to_json(records);
  r.stats_table = format_stats_table(records);
  r.json = doc.dump(2);

  std::ostringstream os;
  char line[512];
  std::snprintf(line, sizeof line,
                "%s %s TP%u: GEMM %llux%llux%llu per GPU, %s data\n"
                "  gemm %.1f us (roofline %.1f us): %.1f TFLOP/s per GPU of %.1f peak, L2 hit rate %.3f\n"
                "  DRAM: gemm_read %.1f MiB, gemm_write %.1f MiB (all GPUs)\n"
                "  functional: %llu elements checked, %llu mismatches%s\n"
                "  wall %.2f s, peak RSS %.0f MiB\n",
                wl.model ? wl.model->name.c_str() : "custom", to_string(wl.sublayer), pc.gpus,
                (unsigned long long)wl.gemm.m, (unsigned long long)wl.gemm.n, (unsigned long long)wl.gemm.k,
                to_string_data(pc.data), gemm_ns / 1e3, flops / (peak_tflops * 1e12) * 1e6, tflops, peak_tflops,
                l2_hits + l2_misses ? double(l2_hits) / double(l2_hits + l2_misses) : 0.0, gemm_read / 1048576.0,
                gemm_write / 1048576.0, (unsigned long long)checked, (unsigned long long)mismatches,
                kernel_ok ? "" : " (a kernel was rejected)", wall, peak_rss_bytes() / 1048576.0);
  r.table = os.str() + line;
  return r;
}

}  // namespace t3vp
