#include "platform/gpu_memory.h"

#include <algorithm>
#include <string>

namespace t3vp {

gpu_memory::gpu_memory(const sc_core::sc_module_name& name, const platform_config& cfg, bool with_l2)
    : sc_module(name), hbm("hbm", cfg.hbm, cfg.data != data_mode::off), interleaver("interleaver", cfg.hbm.geometry) {
  if (with_l2) {
    l2 = std::make_unique<l2_cache>("l2", cfg.l2);
    l2->memory_socket.bind(interleaver.target_socket);
  }
  const unsigned n = hbm.pseudo_channels();
  mc.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    mc.push_back(std::make_unique<memory_controller>(("mc" + std::to_string(i)).c_str(), i, cfg.mc, hbm.pc(i),
                                                     hbm.storage()));
    interleaver.initiator_socket.bind(mc.back()->target_socket);
  }
}

std::uint64_t gpu_memory::drain_writes() {
  std::uint64_t last = 0;
  for (auto& m : mc) {
    m->drain_writes();
    last = std::max(last, m->last_done());
  }
  return last;
}

std::uint64_t gpu_memory::bytes(traffic_phase p, mem_op op) const {
  std::uint64_t sum = 0;
  for (const auto& m : mc) sum += m->bytes(p, op);
  return sum;
}

}  // namespace t3vp
