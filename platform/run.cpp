#include "platform/run.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "models/sm/gemm_math.h"
#include "platform/node_system.h"
#include "platform/platform_config.h"
#include "platform/progress.h"
#include "platform/results.h"
#include "testbench/reference/gemm_golden.h"
#include "tlm/trace.h"
#include "testbench/reference/ring_golden.h"
#include "workloads/t3_runtime.h"
#include "workloads/workgroup_order.h"

namespace t3vp {
namespace {

const std::vector<std::string> known_modes = {"sequential", "t3", "t3-mca", "ideal-overlap", "ideal-rs-nmc"};

template <typename T>
T align_up(T v, T a) {
  return (v + a - 1) / a * a;
}

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

// The partial (producer output) rows of every GPU: exact GEMM results by the testbench golden, or the
// synthetic partials (also the preloaded tensor of workload.producer=none).
class partial_source {
 public:
  partial_source(const std::vector<kernel_job>& gemms, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& seeds,
                 unsigned gpus, std::uint64_t cols, bool exact)
      : gemms_(gemms), seeds_(seeds), cols_(cols), exact_(exact), rows_(gpus, std::vector<std::uint16_t>(cols)),
        ptrs_(gpus) {
    for (unsigned g = 0; g < gpus; ++g) ptrs_[g] = rows_[g].data();
    if (exact_)
      for (unsigned g = 0; g < gpus; ++g) {
        const gemm_kernel& k = gemms_[g].kernel;
        b_.emplace_back(std::size_t(k.k) * k.n);
        fill_inputs(seeds_[g].second, k.k, k.n, b_.back().data(), k.n);
      }
  }
  // Row `row` of GPU g's partial.
  const std::uint16_t* row(unsigned g, std::uint64_t row) {
    if (!exact_) {
      fill_synthetic_partials(g, row, 0, 1, cols_, rows_[g].data(), cols_);
    } else {
      const gemm_kernel& k = gemms_[g].kernel;
      std::vector<std::uint16_t> arow(k.k);
      fill_inputs_tile(seeds_[g].first, row, 0, 1, k.k, arow.data(), k.k);
      golden::gemm_fp16(arow.data(), k.k, b_[g].data(), k.n, rows_[g].data(), k.n, 1, k.n, k.k);
    }
    return rows_[g].data();
  }
  // Every GPU's row `row` (pointers valid until the next call).
  const std::uint16_t* const* all(std::uint64_t r) {
    for (unsigned g = 0; g < rows_.size(); ++g) row(g, r);
    return ptrs_.data();
  }

