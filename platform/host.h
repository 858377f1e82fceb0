#pragma once
// The host CPU running the driver: it preloads operands, programs each GPU's command processor through
// its memory-mapped registers (timed TLM writes, the sequence RTL will see), rings the doorbells, and
// waits for the completion interrupts.
#include <memory>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "models/command_processor/command_processor.h"
#include "models/sm/gemm_kernel.h"
#include "tlm/global_address.h"
#include "workloads/t3_runtime.h"

namespace t3vp {

class trace_sink;

// The system address map the host sees.
constexpr std::uint64_t cp_offset = gpu_control_offset;  // command processor registers inside a GPU window
constexpr std::uint64_t cp_window = 0x1000;
constexpr std::uint64_t tracker_offset = cp_offset + 0x1000;  // T3 tracker registers
constexpr std::uint64_t dma_offset = cp_offset + 0x2000;      // T3 DMA engine registers
constexpr std::uint64_t dma_window = 0x1000;

struct kernel_job {
  unsigned gpu = 0;
  kernel_kind kind = kernel_kind::gemm;
  gemm_kernel kernel;  // GEMM; for collectives: c = tensor, m x n its shape, data its data mode
  // Ring collectives.
  std::uint64_t recv = 0;
  unsigned ring_sms = 0;
  dispatch_kind order = dispatch_kind::row_major;
  unsigned devices = 1, rank = 0;
  std::vector<std::uint8_t> a_packed, b_packed;  // operands to preload (empty: none)
  // T3 fused GEMM -> reduce-scatter: the runtime's remote_map / dma_map calls for this GPU; the phase
  // of this job ends when the GEMM is done and the tracker reports the GPU's own chunk final.
  bool t3 = false;
  t3_program t3_calls;
  bool launch_kernel = true;  // false: the tracker and DMA work alone (started by a DMA KICK)
};

struct kernel_outcome {
  std::uint64_t status = 0, error_code = 0, kernel_time_ps = 0;
  sc_core::sc_time doorbell, finished;
  sc_core::sc_time final_at;  // T3: when the host saw the tracker's final-region interrupt
  sc_core::sc_time end() const { return doorbell + sc_core::sc_time(double(kernel_time_ps), sc_core::SC_PS); }
};

class host : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<host> socket;
  std::vector<std::unique_ptr<sc_core::sc_in<bool>>> irq;          // command processors, one per GPU
  std::vector<std::unique_ptr<sc_core::sc_in<bool>>> tracker_irq;  // T3 trackers, one per GPU

  host(const sc_core::sc_module_name& name, unsigned gpus);
  // Kernels in phases: every kernel of a phase is launched (one per GPU), and the next phase starts when
  // all of them have completed (the driver's barrier). Operands are preloaded before the first phase.
  void set_phases(std::vector<std::vector<kernel_job>> phases) { phases_ = std::move(phases); }
  void set_jobs(std::vector<kernel_job> jobs) { phases_ = {std::move(jobs)}; }
  // Outcomes per phase, indexed by GPU.
  const std::vector<std::vector<kernel_outcome>>& phase_outcomes() const { return outcomes_; }
  const std::vector<kernel_outcome>& outcomes() const { return outcomes_.front(); }
  bool finished() const { return finished_; }
  // Where the driver is (for the deadlock report).
  std::string state() const;
  sc_core::sc_time launched_at() const { return launched_; }
  // Progress for live inspection (`t3vp serve`): the phase running now (phase_count() once finished).
  std::size_t phase_index() const { return finished_ ? phases_.size() : phase_; }
  std::size_t phase_count() const { return phases_.size(); }

 private:
  void run();
  std::uint64_t mmio(tlm::tlm_command cmd, unsigned gpu, std::uint64_t offset, std::uint64_t value);
  void write_reg(unsigned gpu, std::uint64_t offset, std::uint64_t value);
  std::uint64_t read_reg(unsigned gpu, std::uint64_t offset);
  void preload(std::uint64_t addr, std::vector<std::uint8_t>& data);
  void program(const kernel_job& j);
  // The runtime calls of T3 (workloads/t3_runtime.h) as register writes.
  void remote_map(unsigned gpu, const remote_map_call& r);
  void dma_map(unsigned gpu, unsigned region, const dma_map_call& d);
  void program_t3(const kernel_job& j);
  void run_phase(const std::vector<kernel_job>& jobs, std::vector<kernel_outcome>& out);
  static void trace_kernel(trace_sink& t, const std::vector<kernel_job>& jobs, unsigned g, const kernel_outcome& o);

  std::vector<std::vector<kernel_job>> phases_;
  std::vector<std::vector<kernel_outcome>> outcomes_;
  bool finished_ = false;
  std::size_t phase_ = 0;
  std::vector<bool> pending_, pending_tracker_;
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_time launched_;
};

}  // namespace t3vp
