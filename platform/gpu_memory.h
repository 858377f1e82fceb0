#pragma once
// The memory side of one GPU: the shared L2, HBM with its pseudo-channels, one memory controller per
// pseudo-channel, and the interleaver that spreads GPU-local addresses over them.
//   SMs -> l2.target_socket -> interleaver -> mc<i> -> hbm.pc<i>
//   (memtest, DMA and remote traffic bind to the interleaver directly: hbm_socket())
#include <memory>
#include <vector>
#include <systemc>
#include "models/hbm/hbm.h"
#include "models/l2/l2_cache.h"
#include "models/memory_controller/channel_interleaver.h"
#include "models/memory_controller/memory_controller.h"
#include "platform/platform_config.h"

namespace t3vp {

class gpu_memory : public sc_core::sc_module {
 public:
  // with_l2=false leaves the L2 out (memtest drives the HBM directly).
  gpu_memory(const sc_core::sc_module_name& name, const platform_config& cfg, bool with_l2 = true);

  // GPU-local HBM addresses, past the L2.
  tlm_utils::multi_passthrough_target_socket<channel_interleaver>& target_socket() { return interleaver.target_socket; }
  // GPU-local addresses through the L2 (the SMs' path).
  tlm_utils::multi_passthrough_target_socket<l2_cache>& cached_socket() { return l2->target_socket; }

  std::unique_ptr<l2_cache> l2;
  hbm_device hbm;
  channel_interleaver interleaver;
  std::vector<std::unique_ptr<memory_controller>> mc;

  // Places the posted writes still waiting in the controllers (end of a run, before statistics are read);
  // returns the cycle, in memory clocks, the last data of any controller leaves the bus.
  std::uint64_t drain_writes();

  // DRAM bytes by phase and op, summed over controllers.
  std::uint64_t bytes(traffic_phase p, mem_op op) const;
};

}  // namespace t3vp
