#include "platform/node_system.h"

namespace t3vp {

node_system::node_system(const sc_core::sc_module_name& name, const platform_config& cfg)
    : sc_module(name), cpu("cpu", cfg.simulated_gpus()), host_bridge("host_bridge") {
  gpu_config gcfg;
  gcfg.sms = cfg.sms;
  cpu.socket.bind(host_bridge.target_socket);
  for (unsigned g = 0; g < cfg.simulated_gpus(); ++g) {
    gpu.push_back(std::make_unique<gpu_node>(("gpu" + std::to_string(g)).c_str(), cfg, gcfg, int(g)));
    gpu_node& n = *gpu.back();
    host_bridge.initiator_socket.bind(n.target_socket());
    host_bridge.map(gpu_base(g), cfg.hbm.geometry.capacity_bytes(), int(4 * g), n.name() + std::string(".hbm"));
    host_bridge.initiator_socket.bind(n.cp.socket);
    host_bridge.map(gpu_base(g) + cp_offset, cp_window, int(4 * g + 1), n.name() + std::string(".cp"));
    host_bridge.initiator_socket.bind(n.tracker.socket);
    host_bridge.map(gpu_base(g) + tracker_offset, cp_window, int(4 * g + 2), n.name() + std::string(".tracker"));
    host_bridge.initiator_socket.bind(n.dma.socket);
    host_bridge.map(gpu_base(g) + dma_offset, dma_window, int(4 * g + 3), n.name() + std::string(".dma"));
    cpu.irq[g]->bind(n.irq);
    cpu.tracker_irq[g]->bind(n.tracker_irq);
  }
  connect_links(cfg);
}

std::vector<unsigned> topology_neighbours(const std::string& topology, unsigned gpus, unsigned g) {
  std::vector<unsigned> out;
  if (gpus < 2) return out;
  if (topology == "fully-connected") {
    for (unsigned h = 0; h < gpus; ++h)
      if (h != g) out.push_back(h);
    return out;
  }
  const unsigned down = (g + gpus - 1) % gpus, up = (g + 1) % gpus;
  out.push_back(down);
  if (up != down) out.push_back(up);
  return out;
}

// Ring: traffic for a GPU that is not a neighbour goes the shorter way round (ties towards g-1) and is
// forwarded by the NICs on the way. Fully connected: every GPU is a neighbour.
void node_system::connect_links(const platform_config& cfg) {
  const unsigned p = cfg.gpus;
  if (cfg.symmetric) {  // GPU 0 stands for GPU 1 too: its link to GPU N-1 comes back into it
    if (p > 1) gpu[0]->nic.loop_back(p - 1);
    return;
  }
  for (unsigned g = 0; g < p; ++g) {
    t3vp::nic& n = gpu[g]->nic;
    for (unsigned h : topology_neighbours(cfg.topology, p, g)) n.connect(gpu[h]->nic);
    if (cfg.topology == "fully-connected") continue;
    const unsigned down = (g + p - 1) % p, up = (g + 1) % p;
    for (unsigned dst = 0; dst < p; ++dst) {
      if (dst == g) continue;
      const unsigned hops_down = (g + p - dst) % p, hops_up = (dst + p - g) % p;
      n.set_route(dst, hops_down <= hops_up ? down : up);
    }
  }
}

}  // namespace t3vp
