#pragma once
// A memory traffic generator: an LT initiator with its own quantum keeper that issues a sequence of
// accesses with at most `outstanding` in flight (a closed loop, like a GPU's load/store units).
#include <cstdint>
#include <functional>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "tlm/mem_extension.h"
#include "tlm/payload_pool.h"
#include "tlm/stats.h"

namespace t3vp {

struct generated_access {
  mem_op op;
  std::uint64_t addr;
  std::uint32_t bytes;
};

// The accesses to issue, produced one at a time in issue order: false when there are no more. (A
// memtest pattern can run to hundreds of millions of accesses: made as they issue, not held in memory.)
using access_source = std::function<bool(generated_access&)>;

class traffic_generator : public sc_core::sc_module, public has_stats {
 public:
  tlm_utils::simple_initiator_socket<traffic_generator> socket;

  // An empty source issues nothing.
  traffic_generator(const sc_core::sc_module_name& name, access_source accesses, unsigned outstanding,
                    sc_core::sc_time issue_interval, bool carry_data);

  std::uint64_t bytes_moved() const { return bytes_; }
  sc_core::sc_time last_completion() const { return last_done_; }
  std::uint64_t errors() const { return errors_; }
  void report_stats(stat_sink& sink) const override;

 private:
  void run();

  access_source source_;
  unsigned outstanding_;
  sc_core::sc_time issue_interval_;
  bool carry_data_;
  tlm_utils::tlm_quantumkeeper qk_;
  payload_pool pool_;
  std::uint64_t bytes_ = 0, errors_ = 0, requests_ = 0;
  sc_core::sc_time last_done_ = sc_core::SC_ZERO_TIME;
  double latency_sum_ns_ = 0;
};

}  // namespace t3vp
