#include "platform/host.h"

#include <cstring>
#include <stdexcept>
#include "tlm/log.h"
#include "tlm/trace.h"

namespace t3vp {

host::host(const sc_core::sc_module_name& name, unsigned gpus) : sc_module(name), socket("socket") {
  for (unsigned g = 0; g < gpus; ++g)
    irq.push_back(std::make_unique<sc_core::sc_in<bool>>(("irq" + std::to_string(g)).c_str()));
  for (unsigned g = 0; g < gpus; ++g)
    tracker_irq.push_back(std::make_unique<sc_core::sc_in<bool>>(("tracker_irq" + std::to_string(g)).c_str()));
  SC_HAS_PROCESS(host);
  SC_THREAD(run);
}

// One 8-byte register access to GPU gpu's control blocks (offset from the command processor's base:
// tracker at +0x1000, DMA engine at +0x2000); an uncached MMIO access costs the host 10 ns.
std::uint64_t host::mmio(tlm::tlm_command cmd, unsigned gpu, std::uint64_t offset, std::uint64_t value) {
  tlm::tlm_generic_payload gp;
  gp.set_command(cmd);
  gp.set_address(gpu_base(gpu) + cp_offset + offset);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  gp.set_data_length(8);
  gp.set_streaming_width(8);
  // A register write has effects other initiators see: synchronise before it.
  if (cmd == tlm::TLM_WRITE_COMMAND) qk_.sync();
  sc_core::sc_time delay = qk_.get_local_time();
  socket->b_transport(gp, delay);
  if (!gp.is_response_ok())
    throw std::runtime_error("host: register access failed at 0x" + std::to_string(gp.get_address()));
  qk_.set(delay + sc_core::sc_time(10, sc_core::SC_NS));
  // The driver's register sequence, for `trace on` in `t3vp serve` (off by default: no cost but the check).
  T3VP_LOG(log_level::trace, this, (cmd == tlm::TLM_WRITE_COMMAND ? "mmio write 0x" : "mmio read 0x")
                                       << std::hex << gp.get_address() << " = 0x" << value);
  return value;
}

void host::write_reg(unsigned gpu, std::uint64_t offset, std::uint64_t value) {
  mmio(tlm::TLM_WRITE_COMMAND, gpu, offset, value);
}

std::uint64_t host::read_reg(unsigned gpu, std::uint64_t offset) { return mmio(tlm::TLM_READ_COMMAND, gpu, offset, 0); }

// Operands are placed in GPU memory before the timed run (as a copy the run does not measure).
void host::preload(std::uint64_t addr, std::vector<std::uint8_t>& data) {
  const std::uint64_t chunk = 1 << 20;
  for (std::uint64_t off = 0; off < data.size(); off += chunk) {
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(addr + off);
    gp.set_data_ptr(data.data() + off);
    gp.set_data_length(unsigned(std::min<std::uint64_t>(chunk, data.size() - off)));
    if (socket->transport_dbg(gp) != gp.get_data_length()) throw std::runtime_error("host: operand preload failed");
  }
}

// The descriptor registers of one kernel (docs/blocks/command_processor.md).
void host::program(const kernel_job& j) {
  const gemm_kernel& k = j.kernel;
  write_reg(j.gpu, 0x0b8, std::uint64_t(j.kind));
  write_reg(j.gpu, 0x050, k.c);
  write_reg(j.gpu, 0x058, k.m);
  write_reg(j.gpu, 0x060, k.n);
  write_reg(j.gpu, 0x070, k.ldc);
  write_reg(j.gpu, 0x0a8, k.data == kernel_data::exact ? 0 : k.data == kernel_data::off ? 2 : 1);
  if (j.kind == kernel_kind::gemm) {
    write_reg(j.gpu, 0x040, k.a);
    write_reg(j.gpu, 0x048, k.b);
    write_reg(j.gpu, 0x068, k.k);
    write_reg(j.gpu, 0x078, k.tile_m);
    write_reg(j.gpu, 0x080, k.tile_n);
    write_reg(j.gpu, 0x088, k.k_step);
    write_reg(j.gpu, 0x090, std::uint64_t(j.order));
    write_reg(j.gpu, 0x098, j.devices);
    write_reg(j.gpu, 0x0a0, j.rank);
    write_reg(j.gpu, 0x0b0, k.seed);
    write_reg(j.gpu, 0x100, k.group_rows);
    write_reg(j.gpu, 0x108, k.serpentine ? 1 : 0);
    write_reg(j.gpu, 0x0e0, j.t3 ? 1 : 0);  // STORE_OP
    if (j.t3) {
      remote_map(j.gpu, j.t3_calls.remote);
    } else {
      write_reg(j.gpu, 0x0f0, 0);  // REMOTE_ROW_END: no remote map
    }
  } else {
    write_reg(j.gpu, 0x0c0, j.recv);
    write_reg(j.gpu, 0x0c8, j.devices);
    write_reg(j.gpu, 0x0d0, j.rank);
    write_reg(j.gpu, 0x0d8, j.ring_sms);
  }
  write_reg(j.gpu, 0x020, 3);  // enable done and error interrupts
}

// Tracker (0x1000) and DMA engine (0x2000) registers sit after the command processor's window.
void host::remote_map(unsigned gpu, const remote_map_call& r) {
  write_reg(gpu, 0x0e8, r.row_begin);
  write_reg(gpu, 0x0f0, r.row_end);
  write_reg(gpu, 0x0f8, r.gpu);
}

void host::dma_map(unsigned gpu, unsigned region, const dma_map_call& d) {
  const std::uint64_t base = 0x2000 + 0x100 + 0x20 * region;
  write_reg(gpu, base + 0x00, d.row_begin);
  write_reg(gpu, base + 0x08, d.row_end);
  write_reg(gpu, base + 0x10, d.dst_gpu);
  write_reg(gpu, base + 0x18, d.update ? 1 : 0);
}

void host::program_t3(const kernel_job& j) {
  const gemm_kernel& k = j.kernel;
  const t3_program& t = j.t3_calls;
  // The output's geometry: C_ADDR, M, N, TILE_M, TILE_N are consecutive in the tracker and the DMA engine.
  for (std::uint64_t c_addr_reg : {std::uint64_t(0x1028), std::uint64_t(0x2020)}) {
    const std::uint64_t values[] = {k.c, k.m, k.n, k.tile_m, k.tile_n};
    for (unsigned i = 0; i < 5; ++i) write_reg(j.gpu, c_addr_reg + 8 * i, values[i]);
  }
  for (unsigned r = 0; r < t.dma.size(); ++r) dma_map(j.gpu, r, t.dma[r]);
  write_reg(j.gpu, 0x2048, t.dma.size());  // DMA REGIONS
  write_reg(j.gpu, 0x1050, t.threshold);   // tracker THRESHOLD
  write_reg(j.gpu, 0x1058, t.final_row_begin);
  write_reg(j.gpu, 0x1060, t.final_row_end);
  write_reg(j.gpu, 0x1020, 1);  // IRQ_ENABLE: final region complete
  write_reg(j.gpu, 0x1008, 1);  // CTRL: enable (clears the table)
}

// The kernel of GPU g as the driver saw it: doorbell to its end (KERNEL_TIME_PS after the doorbell).
void host::trace_kernel(trace_sink& t, const std::vector<kernel_job>& jobs, unsigned g, const kernel_outcome& o) {
  for (const auto& j : jobs) {
    if (j.gpu != g) continue;
    const char* name = j.kind == kernel_kind::gemm ? (j.t3 ? "gemm (T3: fused reduce-scatter)" : "gemm")
                       : j.kind == kernel_kind::reduce_scatter ? "reduce-scatter (ring)"
                                                               : "all-gather (ring)";
    t.slice(int(g), trace_tid::kernels, name, "kernel", o.doorbell, o.end(),
            "\"status\":" + std::to_string(o.status) + ",\"error_code\":" + std::to_string(o.error_code));
  }
}

void host::run_phase(const std::vector<kernel_job>& jobs, std::vector<kernel_outcome>& out) {
  for (auto& j : jobs) {
    if (j.t3) program_t3(j);
    if (j.launch_kernel) program(j);
  }
  // Doorbells (or DMA kicks) last and back to back, so that the GPUs start as close together as MMIO allows.
  for (auto& j : jobs) {
    if (j.launch_kernel)
      write_reg(j.gpu, 0x010, 1);
    else if (j.t3 && j.t3_calls.kick_region >= 0)
      write_reg(j.gpu, 0x2050, std::uint64_t(j.t3_calls.kick_region));
    out[j.gpu].doorbell = sc_core::sc_time_stamp() + qk_.get_local_time();
  }
  qk_.sync();
  // Wait for every GPU's interrupt, then read its status and clear it.
  std::vector<bool>& pending = pending_;
  pending.assign(irq.size(), false);
  pending_tracker_.assign(irq.size(), false);
  for (auto& j : jobs) pending[j.gpu] = j.launch_kernel;
  for (auto& j : jobs) pending_tracker_[j.gpu] = j.t3;
  // Acknowledging takes simulated time (MMIO writes synchronise), during which another interrupt may
  // rise: only wait for a change after a pass that found none raised.
  for (;;) {
    bool any = false, served = false;
    for (unsigned g = 0; g < irq.size(); ++g) {
      if (!pending[g]) continue;
      if ((*irq[g])->read()) {
        served = true;
        out[g].status = read_reg(g, 0x008);
        out[g].error_code = read_reg(g, 0x030);
        out[g].kernel_time_ps = read_reg(g, 0x028);
        out[g].finished = sc_core::sc_time_stamp();
        write_reg(g, 0x018, 3);  // acknowledge
        pending[g] = false;
        if (trace_sink* t = active_trace()) trace_kernel(*t, jobs, g, out[g]);
      } else {
        any = true;
      }
    }
    for (unsigned g = 0; g < irq.size(); ++g) {
      if (!pending_tracker_[g]) continue;
      if ((*tracker_irq[g])->read()) {
        served = true;
        write_reg(g, 0x1018, 1);  // acknowledge (tracking goes on: this GPU may still forward tiles)
        out[g].finished = std::max(out[g].finished, sc_core::sc_time_stamp());
        out[g].final_at = sc_core::sc_time(double(read_reg(g, 0x1090)), sc_core::SC_PS);
        pending_tracker_[g] = false;
        if (trace_sink* t = active_trace())
          t->instant(int(g), trace_tid::tracker, "final region complete", "tracker", out[g].final_at);
      } else {
        any = true;
      }
    }
    if (!any) break;
    if (served) continue;
    sc_core::sc_event_or_list events;
    for (unsigned g = 0; g < irq.size(); ++g) {
      if (pending[g]) events |= (*irq[g])->value_changed_event();
      if (pending_tracker_[g]) events |= (*tracker_irq[g])->value_changed_event();
    }
    sc_core::wait(events);
  }
  // Tracking stops only once every GPU is done: a GPU whose own region is final may still be
  // triggering DMA transfers of the chunks it forwards.
  for (auto& j : jobs)
    if (j.t3) write_reg(j.gpu, 0x1008, 0);
  qk_.sync();
}

std::string host::state() const {
  std::string kernels, trackers;
  for (std::size_t g = 0; g < pending_.size(); ++g)
    if (pending_[g]) kernels += " gpu" + std::to_string(g);
  for (std::size_t g = 0; g < pending_tracker_.size(); ++g)
    if (pending_tracker_[g]) trackers += " gpu" + std::to_string(g);
  std::string s = std::string(name()) + ": phase " + std::to_string(phase_ + 1) + " of " + std::to_string(phases_.size());
  if (!kernels.empty()) s += ", waiting for the kernel interrupt of" + kernels;
  if (!trackers.empty()) s += ", waiting for the tracker interrupt of" + trackers;
  return s;
}

void host::run() {
  qk_.reset();
  outcomes_.assign(phases_.size(), std::vector<kernel_outcome>(irq.size()));
  for (auto& phase : phases_)
    for (auto& j : phase) {
      if (!j.a_packed.empty()) preload(gpu_base(j.gpu) + j.kernel.a, j.a_packed);
      if (!j.b_packed.empty()) preload(gpu_base(j.gpu) + j.kernel.b, j.b_packed);
    }
  launched_ = sc_core::sc_time_stamp();
  for (std::size_t p = 0; p < phases_.size(); ++p) {
    phase_ = p;
    run_phase(phases_[p], outcomes_[p]);
    bool ok = true;
    for (auto& j : phases_[p]) ok &= !j.launch_kernel || outcomes_[p][j.gpu].status == std::uint64_t(cp_status::done);
    if (!ok) break;  // a rejected kernel: later phases would only wait forever
  }
  finished_ = true;
  sc_core::sc_stop();
}

}  // namespace t3vp
