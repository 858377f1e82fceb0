// The workgroup order is visible in simulation: with the T3 stage order on GPU g of N, the first output
// tiles to complete belong to chunk (g+1) mod N.
#include <catch2/catch.hpp>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "platform/config.h"
#include "platform/node_system.h"
#include "platform/platform_config.h"
#include "workloads/workgroup_order.h"

using namespace t3vp;

TEST_CASE("T3 stage order: the first tiles completed on GPU g of N belong to chunk (g+1) mod N", "[gemm][system]") {
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  config cfg;
  cfg.set("system.gpus", "4");
  cfg.set("gpu.sms", "8");
  const platform_config pc = make_platform_config(cfg);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(pc.quantum_ns, sc_core::SC_NS));
  node_system sys("system", pc);
  const unsigned n = 4, g = 1;
  kernel_job j;
  j.gpu = g;
  j.kernel.m = 1024;  // 8 tile rows: 2 per chunk
  j.kernel.n = 512;
  j.kernel.k = 64;
  j.kernel.ldc = 512;
  j.kernel.c = 16 << 20;
  j.kernel.b = 8 << 20;
  j.kernel.gpu = int(g);
  j.order = dispatch_kind::t3_stage;
  j.devices = n;
  j.rank = g;
  sys.cpu.set_jobs({j});
  sc_core::sc_start();
  REQUIRE(sys.cpu.outcomes()[g].status == std::uint64_t(cp_status::done));
  const auto& done = sys.gpu[g]->sms.completion_order();
  REQUIRE(done.size() == 8u * 4u);
  tiling_params p;
  p.tile_m = p.tile_n = p.wave_m = p.wave_n = 128;
  const gemm_tiling t(gemm_shape{1024, 512, 64}, p);
  // The first stage's tiles (8 of them on 8 SMs) are the first to complete.
  for (unsigned i = 0; i < 8; ++i) CHECK(chunk_of_tile(t, n, done[i]) == (g + 1) % n);
  CHECK(chunk_of_tile(t, n, done.back()) == g);
}
