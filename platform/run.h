#pragma once
// `t3vp run`: elaborates the N-GPU node, runs the configured sublayer in one mode, checks the result
// against a golden, and reports the contract's JSON document.
#include <stdexcept>
#include <string>
#include "platform/config.h"

namespace t3vp {

struct run_result {
  bool functional_ok = true;
  std::string json;   // the --json document
  std::string table;  // human-readable summary
  std::string stats_table;  // every statistic, one per line (--stats)
};

// The simulation ran out of events with kernels still running: a deadlock, reported with what every
// blocked component waits for.
struct simulation_stall : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws config_error for bad input, simulation_stall for a deadlock. Elaborates and runs: once per process.
// trace_path: "" or where to write the Chrome trace-event timeline (docs/trace.md).
run_result run_sublayer(const config& cfg, const std::string& mode, const std::string& trace_path = "");

}  // namespace t3vp
