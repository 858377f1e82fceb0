#include "platform/gpu_node.h"

#include "platform/node_system.h"
#include "workloads/tiling.h"
#include "workloads/workgroup_order.h"

namespace t3vp {

std::vector<std::uint32_t> kernel_dispatch_order(const gemm_kernel& k, dispatch_kind kind, unsigned devices,
                                                 unsigned rank) {
  tiling_params p;
  p.tile_m = p.wave_m = k.tile_m;  // (wavefront sub-tiles do not change the order)
  p.tile_n = p.wave_n = k.tile_n;
  p.k_step = k.k_step;
  const gemm_tiling t(gemm_shape{k.m, k.n, k.k}, p);
  const workgroup_order o = kind == dispatch_kind::row_major      ? workgroup_order::row_major
                            : kind == dispatch_kind::column_major ? workgroup_order::column_major
                            : kind == dispatch_kind::grouped      ? workgroup_order::grouped
                                                                  : workgroup_order::t3_stage;
  return dispatch_order(o, t, devices, rank, k.group_rows, k.serpentine);
}

gpu_node::gpu_node(const sc_core::sc_module_name& name, const platform_config& cfg, const gpu_config& gcfg, int index)
    : gpu_memory(name, cfg, /*with_l2=*/true),
      sms("sms", gcfg.sms),
      ccl("ccl", cfg.collective, unsigned(index)),
      nic("nic", unsigned(index), cfg.gpus, cfg.link, topology_neighbours(cfg.topology, cfg.gpus, unsigned(index))),
      dma("dma", cfg.dma, unsigned(index)),
      tracker("tracker", cfg.tracker, dma),
      cp("cp", sms, &ccl, kernel_dispatch_order, cfg.hbm.geometry.capacity_bytes(), index),
      irq("irq"),
      tracker_irq("tracker_irq") {
  for (auto& s : sms.sms) {
    s->socket.bind(cached_socket());
    s->net_socket.bind(nic.out_socket);
  }
  sms.set_kernel_end([this](sc_core::sc_time end) {
    sc_core::sc_time d = end - sc_core::sc_time_stamp();
    l2->flush(d);
    return sc_core::sc_time_stamp() + d;
  });
  ccl.mem_socket.bind(target_socket());
  ccl.net_socket.bind(nic.out_socket);
  nic.mem_socket.bind(target_socket());
  dma.mem_socket.bind(target_socket());
  dma.net_socket.bind(nic.out_socket);
  tracker.irq.bind(tracker_irq);
  for (auto& m : mc) m->set_observer(&tracker);
  nic.set_delivery_observer(
      [this](const tlm::tlm_generic_payload& gp, const sc_core::sc_time& done) { ccl.on_delivered(gp, done); });
  cp.irq.bind(irq);
}

}  // namespace t3vp
