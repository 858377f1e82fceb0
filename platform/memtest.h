#pragma once
// `t3vp memtest`: several traffic generators drive one GPU's memory system with a pattern, and the
// achieved bandwidth is compared with the HBM's peak.
#include <string>
#include "platform/config.h"

namespace t3vp {

enum class memtest_pattern { sequential, random, gemm_mix };
memtest_pattern parse_memtest_pattern(const std::string& s);  // throws config_error
const char* to_string(memtest_pattern p);

struct memtest_result {
  std::string pattern;
  std::uint64_t bytes = 0;
  double time_ns = 0;
  double bandwidth_gbps = 0;  // bytes / simulated time, 1 GB = 1e9 B
  double peak_gbps = 0;
  double wall_s = 0;
  std::uint64_t errors = 0;
  std::string json;   // the --json document
  std::string table;  // human-readable summary
  std::string stats_table;  // every statistic, one per line (--stats)
};

// Elaborates and runs the platform: once per process.
memtest_result run_memtest(const config& cfg, memtest_pattern pattern);

}  // namespace t3vp
