#pragma once
// The GPU's streaming multiprocessors and the workgroup dispatcher that feeds them. Each SM is an LT
// initiator with its own quantum keeper: it executes one output tile (workgroup) at a time, loading
// the A and B fragments of each k-step through the L2 while computing the previous one (double
// buffering), then storing its FP16 output tile with its producer ids in the payload extension.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "models/sm/gemm_kernel.h"
#include "tlm/trace.h"
#include "tlm/payload_pool.h"
#include "tlm/stats.h"

namespace t3vp {

struct sm_config {
  unsigned sms = 80;
  double clock_ghz = 1.4;
  unsigned flop_per_cycle = 1024;  // FP16 matrix FLOP per cycle per SM
  unsigned load_bytes = 0;         // largest load request; 0: a whole fragment per request
  unsigned workgroups_per_sm = 1;  // resident workgroups sharing an SM's matrix units
};

class sm_array;

class sm : public sc_core::sc_module, public has_stats {
 public:
  tlm_utils::simple_initiator_socket<sm> socket;      // to the L2
  tlm_utils::simple_initiator_socket<sm> net_socket;  // to the NIC: stores of remote-mapped tiles (T3)
  sm(const sc_core::sc_module_name& name, unsigned index, sm_array& owner);
  void report_stats(stat_sink& sink) const override;

 private:
  // A resident workgroup: one output tile in flight, with double-buffered operand fragments.
  struct workgroup_slot {
    bool active = false;
    std::uint32_t tile = 0, ti = 0, tj = 0, rows = 0, cols = 0, step = 0;
    sc_core::sc_time ready;  // when the operands of `step` have arrived
    std::vector<std::uint8_t> a[2], b[2];
    std::vector<float> acc;
  };
  void run();
  void sync_to(const sc_core::sc_time& t);
  // Takes the next tile from the dispatcher into the slot and issues its first loads at `at`.
  bool start_tile(const gemm_kernel& k, workgroup_slot& w, sc_core::sc_time at);
  void issue_loads(const gemm_kernel& k, workgroup_slot& w, std::uint32_t step, sc_core::sc_time at);
  // Stores the finished tile at `at`; returns when the last store has landed.
  sc_core::sc_time store_tile(const gemm_kernel& k, workgroup_slot& w, sc_core::sc_time at);
  // Loads [addr, addr+len) in requests of at most config().load_bytes, all issued at `at`; returns
  // when the last one completes.
  sc_core::sc_time load(std::uint64_t addr, std::uint8_t* data, std::uint64_t len, sc_core::sc_time at);
  sc_core::sc_time access(tlm::tlm_command cmd, std::uint64_t addr, std::uint8_t* data, std::uint64_t len,
                          sc_core::sc_time at, const producer_id* producer, bool update = false, int remote_gpu = -1);

  unsigned index_;
  sm_array& owner_;
  tlm_utils::tlm_quantumkeeper qk_;
  payload_pool pool_;
  std::vector<workgroup_slot> slots_;
  std::vector<std::uint8_t> c_buf_;
  std::uint64_t tiles_ = 0, loads_ = 0, stores_ = 0, load_bytes_ = 0, store_bytes_ = 0, errors_ = 0;
  double busy_ns_ = 0, stall_ns_ = 0;
};

class sm_array : public sc_core::sc_module, public has_stats {
 public:
  sm_array(const sc_core::sc_module_name& name, const sm_config& cfg);

  // Starts a kernel: tiles are handed out in `order` (tile ids, row-major numbering); `done` is notified
  // when every tile's stores have completed, at that time.
  // chunks: the output's row chunks (one per device) the trace shows as GEMM stages.
  void launch(const gemm_kernel& k, std::vector<std::uint32_t> order, unsigned chunks = 1);
  bool busy() const { return running_; }
  sc_core::sc_event& done_event() { return done_; }
  sc_core::sc_time last_start() const { return start_; }
  sc_core::sc_time last_end() const { return end_; }
  // Tile ids in the order they completed (for tests of the dispatch order).
  const std::vector<std::uint32_t>& completion_order() const { return completed_; }

  const sm_config& config() const { return cfg_; }
  // Called when the last tile has completed, with that time; returns when the kernel is complete (the
  // GPU writes its L2's dirty lines back here).
  void set_kernel_end(std::function<sc_core::sc_time(sc_core::sc_time)> f) { on_kernel_end_ = std::move(f); }
  std::vector<std::unique_ptr<sm>> sms;
  void report_stats(stat_sink& sink) const override;

 private:
  friend class sm;
  bool next_tile(std::uint32_t& tile);
  void tile_done(std::uint32_t tile, sc_core::sc_time end);

  sm_config cfg_;
  gemm_kernel kernel_;
  std::vector<std::uint32_t> order_;
  std::size_t next_ = 0, finished_ = 0;
  bool running_ = false;
  sc_core::sc_event start_event_, done_;
  sc_core::sc_time start_, end_;
  std::vector<std::uint32_t> completed_;
  // Tracing only: first and last tile completion of every chunk.
  unsigned chunks_ = 1;
  std::vector<time_span> chunk_span_;
  void trace_stages() const;
  std::uint64_t kernels_ = 0;
  std::function<sc_core::sc_time(sc_core::sc_time)> on_kernel_end_;
};

}  // namespace t3vp
