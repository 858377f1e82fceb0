#pragma once
// One GPU: its memory side (L2, interleaver, memory controllers, HBM) plus the SM array and the
// command processor that the host drives through memory-mapped registers.
//   host --MMIO--> cp --launch--> sms.sm<i> --loads/stores--> l2 --> interleaver --> mc<i> --> hbm.pc<i>
//                     --launch--> ccl (ring collective kernels) --> interleaver (local, past the L2)
//                                                               --> nic --> links --> peer nic --> interleaver
#include <systemc>
#include "models/collective/collective_engine.h"
#include "models/command_processor/command_processor.h"
#include "models/dma/dma_engine.h"
#include "models/nic/nic.h"
#include "models/tracker/tracker.h"
#include "models/sm/sm_array.h"
#include "platform/gpu_memory.h"

namespace t3vp {

struct gpu_config {
  sm_config sms;
};

class gpu_node : public gpu_memory {
 public:
  gpu_node(const sc_core::sc_module_name& name, const platform_config& cfg, const gpu_config& gcfg, int index);

  sm_array sms;
  collective_engine ccl;  // the SMs running ring collective kernels (baseline reduce-scatter / all-gather)
  t3vp::nic nic;
  dma_engine dma;          // T3: tile transfers the tracker triggers
  t3vp::tracker tracker;   // T3: track-and-trigger table at the memory controllers
  command_processor cp;
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> irq;  // the command processor's interrupt line, to the host
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> tracker_irq;  // the tracker's interrupt line, to the host
};

// The dispatch order the command processor uses (workloads/workgroup_order).
std::vector<std::uint32_t> kernel_dispatch_order(const gemm_kernel& k, dispatch_kind kind, unsigned devices,
                                                 unsigned rank);

}  // namespace t3vp