 private:
  const std::vector<kernel_job>& gemms_;
  const std::vector<std::pair<std::uint64_t, std::uint64_t>>& seeds_;
  std::uint64_t cols_;
  bool exact_;
  std::vector<std::vector<std::uint16_t>> rows_, b_;
  std::vector<const std::uint16_t*> ptrs_;
};

struct check_result {
  std::uint64_t checked = 0, mismatches = 0;
};

// Compares the tensor every GPU holds after the run with the golden, row by row:
//   none:           GPU g's C = its own partial (the producer GEMM alone);
//   reduce-scatter: GPU g's chunk g = the ring reduction (golden::ring_reduce_row);
//   all-gather:     every GPU's chunk c = GPU c's partial;
//   all-reduce:     every GPU's whole tensor = the ring reduction.
check_result check_tensor(node_system& top, collective_kind kind, std::uint64_t c_addr, std::uint64_t rows,
                          std::uint64_t cols, partial_source& partials) {
  check_result r;
  const unsigned p = unsigned(top.gpu.size());
  std::vector<std::uint16_t> got(cols), want(cols);
  for (std::uint64_t row = 0; row < rows; ++row) {
    const unsigned chunk = p > 1 ? golden::ring_chunk_of_row(p, rows, row) : 0;
    const bool reduced = kind == collective_kind::all_reduce || kind == collective_kind::reduce_scatter;
    if (reduced)
      golden::ring_reduce_row(p, rows, row, partials.all(row), cols, want.data());
    else if (kind == collective_kind::all_gather)
      std::copy_n(partials.row(chunk, row), cols, want.data());
    for (unsigned g = 0; g < p; ++g) {
      if (kind == collective_kind::reduce_scatter && g != chunk) continue;
      if (kind == collective_kind::none) std::copy_n(partials.row(g, row), cols, want.data());
      top.gpu[g]->hbm.storage()->read(c_addr + row * cols * 2, reinterpret_cast<std::uint8_t*>(got.data()), cols * 2);
      for (std::uint64_t c = 0; c < cols; ++c) r.mismatches += got[c] != want[c];
      r.checked += cols;
    }
  }
  return r;
}

// The driver's view of a phase: from the first doorbell to the last kernel's end.
double phase_ns(const std::vector<kernel_outcome>& out) {
  sc_core::sc_time first = sc_core::SC_ZERO_TIME, last = sc_core::SC_ZERO_TIME;
  bool any = false;
  for (const kernel_outcome& o : out) {
    if (o.status != std::uint64_t(cp_status::done)) continue;
    first = any ? std::min(first, o.doorbell) : o.doorbell;
    last = std::max(last, o.end());
    any = true;
  }
  return any ? (last - first).to_seconds() * 1e9 : 0.0;
}

// What every GPU is doing when the simulation ran out of events before the host saw every kernel end.
std::string describe_stall(node_system& top) {
  std::ostringstream os;
  os << "simulation stalled at " << sc_core::sc_time_stamp() << " with kernels still running (deadlock):\n  "
     << top.cpu.state();
  for (auto& n : top.gpu) {
    if (n->tracker.enabled()) os << "\n  " << n->tracker.state();
    const std::uint64_t status = n->cp.registers().get("STATUS");
    if (status != std::uint64_t(cp_status::running)) continue;
    os << "\n  " << n->cp.name() << ": kernel running";
    if (n->sms.busy()) os << "\n  " << n->sms.name() << ": GEMM running";
    const std::string w = n->ccl.blocked_on();
    if (!w.empty()) os << "\n  " << n->ccl.name() << ": " << w;
    os << "\n  " << n->nic.state();
  }
  return os.str();
}


// Symmetric execution: GPU 0's packet to GPU N-1 becomes the packet GPU 1 sends GPU 0 at the same
// time. GPU 1 works on the chunk after GPU 0's (ring step s: chunk (g + s) mod N), so the address moves
// one chunk on (within the tensor or the receive buffer) and the chunk and tile ids with it.
struct symmetric_mirror {
  std::uint64_t c_addr, recv_addr, tensor_bytes, chunk_bytes;
  std::int32_t gpus, tiles_per_chunk, tiles;
  void operator()(tlm::tlm_generic_payload& gp, mem_extension& e) const {
    std::uint64_t a = local_of(gp.get_address());
    for (std::uint64_t base : {c_addr, recv_addr})
      if (a >= base && a < base + tensor_bytes) {
        a = base + (a - base + chunk_bytes) % tensor_bytes;
        break;
      }
    gp.set_address(a);  // (the NIC makes it an address of its own GPU)
    e.producer.gpu = (e.producer.gpu + 1) % gpus;
    if (e.producer.wavefront >= 1) {  // a ring collective's slice: workgroup = chunk, wavefront = step
      e.producer.workgroup = (e.producer.workgroup + 1) % gpus;
    } else if (e.producer.tile >= 0) {  // a T3 output tile (the GEMM's remote stores, the DMA engine's updates)
      e.producer.tile = (e.producer.tile + tiles_per_chunk) % tiles;
      e.producer.workgroup = e.producer.tile;
    }
  }
};

// Names the trace's tracks: a process per GPU, a thread per block (docs/trace.md).
void name_tracks(trace_sink& t, const platform_config& pc) {
  for (unsigned g = 0; g < pc.simulated_gpus(); ++g) {
    t.process_name(int(g), "gpu" + std::to_string(g));
    t.thread_name(int(g), trace_tid::kernels, "kernels (host view)");
    t.thread_name(int(g), trace_tid::gemm_stages, "sms: GEMM stages");
    t.thread_name(int(g), trace_tid::ccl_send, "ccl: collective steps (send)");
    t.thread_name(int(g), trace_tid::ccl_reduce, "ccl: collective steps (local reduce)");
    t.thread_name(int(g), trace_tid::tracker, "tracker: triggers");
    for (unsigned e = 0; e < pc.dma.engines; ++e)
      t.thread_name(int(g), trace_tid::dma + int(e), "dma: engine " + std::to_string(e));
  }
}

// Runs to the end; on a terminal, in slices of simulated time so that progress can be shown (the
// event order, hence every result, is the same either way).
void simulate(node_system& top, const std::string& mode) {
  progress prog("run " + mode, progress_quiet());
  if (!prog.enabled()) {
    sc_core::sc_start();
    return;
  }
  const sc_core::sc_time slice(10, sc_core::SC_US);
  do {  // (before the first sc_start nothing is pending yet)
    sc_core::sc_start(slice);
    char b[64];
    std::snprintf(b, sizeof b, "%.1f us simulated", sc_core::sc_time_stamp().to_seconds() * 1e6);
    prog.update(b);
  } while (!top.cpu.finished() && sc_core::sc_pending_activity());
}

// Symmetric execution is exact only for a ring whose GPUs all do the same work on equal chunks.
void check_symmetric(const platform_config& pc, const workload& wl) {
  const auto bad = [](const std::string& why) { return config_error("parameter 'system.symmetric': " + why); };
  if (pc.topology != "ring") throw bad("needs system.topology=ring (got " + pc.topology + ")");
  if (pc.data != data_mode::off)
    throw bad("simulates GPU 0 only, so no all-GPU result exists to check: set data.mode=off");
  if (!symmetric_chunks(wl.gemm.m, pc.gpus, pc.gemm.tile_m))
    throw bad("needs equal chunks of whole tile rows: M (" + std::to_string(wl.gemm.m) +
              ") must be a multiple of system.gpus x gemm.tile_m (" +
              std::to_string(std::uint64_t(pc.gpus) * pc.gemm.tile_m) + ")");
  for (unsigned g = 1; g < pc.gpus; ++g)
    if (wl.gemm_for_device(g).k != wl.gemm_for_device(0).k)
      throw bad("needs the same GEMM on every GPU: K is " + std::to_string(wl.gemm_for_device(0).k) + " on GPU 0 but " +
                std::to_string(wl.gemm_for_device(g).k) + " on GPU " + std::to_string(g));
}

// SystemC threads in the elaborated hierarchy below `objs`.
std::uint64_t count_threads(const std::vector<sc_core::sc_object*>& objs) {
  std::uint64_t n = 0;
  for (const sc_core::sc_object* o : objs) {
    const std::string kind = o->kind();
    n += kind == "sc_thread_process" || kind == "sc_cthread_process";
    n += count_threads(o->get_child_objects());
  }
  return n;
}

// Every SystemC thread runs on a stack of its own with a guard page: about two of the memory mappings
// the kernel allows one process (vm.max_map_count, 65530 by default). Past that limit SystemC drops
// the guards and later allocations fail as if host memory had run out (or abort in a destructor), so
// a platform with that many threads is refused before it starts.
void check_thread_mappings() {
  std::ifstream f("/proc/sys/vm/max_map_count");
  std::uint64_t limit = 0;
  if (!(f >> limit)) return;  // (not Linux, or no /proc: nothing to check against)
  constexpr std::uint64_t maps_per_thread = 2, other_maps = 2048;  // (libraries, heap, data chunks)
  const std::uint64_t threads = count_threads(sc_core::sc_get_top_level_objects());
  const std::uint64_t needed = threads * maps_per_thread + other_maps;
  if (needed <= limit) return;
  throw config_error("the platform has " + std::to_string(threads) +
                     " SystemC threads (per simulated GPU: gpu.sms + dma.engines + 2 x collective.sms + 1; and 1 for "
                     "the host), each on its own stack with a guard page: with the rest of the process about " +
                     std::to_string(needed) + " memory mappings, more than this host allows one process "
                     "(vm.max_map_count = " + std::to_string(limit) + "). Reduce system.gpus, gpu.sms, dma.engines or "
                     "collective.sms (system.symmetric=true simulates one GPU), or raise the limit as root: "
                     "sysctl -w vm.max_map_count=" + std::to_string(std::max<std::uint64_t>(262144, 2 * needed)));
}

}  // namespace

// Everything the elaboration leaves for results(); the vectors outlive partial_source, which refers to them.
struct sublayer_run::state {
  config cfg;
  std::string mode;
  platform_config pc;
  workload wl;
  collective_kind kind = collective_kind::none;
  bool producer = false, t3 = false, ideal = false, nmc_rs = false;
  std::chrono::steady_clock::time_point wall0;
  std::unique_ptr<node_system> top;
  kernel_data data = kernel_data::off;
  std::uint64_t rows = 0, cols = 0, c_addr = 0;
  std::vector<kernel_job> gemms, rs, ag;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seeds;
  std::unique_ptr<partial_source> partials;
  std::vector<std::vector<kernel_job>> phases;
  std::vector<std::string> phase_names;
  sublayer_buffers buffers;
  std::unique_ptr<trace_sink> trace;  // --trace: active while the platform runs
  std::string trace_path;
};

sublayer_run::sublayer_run(const config& cfg, const std::string& mode, const std::string& trace_path)
    : s_(std::make_unique<state>()) {
  if (std::find(known_modes.begin(), known_modes.end(), mode) == known_modes.end())
    throw config_error("--mode: unknown mode '" + mode + "' (sequential, t3, t3-mca, ideal-overlap, ideal-rs-nmc)");
  s_->cfg = cfg;
  s_->mode = mode;
  platform_config& pc = s_->pc;
  pc = make_platform_config(cfg);
  if (mode == "t3-mca") pc.mc.policy = "mca";
  workload& wl = s_->wl;
  try {
    wl = resolve_workload(pc.workload);
  } catch (const std::invalid_argument& e) {
    throw config_error(std::string("workload: ") + e.what());
  }
  const collective_kind kind = wl.collective.kind;
  const bool producer = pc.producer == "gemm";
  if (kind != collective_kind::none && pc.gpus < 2)
    throw config_error("parameter 'system.gpus': a ring " + std::string(to_string(kind)) +
                       " needs at least 2 GPUs (got " + std::to_string(pc.gpus) +
                       "); use workload.collective=none to run the GEMM alone");
  // t3 / t3-mca: the fused GEMM -> reduce-scatter. ideal-overlap and ideal-rs-nmc run the GEMM, then the
  // reduce-scatter alone (baseline on SMs, or by DMA + NMC), then the all-gather, and report
  // max(GEMM, reduce-scatter) + all-gather: perfect overlap without contention.
  const bool t3 = mode == "t3" || mode == "t3-mca";
  const bool ideal = mode == "ideal-overlap" || mode == "ideal-rs-nmc";
  const bool nmc_rs = mode == "ideal-rs-nmc";
  if ((t3 || ideal) && (kind == collective_kind::none || kind == collective_kind::all_gather))
    throw config_error("--mode " + mode + " overlaps the producer GEMM with its reduce-scatter: it needs "
                       "workload.collective all-reduce or reduce-scatter");
  // (After the mode's own check: compare runs ideal-rs-nmc without the producer, which the user did not set.)
  if (!producer && kind == collective_kind::none)
    throw config_error("parameter 'workload.producer': none with workload.collective=none leaves nothing to run");
  // An ideal mode without the producer runs its reduce-scatter alone on the tensor in memory (compare
  // takes the GEMM from the sequential run); T3 fuses the two and needs the GEMM.
  if (t3 && !producer)
    throw config_error("--mode " + mode + " fuses the producer GEMM with its reduce-scatter: it needs "
                       "workload.producer=gemm");

  if (pc.symmetric) check_symmetric(pc, wl);

  s_->wall0 = std::chrono::steady_clock::now();
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(pc.quantum_ns, sc_core::SC_NS));
  if (!trace_path.empty()) {
    s_->trace = std::make_unique<trace_sink>();
    s_->trace_path = trace_path;
    set_active_trace(s_->trace.get());
    name_tracks(*s_->trace, pc);
  }
  auto& top = s_->top;
  top = std::make_unique<node_system>("system", pc);
  check_thread_mappings();

