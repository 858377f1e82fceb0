#pragma once
// `t3vp compare`: every mode on the same configuration, side by side. Each mode is its own SystemC
// elaboration, so each runs in a child process (`t3vp run --mode M`) on the fully resolved
// configuration; `ideal-overlap` is derived from the sequential run (its GEMM, reduce-scatter and
// all-gather each ran alone there: max(GEMM, reduce-scatter) + all-gather).
#include <string>
#include "platform/config.h"

namespace t3vp {

struct compare_result {
  bool functional_ok = true;
  std::string json;   // {"command", "config", "runs": [...], "speedup": {...}}
  std::string table;  // human-readable
};

// exe: the t3vp binary to run the modes with; jobs: children at once (>= 1).
compare_result run_compare(const config& cfg, const std::string& exe, unsigned jobs);

}  // namespace t3vp
