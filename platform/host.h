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

namespace t3vp {

// The system address map the host sees.
constexpr std::uint64_t gpu_window_bits = 40;
inline std::uint64_t gpu_base(unsigned g) { return std::uint64_t(g) << gpu_window_bits; }
constexpr std::uint64_t cp_offset = 0xFF00000000ull;  // command processor registers inside a GPU window
constexpr std::uint64_t cp_window = 0x1000;

struct kernel_job {
  unsigned gpu = 0;
  gemm_kernel kernel;
  dispatch_kind order = dispatch_kind::row_major;
  unsigned devices = 1, rank = 0;
  std::vector<std::uint8_t> a_packed, b_packed;  // operands to preload (empty: none)
};

struct kernel_outcome {
  std::uint64_t status = 0, error_code = 0, kernel_time_ps = 0;
  sc_core::sc_time finished;
};

class host : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<host> socket;
  std::vector<std::unique_ptr<sc_core::sc_in<bool>>> irq;  // one per GPU

  host(const sc_core::sc_module_name& name, unsigned gpus);
  void set_jobs(std::vector<kernel_job> jobs) { jobs_ = std::move(jobs); }
  const std::vector<kernel_outcome>& outcomes() const { return outcomes_; }
  sc_core::sc_time launched_at() const { return launched_; }

 private:
  void run();
  std::uint64_t mmio(tlm::tlm_command cmd, unsigned gpu, std::uint64_t offset, std::uint64_t value);
  void write_reg(unsigned gpu, std::uint64_t offset, std::uint64_t value);
  std::uint64_t read_reg(unsigned gpu, std::uint64_t offset);
  void preload(std::uint64_t addr, std::vector<std::uint8_t>& data);

  std::vector<kernel_job> jobs_;
  std::vector<kernel_outcome> outcomes_;
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_time launched_;
};

}  // namespace t3vp
