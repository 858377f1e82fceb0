#pragma once
// The typed configuration of the platform, built from the flat parameter set. Cross-parameter checks
// happen here and fail with config_error naming the parameter.
#include <string>
#include "models/hbm/hbm_config.h"
#include "models/l2/l2_cache.h"
#include "models/collective/collective_engine.h"
#include "models/dma/dma_engine.h"
#include "models/tracker/tracker.h"
#include "models/memory_controller/memory_controller.h"
#include "models/nic/link_direction.h"
#include "models/sm/sm_array.h"
#include "platform/config.h"
#include "workloads/sublayer.h"

namespace t3vp {

enum class data_mode { exact, synthetic, off };
data_mode parse_data_mode(const std::string& s);
const char* to_string_data(data_mode m);

struct memtest_config {
  unsigned initiators, request_bytes, random_request_bytes, outstanding, seed;
  std::uint64_t total_bytes;
};

struct gemm_config {
  std::uint32_t tile_m, tile_n, k_step, group_rows;
  bool serpentine;
  std::string order;
};

struct platform_config {
  unsigned gpus;  // the tensor-parallel degree N (the ring's size)
  std::string topology;
  // Symmetric execution: only GPU 0 is built; its traffic to GPU N-1 returns to it as GPU 1's.
  bool symmetric = false;
  unsigned simulated_gpus() const { return symmetric ? 1 : gpus; }
  std::string producer;  // workload.producer: gemm or none
  link_config link;
  collective_config collective;
  tracker_config tracker;
  dma_config dma;
  workload_params workload;
  std::uint32_t seed;
  sm_config sms;
  gemm_config gemm;
  hbm_config hbm;
  mc_config mc;
  l2_config l2;
  double quantum_ns;
  data_mode data;
  memtest_config memtest;
};

platform_config make_platform_config(const config& c);

}  // namespace t3vp
