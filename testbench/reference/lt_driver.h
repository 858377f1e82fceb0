#pragma once
// Drives the LT memory controller + pseudo-channel with the same closed-loop streams the cycle-level
// reference takes, so both models see identical traffic. Calls happen in issue-time order (no quantum
// skew): the comparison measures the LT timing model itself.
#include <vector>
#include "models/memory_controller/memory_controller.h"
#include "testbench/reference/pc_reference.h"

namespace t3vp::reference {

struct lt_result {
  std::uint64_t cycles = 0;  // completion of the last access
  std::uint64_t bytes = 0;
  std::uint64_t row_hits = 0, row_misses = 0;
  std::vector<double> mean_latency;  // per stream: cycles from issue to completion (posted writes: to the ack)
  double bandwidth_bytes_per_cycle() const { return cycles ? double(bytes) / double(cycles) : 0.0; }
};

// geometry must describe a single pseudo-channel (its addresses are the streams' pc_addr).
lt_result simulate_lt(const hbm_geometry& g, const dram_timing& t, const mc_config& mc,
                      const std::vector<stream>& streams);

}  // namespace t3vp::reference
