#include "platform/node_system.h"

namespace t3vp {

node_system::node_system(const sc_core::sc_module_name& name, const platform_config& cfg)
    : sc_module(name), cpu("cpu", cfg.gpus), host_bridge("host_bridge") {
  gpu_config gcfg;
  gcfg.sms = cfg.sms;
  cpu.socket.bind(host_bridge.target_socket);
  for (unsigned g = 0; g < cfg.gpus; ++g) {
    gpu.push_back(std::make_unique<gpu_node>(("gpu" + std::to_string(g)).c_str(), cfg, gcfg, int(g)));
    gpu_node& n = *gpu.back();
    host_bridge.initiator_socket.bind(n.target_socket());
    host_bridge.map(gpu_base(g), cfg.hbm.geometry.capacity_bytes(), int(2 * g), n.name() + std::string(".hbm"));
    host_bridge.initiator_socket.bind(n.cp.socket);
    host_bridge.map(gpu_base(g) + cp_offset, cp_window, int(2 * g + 1), n.name() + std::string(".cp"));
    cpu.irq[g]->bind(n.irq);
  }
}

}  // namespace t3vp
