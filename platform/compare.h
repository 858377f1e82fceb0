#pragma once
// `t3vp compare`: every mode on the same configuration, side by side. Each mode is its own SystemC
// elaboration, so each runs in a child process (`t3vp run --mode M`) on the fully resolved
// configuration; `ideal-overlap` is derived from the sequential run (its GEMM, reduce-scatter and
// all-gather each ran alone there: max(GEMM, reduce-scatter) + all-gather).
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "platform/child_pool.h"
#include "platform/config.h"

namespace t3vp {

// Every mode in report order, and the ones a compare simulates (ideal-overlap is derived).
const std::vector<std::string>& compare_modes();
const std::vector<std::string>& simulated_modes();

struct compare_result {
  bool functional_ok = true;
  nlohmann::ordered_json doc;  // {"command", "config", "runs": [...], "speedup": {...}}
  std::string json;            // doc, indented
  std::string table;           // human-readable
};

struct compare_options {
  unsigned jobs = 2;       // children at once (>= 1)
  std::string trace_path;  // "": no trace; else one trace per simulated mode (mode_trace_path)
  std::string svg_path;    // "": no chart
  bool quiet = false;      // no progress on stderr
};

// exe: the t3vp binary to run the modes with.
compare_result run_compare(const config& cfg, const std::string& exe, const compare_options& o);

// The building blocks study reuses: the child that simulates `mode` on the configuration file
// `config_path`, writing `<out_prefix><mode>.json` (and its log beside it), and the assembly of the
// simulated modes' documents (jobs in simulated_modes() order) into the compare document. Throws
// std::runtime_error with the failing children's logs when a mode did not run to the end.
// ideal-rs-nmc's child runs the reduce-scatter alone (workload.producer=none) and the assembly takes
// the GEMM from the sequential run, unless the data is exact or a trace was asked for.
child_job compare_mode_job(const config& cfg, const std::string& config_path, const std::string& mode,
                           const std::string& out_prefix, const std::string& trace_path);
compare_result assemble_compare(const config& cfg, const std::vector<child_job>& jobs, const std::string& out_prefix);

// The trace file of one mode of a compare: "t.json" -> "t.sequential.json" ("t" -> "t.sequential").
std::string mode_trace_path(const std::string& trace_path, const std::string& mode);

// The one-figure chart of a compare (speedup per mode; DRAM bytes by category per mode), SVG text.
std::string compare_svg(const nlohmann::ordered_json& doc);

}  // namespace t3vp
