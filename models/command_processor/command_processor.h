#pragma once
// The GPU's command processor: the memory-mapped registers through which the host driver describes a
// GEMM kernel and rings the doorbell, and the completion interrupt. Register map:
// docs/blocks/command_processor.md (generated from the same table as the model).
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include "models/collective/collective_engine.h"
#include "models/sm/sm_array.h"
#include "tlm/register_bank.h"
#include "tlm/stats.h"

namespace t3vp {

// Status register values.
enum class cp_status : std::uint64_t { idle = 0, running = 1, done = 2, error = 3 };
// Workgroup dispatch orders (register ORDER).
enum class dispatch_kind : std::uint64_t { row_major = 0, column_major = 1, t3_stage = 2, grouped = 3 };
// Kernel types (register KERNEL).
enum class kernel_kind : std::uint64_t { gemm = 0, reduce_scatter = 1, all_gather = 2 };

class command_processor : public sc_core::sc_module, public has_stats {
 public:
  tlm_utils::simple_target_socket<command_processor> socket;  // MMIO, offsets relative to the block
  sc_core::sc_out<bool> irq;                                   // level: IRQ_STATUS & IRQ_ENABLE != 0

  // Computes the tile order of a kernel; throws std::invalid_argument for an impossible request.
  using order_fn = std::function<std::vector<std::uint32_t>(const gemm_kernel&, dispatch_kind, unsigned devices,
                                                            unsigned rank)>;

  // ccl may be null: the GPU then runs GEMM kernels only.
  command_processor(const sc_core::sc_module_name& name, sm_array& sms, collective_engine* ccl, order_fn order,
                    std::uint64_t memory_bytes, std::int32_t gpu);

  const register_bank& registers() const { return regs_; }
  void report_stats(stat_sink& sink) const override;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp);
  void launch();
  void launch_collective(kernel_kind kind);
  void reject(const std::string& problem, std::uint64_t code);
  std::string validate(const gemm_kernel& k, std::uint64_t& code) const;
  void on_done();
  void update_irq();

  sm_array& sms_;
  collective_engine* ccl_;
  kernel_kind running_ = kernel_kind::gemm;
  order_fn order_;
  std::uint64_t memory_bytes_;
  std::int32_t gpu_;
  register_bank regs_;
  std::uint64_t launches_ = 0, rejected_ = 0;
};

}  // namespace t3vp