  const dispatch_kind order = pc.gemm.order == "column-major" ? dispatch_kind::column_major
                              : pc.gemm.order == "t3-stage"   ? dispatch_kind::t3_stage
                              : pc.gemm.order == "grouped"    ? dispatch_kind::grouped
                                                              : dispatch_kind::row_major;
  const kernel_data data = pc.data == data_mode::exact ? kernel_data::exact
                           : pc.data == data_mode::off ? kernel_data::off
                                                       : kernel_data::synthetic;
  const std::uint64_t rows = wl.gemm.m, cols = wl.gemm.n;
  auto &gemms = s_->gemms, &rs = s_->rs, &ag = s_->ag;
  auto& seeds = s_->seeds;
  std::uint64_t c_addr = 0, recv_addr = 0;
  for (unsigned g = 0; g < pc.simulated_gpus(); ++g) {
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
    k.group_rows = pc.gemm.group_rows;
    k.serpentine = pc.gemm.serpentine;
    k.data = data;
    k.gpu = std::int32_t(g);
    k.seed = pc.seed;
    // Symmetric allocation: the same addresses on every GPU (the ring kernels rely on it).
    // The layout in 128-bit arithmetic first: huge custom shapes must fail the capacity check, not wrap.
    using u128 = unsigned __int128;
    const u128 b128 = producer ? align_up<u128>(k.a_packed_bytes(), 4096) : 0;
    const u128 c128 = producer ? align_up<u128>(b128 + k.b_packed_bytes(), 4096) : 0;
    const u128 recv128 = align_up<u128>(c128 + k.c_bytes(), 1 << 20);
    const u128 top = kind == collective_kind::none ? c128 + k.c_bytes() : recv128 + k.c_bytes();
    if (top > pc.hbm.geometry.capacity_bytes())
      throw config_error("workload: the buffers of GPU " + std::to_string(g) + " (" + std::to_string(std::uint64_t(top >> 20)) +
                         " MiB) do not fit in its HBM (" + std::to_string(pc.hbm.geometry.capacity_bytes() >> 20) +
                         " MiB)");
    k.a = 0;
    k.b = std::uint64_t(b128);
    k.c = std::uint64_t(c128);
    c_addr = k.c;
    recv_addr = std::uint64_t(recv128);
    j.order = order;
    j.devices = pc.gpus;
    j.rank = g;
    const std::uint64_t sa = operand_seed(pc.seed, g, 'A'), sb = operand_seed(pc.seed, g, 'B');
    seeds.push_back({sa, sb});
    if (producer && k.data == kernel_data::exact) {
      j.a_packed = pack_a(k, sa);
      j.b_packed = pack_b(k, sb);
    }
    kernel_job c = j;
    c.a_packed.clear();
    c.b_packed.clear();
    c.recv = recv_addr;
    c.ring_sms = pc.collective.sms;
    t3_program nmc_calls;
    try {
      if (t3) {
        j.t3 = true;
        j.order = dispatch_kind::t3_stage;
        j.t3_calls = make_t3_program(rows, pc.gemm.tile_m, pc.gpus, g);
      }
      if (nmc_rs) nmc_calls = make_nmc_reduce_scatter_program(rows, pc.gemm.tile_m, pc.gpus, g);
    } catch (const std::invalid_argument& e) {
      throw config_error("--mode " + mode + ": " + e.what());
    }
    if (producer) gemms.push_back(std::move(j));
    if (kind == collective_kind::all_reduce || kind == collective_kind::reduce_scatter) {
      kernel_job r = c;
      r.kind = kernel_kind::reduce_scatter;
      if (nmc_rs) {
        r.t3 = true;
        r.launch_kernel = false;
        r.t3_calls = nmc_calls;
      }
      rs.push_back(std::move(r));
    }
    if (kind == collective_kind::all_reduce || kind == collective_kind::all_gather) {
      c.kind = kernel_kind::all_gather;
      ag.push_back(c);
    }
  }
  const bool exact_partials = producer && data == kernel_data::exact;
  s_->partials = std::make_unique<partial_source>(producer ? gemms : rs.empty() ? ag : rs, seeds, pc.simulated_gpus(),
                                                  cols, exact_partials);
  if (pc.symmetric && pc.gpus > 1) {
    const std::uint64_t chunk_rows = rows / pc.gpus, tiles_n = (cols + pc.gemm.tile_n - 1) / pc.gemm.tile_n;
    top->gpu[0]->nic.set_mirror(symmetric_mirror{c_addr, recv_addr, rows * cols * 2, chunk_rows * cols * 2,
                                                 std::int32_t(pc.gpus), std::int32_t(chunk_rows / pc.gemm.tile_m * tiles_n),
                                                 std::int32_t(rows / pc.gemm.tile_m * tiles_n)});
  }
  partial_source& partials = *s_->partials;
  if (!producer && data != kernel_data::off) {  // the tensor is already in memory
    std::vector<std::uint16_t> row(cols);
    for (unsigned g = 0; g < pc.simulated_gpus(); ++g)
      for (std::uint64_t r = 0; r < rows; ++r)
        top->gpu[g]->hbm.storage()->write(c_addr + r * cols * 2, reinterpret_cast<const std::uint8_t*>(partials.row(g, r)),
                                          cols * 2);
  }
  if (t3 && data != kernel_data::off) {
    // The runtime clears the fused output to -0 (the identity of IEEE addition, so that a first
    // update x gives x bit for bit) before the kernel; not timed, like the operand preload.
    std::vector<std::uint16_t> neg_zero(cols, 0x8000);
    for (unsigned g = 0; g < pc.simulated_gpus(); ++g)
      for (std::uint64_t r = 0; r < rows; ++r)
        top->gpu[g]->hbm.storage()->write(c_addr + r * cols * 2, reinterpret_cast<const std::uint8_t*>(neg_zero.data()),
                                          cols * 2);
  }
  auto& phases = s_->phases;
  auto& phase_names = s_->phase_names;
  if (producer) phases.push_back(gemms), phase_names.push_back(t3 ? "gemm_rs" : "gemm");
  if (!rs.empty() && !t3) phases.push_back(rs), phase_names.push_back("reduce_scatter");
  if (!ag.empty()) phases.push_back(ag), phase_names.push_back("all_gather");
  top->cpu.set_phases(phases);
  s_->kind = kind;
  s_->producer = producer;
  s_->t3 = t3;
  s_->ideal = ideal;
  s_->nmc_rs = nmc_rs;
  s_->data = data;
  s_->rows = rows;
  s_->cols = cols;
  s_->c_addr = c_addr;
  if (!gemms.empty()) s_->buffers.a = gemms[0].kernel.a, s_->buffers.b = gemms[0].kernel.b;
  s_->buffers.c = c_addr;
  s_->buffers.recv = kind == collective_kind::none ? 0 : recv_addr;
  s_->buffers.rows = rows;
  s_->buffers.cols = cols;
}

