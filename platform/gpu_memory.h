#pragma once
// The memory side of one GPU: HBM with its pseudo-channels, one memory controller per pseudo-channel,
// and the channel router that spreads GPU-local addresses over them.
#include <memory>
#include <vector>
#include <systemc>
#include "models/hbm/hbm.h"
#include "models/memory_controller/channel_interleaver.h"
#include "models/memory_controller/memory_controller.h"
#include "platform/platform_config.h"

namespace t3vp {

class gpu_memory : public sc_core::sc_module {
 public:
  gpu_memory(const sc_core::sc_module_name& name, const platform_config& cfg);

  // Where initiators (or the L2) bind: GPU-local HBM addresses.
  tlm_utils::multi_passthrough_target_socket<channel_interleaver>& target_socket() { return interleaver.target_socket; }

  hbm_device hbm;
  channel_interleaver interleaver;
  std::vector<std::unique_ptr<memory_controller>> mc;

  // DRAM bytes by phase and op, summed over controllers.
  std::uint64_t bytes(traffic_phase p, mem_op op) const;
};

}  // namespace t3vp
