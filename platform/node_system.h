#pragma once
// The N-GPU node: the host, the GPUs, and the host's view of them through one router
// (GPU g's window starts at g << 40: HBM from 0, command-processor registers at 0xFF00000000).
#include <memory>
#include <vector>
#include <systemc>
#include "platform/gpu_node.h"
#include "platform/host.h"
#include "tlm/router.h"

namespace t3vp {

// The GPUs GPU g has a link direction to: ring (g-1 and g+1) or fully-connected (all others).
std::vector<unsigned> topology_neighbours(const std::string& topology, unsigned gpus, unsigned g);

class node_system : public sc_core::sc_module {
 public:
  node_system(const sc_core::sc_module_name& name, const platform_config& cfg);

  host cpu;  // "cpu" in the hierarchy: the host running the driver
  router host_bridge;
  std::vector<std::unique_ptr<gpu_node>> gpu;

 private:
  void connect_links(const platform_config& cfg);
};

}  // namespace t3vp
