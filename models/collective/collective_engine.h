#pragma once
// The SMs of one GPU running a baseline ring collective kernel (reduce-scatter or all-gather, like
// RCCL/NCCL): on each of `sms` SMs, one worker forwards (the steps that send) and one reduces locally
// (the last reduce-scatter step), executing the device's ring program (workloads/ring_collective.h).
// For each step a worker takes every sms-th slice of the step's chunk: it reads the slice (and the received
// partial) from local HBM, adds on the SM (FP16, round to nearest even: the NMC adder's arithmetic, so
// every mode reduces bit-identically), then sends it through the NIC into the neighbour's memory or
// writes it locally. Collective buffers bypass the L2 (streaming accesses). A step that forwards
// incoming data waits until the whole chunk has landed in local memory (step-synchronous, the
// alpha-beta model's steps); the final local reduction of reduce-scatter takes each slice as soon as
// it has landed. The NIC reports every packet it writes, tagged with the chunk and slice it carries
// (the model of the flags a real kernel polls).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "tlm/trace.h"
#include "tlm/payload_pool.h"
#include "tlm/stats.h"
#include "workloads/ring_collective.h"

namespace t3vp {

struct collective_config {
  unsigned sms = 16;               // workers
  unsigned slice_bytes = 16384;    // unit of work of one worker
  unsigned add_elems_per_cycle = 128;
  double clock_ghz = 1.4;
  // The last reduce-scatter step: false reduces each slice as soon as it has landed (streamed, as
  // RCCL's slice pipeline does); true waits for the whole chunk, like the forwarding steps, which
  // leaves the final chunk's reduction exposed after the last transfer.
  bool final_reduce_whole_chunk = false;
};

struct collective_kernel {
  ring_program program;
  bool data = true;  // payloads carry data (false: timing only)
  unsigned sms = 0;  // workers to use (0: all)
};

class collective_engine : public sc_core::sc_module, public has_stats {
 public:
  tlm_utils::simple_initiator_socket<collective_engine> mem_socket;  // local HBM (past the L2)
  tlm_utils::simple_initiator_socket<collective_engine> net_socket;  // the NIC: remote memory

  collective_engine(const sc_core::sc_module_name& name, const collective_config& cfg, unsigned gpu);

  void launch(collective_kernel k);
  bool busy() const { return running_; }
  sc_core::sc_event& done_event() { return done_; }
  sc_core::sc_time last_start() const { return start_; }
  sc_core::sc_time last_end() const { return end_; }
  const collective_config& config() const { return cfg_; }

  // The NIC's report of a packet written into local memory at `done`.
  void on_delivered(const tlm::tlm_generic_payload& gp, const sc_core::sc_time& done);
  // What a running kernel is waiting for (for the deadlock report); empty when idle.
  std::string blocked_on() const;
  void report_stats(stat_sink& sink) const override;

 private:
  struct arrival {
    std::uint64_t bytes = 0, expected = 0;
    sc_core::sc_time last;
  };
  struct worker_state {
    tlm_utils::tlm_quantumkeeper qk;
    payload_pool pool;
    std::vector<std::uint8_t> a, b;
    unsigned step = 0;
    bool waiting = false;
  };
  void worker(unsigned w);
  // Blocks the worker until `bytes` of chunk `chunk` (of one slice of it, when slice >= 0) of the
  // current op have landed; returns when they had.
  sc_core::sc_time wait_incoming(worker_state& ws, std::uint32_t chunk, std::int64_t slice, std::uint64_t bytes);
  sc_core::sc_time access(worker_state& ws, bool write, bool remote, std::uint64_t addr, std::uint8_t* data,
                          std::uint64_t len, const sc_core::sc_time& at, const ring_step* tag, std::uint32_t slice);
  // Arrivals are counted per chunk (slice -1) and per slice.
  static std::uint64_t key(ring_op op, std::uint32_t chunk, std::int64_t slice) {
    return (std::uint64_t(op) << 62) | (std::uint64_t(chunk) << 32) | std::uint64_t(slice + 1);
  }
  void finish(worker_state& ws);

  collective_config cfg_;
  unsigned gpu_;
  collective_kernel kernel_;
  std::vector<std::unique_ptr<worker_state>> workers_;
  std::map<std::uint64_t, arrival> inbox_;
  // Forwarders that have placed all their packets of each step: a step's data goes on the link
  // before the next step's (the link carries one step at a time, as a ring kernel's FIFO does).
  std::vector<unsigned> steps_sent_;
  // Tracing only: every step's first start and last end over the SMs.
  std::vector<time_span> step_span_;
  void trace_steps() const;
  sc_core::sc_event step_sent_;
  unsigned active_ = 0;
  bool running_ = false;
  sc_core::sc_event start_event_, done_, arrived_;
  sc_core::sc_time start_, end_, workers_end_;
  std::uint64_t kernels_ = 0, bytes_read_ = 0, bytes_written_ = 0, bytes_sent_ = 0, elements_added_ = 0,
                errors_ = 0;
  double wait_ns_ = 0;
};

}  // namespace t3vp