sublayer_run::~sublayer_run() {
  if (s_->trace) set_active_trace(nullptr);  // (the sink goes with this run, also after a stall)
}

node_system& sublayer_run::top() { return *s_->top; }

const sublayer_buffers& sublayer_run::buffers() const { return s_->buffers; }

const std::vector<std::string>& sublayer_run::phase_names() const { return s_->phase_names; }

bool sublayer_run::host_finished() const { return s_->top->cpu.finished(); }

std::string sublayer_run::stall_report() const { return describe_stall(*s_->top); }

run_result sublayer_run::results() {
  // The body below reads the elaboration's values under their original names.
  const config& cfg = s_->cfg;
  const std::string& mode = s_->mode;
  const platform_config& pc = s_->pc;
  const workload& wl = s_->wl;
  const collective_kind kind = s_->kind;
  const bool producer = s_->producer, t3 = s_->t3, ideal = s_->ideal, nmc_rs = s_->nmc_rs;
  const kernel_data data = s_->data;
  const std::uint64_t rows = s_->rows, cols = s_->cols, c_addr = s_->c_addr;
  const auto& top = s_->top;
  const auto &rs = s_->rs, &ag = s_->ag;
  const auto& phases = s_->phases;
  const auto& phase_names = s_->phase_names;
  partial_source& partials = *s_->partials;
  if (!top->cpu.finished()) throw simulation_stall(describe_stall(*top));
  for (auto& g : top->gpu) g->drain_writes();  // DRAM statistics include the posted writes' bursts
  if (s_->trace) {
    set_active_trace(nullptr);
    std::ofstream out(s_->trace_path, std::ios::binary);
    out << s_->trace->json();
    if (!out) throw config_error("--trace: cannot write '" + s_->trace_path + "'");
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - s_->wall0).count();

  // Results.
  std::map<std::string, double> time_ns = {{"gemm", 0.0}, {"reduce_scatter", 0.0}, {"all_gather", 0.0}};
  bool kernel_ok = true;
  for (std::size_t ph = 0; ph < phases.size(); ++ph) {
    const auto& out = top->cpu.phase_outcomes()[ph];
    for (const kernel_job& j : phases[ph])
      kernel_ok &= !j.launch_kernel || out[j.gpu].status == std::uint64_t(cp_status::done);
    if (phase_names[ph] == "reduce_scatter" && nmc_rs) {  // DMA kick to the last final region
      sc_core::sc_time first = out[0].doorbell, last;
      for (const kernel_outcome& o : out) first = std::min(first, o.doorbell), last = std::max(last, o.final_at);
      time_ns["reduce_scatter"] = (last - first).to_seconds() * 1e9;
    } else if (phase_names[ph] == "gemm_rs") {
      // The fused phase: the GEMM's kernel time, then the reduce-scatter tail until every GPU's own
      // chunk is final.
      time_ns["gemm"] = phase_ns(out);
      sc_core::sc_time first = out[0].doorbell, gemm_end, final_end;
      for (const kernel_outcome& o : out) {
        first = std::min(first, o.doorbell);
        gemm_end = std::max(gemm_end, o.end());
        final_end = std::max(final_end, o.final_at);
      }
      time_ns["reduce_scatter"] = final_end > gemm_end ? (final_end - gemm_end).to_seconds() * 1e9 : 0.0;
    } else {
      time_ns[phase_names[ph]] = phase_ns(out);
    }
  }
  const double gemm_ns = time_ns["gemm"];
  const double total_ns = ideal ? std::max(time_ns["gemm"], time_ns["reduce_scatter"]) + time_ns["all_gather"]
                                : time_ns["gemm"] + time_ns["reduce_scatter"] + time_ns["all_gather"];
  std::uint64_t l2_hits = 0, l2_misses = 0;
  std::map<std::string, std::uint64_t> dram;
  std::uint64_t link_payload[traffic_phase_count] = {}, link_header = 0, link_busy_max_ps = 0;
  nlohmann::ordered_json per_gpu = nlohmann::ordered_json::array();
  const std::vector<std::tuple<const char*, traffic_phase, mem_op>> categories = {
      {"gemm_read", traffic_phase::gemm, mem_op::read},
      {"gemm_write", traffic_phase::gemm, mem_op::write},
      {"rs_read", traffic_phase::reduce_scatter, mem_op::read},
      {"rs_write", traffic_phase::reduce_scatter, mem_op::write},
      {"rs_update", traffic_phase::reduce_scatter, mem_op::update},
      {"ag_read", traffic_phase::all_gather, mem_op::read},
      {"ag_write", traffic_phase::all_gather, mem_op::write}};
  for (unsigned g = 0; g < pc.simulated_gpus(); ++g) {
    gpu_node& n = *top->gpu[g];
    nlohmann::ordered_json mine;
    for (const auto& [cat, phase, op] : categories) {
      // The GEMM's own output stores are near-memory updates in T3: still the GEMM's writes.
      const std::uint64_t b = n.bytes(phase, op) + (phase == traffic_phase::gemm && op == mem_op::write
                                                        ? n.bytes(traffic_phase::gemm, mem_op::update) : 0);
      dram[cat] += b;
      mine[cat] = b;
    }
    nlohmann::ordered_json link_mine = {{"payload_bytes_reduce_scatter", 0}, {"payload_bytes_all_gather", 0},
                                        {"header_bytes", 0}};
    for (const auto& l : n.nic.links()) {
      link_mine["payload_bytes_reduce_scatter"] =
          link_mine["payload_bytes_reduce_scatter"].get<std::uint64_t>() + l->payload_bytes(traffic_phase::reduce_scatter);
      link_mine["payload_bytes_all_gather"] =
          link_mine["payload_bytes_all_gather"].get<std::uint64_t>() + l->payload_bytes(traffic_phase::all_gather);
      link_mine["header_bytes"] = link_mine["header_bytes"].get<std::uint64_t>() + l->header_bytes();
    }
    per_gpu.push_back({{"gpu", g}, {"dram_bytes", mine}, {"link_sent", link_mine}});
    l2_hits += n.l2->hits();
    l2_misses += n.l2->misses();
    for (const auto& l : n.nic.links()) {
      for (int ph = 0; ph < traffic_phase_count; ++ph) link_payload[ph] += l->payload_bytes(traffic_phase(ph));
      link_header += l->header_bytes();
      link_busy_max_ps = std::max<std::uint64_t>(link_busy_max_ps, l->busy().value());
    }
  }
  // Symmetric execution: every GPU moves what GPU 0 moves.
  const std::uint64_t replicas = pc.gpus / pc.simulated_gpus();
  for (auto& [k, v] : dram) v *= replicas;
  for (auto& b : link_payload) b *= replicas;
  link_header *= replicas;
  std::uint64_t dram_total = 0;
  for (const auto& [k, v] : dram) dram_total += v;
  std::uint64_t link_total = 0;
  for (auto b : link_payload) link_total += b;

  check_result chk;
  if (kernel_ok && data != kernel_data::off) chk = check_tensor(*top, kind, c_addr, rows, cols, partials);
  const double flops = wl.gemm.flops();
  const double tflops = gemm_ns > 0 ? flops / (gemm_ns * 1e-9) / 1e12 : 0;
  const double peak_tflops = pc.sms.sms * double(pc.sms.flop_per_cycle) * pc.sms.clock_ghz * 1e9 / 1e12;
  const double l2_rate = l2_hits + l2_misses ? double(l2_hits) / double(l2_hits + l2_misses) : 0.0;

  run_result r;
  r.functional_ok = kernel_ok && chk.mismatches == 0;
  nlohmann::ordered_json doc;
  doc["mode"] = mode;
  doc["config"] = nlohmann::ordered_json::parse(cfg.to_json(-1));
  doc["workload"] = {{"model", wl.model ? wl.model->name : "custom"}, {"sublayer", to_string(wl.sublayer)},
                     {"tp", pc.gpus}, {"simulated_gpus", pc.simulated_gpus()}, {"producer", pc.producer},
                     {"gemm", {{"m", wl.gemm.m}, {"n", wl.gemm.n}, {"k", wl.gemm.k}}},
                     {"collective", to_string(kind)}, {"collective_bytes_per_gpu", rows * cols * 2}};
  doc["time_ns"] = {{"total", total_ns},
                    {"gemm", time_ns["gemm"]},
                    {"reduce_scatter", time_ns["reduce_scatter"]},
                    {"all_gather", time_ns["all_gather"]}};
  doc["dram_bytes"] = {{"gemm_read", dram["gemm_read"]}, {"gemm_write", dram["gemm_write"]},
                       {"rs_read", dram["rs_read"]},     {"rs_write", dram["rs_write"]},
                       {"rs_update", dram["rs_update"]}, {"ag_read", dram["ag_read"]},
                       {"ag_write", dram["ag_write"]},   {"total", dram_total}};
  doc["link_bytes"] = link_total;
  doc["link"] = {{"payload_bytes", link_total},
                 {"header_bytes", link_header},
                 {"payload_bytes_reduce_scatter", link_payload[int(traffic_phase::reduce_scatter)]},
                 {"payload_bytes_all_gather", link_payload[int(traffic_phase::all_gather)]},
                 {"payload_bytes_gemm", link_payload[int(traffic_phase::gemm)]},
                 {"busiest_direction_busy_ns", double(link_busy_max_ps) / 1e3}};
  doc["per_gpu"] = per_gpu;
  {  // What the T3 blocks and links needed at most: the figures an architect sizes them by.
    unsigned trk = 0, dmaq = 0, mcq = 0;
    std::uint64_t link_buffer = 0;
    std::uint64_t spills = 0, dma_refused = 0, bank_updates_max = 0, bank_updates = 0, banks = 0;
    std::uint64_t credit_stalls = 0, mc_full = 0;
    for (unsigned g = 0; g < pc.simulated_gpus(); ++g) {
      gpu_node& n = *top->gpu[g];
      trk = std::max(trk, n.tracker.occupancy_max());
      dmaq = std::max(dmaq, n.dma.queue_max());
      spills += n.tracker.spills();
      dma_refused += n.dma.refused();
      for (const auto& l : n.nic.links()) {
        link_buffer = std::max(link_buffer, l->buffer_bytes_in_use_max());
        credit_stalls += l->credit_stalls();
      }
      for (const auto& m : n.mc) {
        mcq = std::max(mcq, m->queue_max());
        mc_full += m->queue_full_stalls();
        for (std::uint64_t u : m->updates_per_bank()) bank_updates_max = std::max(bank_updates_max, u), bank_updates += u;
        banks += pc.hbm.geometry.banks();
      }
    }
    doc["sizing"] = {{"tracker_entries_max", trk}, {"tracker_entries", pc.tracker.entries},
                     {"tracker_spills", spills * replicas}, {"dma_queue_max", dmaq},
                     {"dma_queue_depth", pc.dma.queue_depth}, {"dma_refused", dma_refused * replicas},
                     {"link_buffer_bytes_max", link_buffer}, {"link_buffer_bytes", pc.link.buffer_bytes},
                     {"link_credit_stalls", credit_stalls * replicas},
                     {"mc_queue_max", mcq}, {"mc_queue_entries", pc.mc.queue_entries},
                     {"mc_queue_full_stalls", mc_full * replicas},
                     {"nmc_updates_per_bank_max", bank_updates_max},
                     {"nmc_updates_per_bank_mean", banks ? double(bank_updates) / double(banks) : 0.0}};
  }
  if (pc.mc.policy == "mca") {  // what MCA decided: the threshold each controller chose, and what it held back
    std::uint64_t held = 0, wait = 0, low = 0, high = 0, undecided = 0;
    for (unsigned g = 0; g < pc.simulated_gpus(); ++g)
      for (const auto& m : top->gpu[g]->mc) {
        held += m->policy_held();
        wait += m->policy_wait_cycles();
        const auto* mca = dynamic_cast<const mca_policy*>(&m->policy());
        if (!mca || !mca->chosen()) ++undecided;
        else if (mca->memory_intensive()) ++low;
        else ++high;
      }
    doc["mca"] = {{"held_requests", held * replicas},
                  {"wait_ns", double(wait * replicas) * pc.hbm.timing.tck_ns},
                  {"controllers_threshold_low", low * replicas},
                  {"controllers_threshold_high", high * replicas},
                  {"controllers_undecided", undecided * replicas}};
  }
  if (producer)
    doc["gemm"] = {{"tflops_per_gpu", tflops}, {"peak_tflops_per_gpu", peak_tflops},
                   {"roofline_ns", flops / (peak_tflops * 1e12) * 1e9}, {"l2_hit_rate", l2_rate}};
  doc["functional"] = {{"mode", to_string_data(pc.data)}, {"checked_elements", chk.checked},
                       {"mismatches", chk.mismatches}, {"kernels_ok", kernel_ok}};
  doc["wall_s"] = wall;
  doc["host"] = {{"sim_ns_per_wall_s", wall > 0 ? total_ns / wall : 0.0}, {"peak_rss_bytes", peak_rss_bytes()}};
  const auto records = collect_stats();
  doc["stats"] = stats_to_json(records);
  r.stats_table = format_stats_table(records);
  r.json = doc.dump(2);

  std::ostringstream os;
  char line[512];
  std::snprintf(line, sizeof line, "%s %s TP%u, %s, %s data: %s on %llu x %llu FP16 (%.1f MiB per GPU)\n",
                wl.model ? wl.model->name.c_str() : "custom", to_string(wl.sublayer), pc.gpus, mode.c_str(),
                to_string_data(pc.data), producer ? "GEMM" : "no producer", (unsigned long long)rows,
                (unsigned long long)cols, double(rows * cols * 2) / 1048576.0);
  os << line;
  if (pc.symmetric)
    os << "  symmetric execution: GPU 0 simulated, the other GPUs mirror it (DRAM and link bytes are GPU 0's x "
       << pc.gpus << ")\n";
  if (producer) {
    std::snprintf(line, sizeof line,
                  "  gemm            %10.1f us  (%llux%llux%llu per GPU; roofline %.1f us; %.1f of %.1f TFLOP/s; L2 hit %.3f)\n",
                  gemm_ns / 1e3, (unsigned long long)wl.gemm.m, (unsigned long long)wl.gemm.n,
                  (unsigned long long)wl.gemm.k, flops / (peak_tflops * 1e12) * 1e6, tflops, peak_tflops, l2_rate);
    os << line;
  }
  if (t3 && kind != collective_kind::none) {
    std::snprintf(line, sizeof line, "  reduce-scatter  %10.1f us  (T3: tracker, DMA and NMC updates; the tail after the GEMM)\n",
                  time_ns["reduce_scatter"] / 1e3);
    os << line;
  } else if (nmc_rs) {
    std::snprintf(line, sizeof line, "  reduce-scatter  %10.1f us  (alone, by DMA and NMC updates)\n",
                  time_ns["reduce_scatter"] / 1e3);
    os << line;
  } else if (!rs.empty()) {
    std::snprintf(line, sizeof line, "  reduce-scatter  %10.1f us  (ring, %u SMs)\n", time_ns["reduce_scatter"] / 1e3,
                  pc.collective.sms);
    os << line;
  }
  if (!ag.empty()) {
    std::snprintf(line, sizeof line, "  all-gather      %10.1f us  (ring, %u SMs)\n", time_ns["all_gather"] / 1e3,
                  pc.collective.sms);
    os << line;
  }
  std::snprintf(line, sizeof line, "  total           %10.1f us%s\n", total_ns / 1e3,
                ideal ? "  (ideal: max(gemm, reduce-scatter) + all-gather)" : "");
  os << line;
  const auto mib = [](std::uint64_t b) { return double(b) / 1048576.0; };
  std::snprintf(line, sizeof line,
                "  DRAM (MiB, all GPUs): gemm_read %.1f, gemm_write %.1f, rs_read %.1f, rs_write %.1f, rs_update %.1f, "
                "ag_read %.1f, ag_write %.1f, total %.1f\n",
                mib(dram["gemm_read"]), mib(dram["gemm_write"]), mib(dram["rs_read"]), mib(dram["rs_write"]),
                mib(dram["rs_update"]), mib(dram["ag_read"]), mib(dram["ag_write"]), mib(dram_total));
  os << line;
  if (pc.gpus > 1) {
    std::snprintf(line, sizeof line, "  links (MiB, all directions): payload %.1f (rs %.1f, ag %.1f), headers %.1f\n",
                  mib(link_total), mib(link_payload[int(traffic_phase::reduce_scatter)]),
                  mib(link_payload[int(traffic_phase::all_gather)]), mib(link_header));
    os << line;
  }
  std::snprintf(line, sizeof line, "  functional: %llu elements checked, %llu mismatches%s%s\n",
                (unsigned long long)chk.checked, (unsigned long long)chk.mismatches,
                kernel_ok ? "" : " (a kernel was rejected)", data == kernel_data::off ? " (data.mode=off: no data)" : "");
  os << line;
  const auto& sz = doc["sizing"];
  std::snprintf(line, sizeof line,
                "  sizing (max over GPUs; what waited for it, summed): tracker %u of %u entries (%llu spilled), DMA "
                "queue %u of %u (%llu refused), link buffer %llu of %llu B (%llu stalls), controller queue %u of %u (%llu "
                "full), NMC updates per bank %llu (mean %.0f)\n",
                sz["tracker_entries_max"].get<unsigned>(), pc.tracker.entries,
                (unsigned long long)sz["tracker_spills"].get<std::uint64_t>(), sz["dma_queue_max"].get<unsigned>(),
                pc.dma.queue_depth, (unsigned long long)sz["dma_refused"].get<std::uint64_t>(),
                (unsigned long long)sz["link_buffer_bytes_max"].get<std::uint64_t>(),
                (unsigned long long)pc.link.buffer_bytes,
                (unsigned long long)sz["link_credit_stalls"].get<std::uint64_t>(), sz["mc_queue_max"].get<unsigned>(),
                pc.mc.queue_entries, (unsigned long long)sz["mc_queue_full_stalls"].get<std::uint64_t>(),
                (unsigned long long)sz["nmc_updates_per_bank_max"].get<std::uint64_t>(),
                sz["nmc_updates_per_bank_mean"].get<double>());
  os << line;
  if (doc.contains("mca")) {
    const auto& m = doc["mca"];
    std::snprintf(line, sizeof line,
                  "  MCA (all GPUs): threshold %u on %llu controllers, %u on %llu, undecided on %llu; %llu requests held "
                  "back, %.1f us in total\n",
                  pc.mc.mca.threshold_low, (unsigned long long)m["controllers_threshold_low"].get<std::uint64_t>(),
                  pc.mc.mca.threshold_high, (unsigned long long)m["controllers_threshold_high"].get<std::uint64_t>(),
                  (unsigned long long)m["controllers_undecided"].get<std::uint64_t>(),
                  (unsigned long long)m["held_requests"].get<std::uint64_t>(), m["wait_ns"].get<double>() / 1e3);
    os << line;
  }
  std::snprintf(line, sizeof line, "  wall %.2f s, peak RSS %.0f MiB\n", wall, peak_rss_bytes() / 1048576.0);
  r.table = os.str() + line;
  return r;
}

run_result run_sublayer(const config& cfg, const std::string& mode, const std::string& trace_path) {
  sublayer_run run(cfg, mode, trace_path);
  simulate(run.top(), mode);
  return run.results();
}

}  // namespace t3vp
