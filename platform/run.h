#pragma once
// `t3vp run`: elaborates the N-GPU node, runs the configured sublayer in one mode, checks the result
// against a golden, and reports the contract's JSON document.
#include <string>
#include "platform/config.h"

namespace t3vp {

struct run_result {
  bool functional_ok = true;
  std::string json;   // the --json document
  std::string table;  // human-readable summary
  std::string stats_table;  // every statistic, one per line (--stats)
};

// Throws config_error for bad input. Elaborates and runs: once per process.
run_result run_sublayer(const config& cfg, const std::string& mode);

}  // namespace t3vp
