#pragma once
// `t3vp run`: elaborates the N-GPU node, runs the configured sublayer in one mode, checks the result
// against a golden, and reports the contract's JSON document.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
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

// Whether an M-row output splits into equal chunks of whole tile rows on `gpus` GPUs (what symmetric
// execution needs).
inline bool symmetric_chunks(std::uint64_t rows, unsigned gpus, unsigned tile_m) {
  return rows % (std::uint64_t(gpus) * tile_m) == 0;
}

// Where the sublayer's tensors live: the same local HBM offsets on every GPU (symmetric allocation);
// GPU g's copy is at gpu_base(g) + offset in the global address space (tlm/global_address.h).
struct sublayer_buffers {
  std::uint64_t a = 0, b = 0;     // packed operands (0 without a producer GEMM)
  std::uint64_t c = 0;            // the output tensor: rows x cols FP16, row-major
  std::uint64_t recv = 0;         // the ring collectives' receive buffer (0 without a collective)
  std::uint64_t rows = 0, cols = 0;
};

class node_system;

// One elaborated sublayer, for callers that drive the kernel themselves (`t3vp serve`): the
// constructor elaborates, preloads and hands the host its phases (throws config_error); the caller
// runs sc_start() as it likes; results() checks against the golden and reports once the host finished
// (throws simulation_stall otherwise). run_sublayer is exactly this, run to the end.
class sublayer_run {
 public:
  sublayer_run(const config& cfg, const std::string& mode, const std::string& trace_path = "");
  ~sublayer_run();
  node_system& top();
  const sublayer_buffers& buffers() const;
  const std::vector<std::string>& phase_names() const;  // the host's phases, in order
  bool host_finished() const;
  std::string stall_report() const;  // what every blocked component waits for
  run_result results();

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace t3vp
