#pragma once
// Routes a GPU-local HBM access to the memory controller(s) of the pseudo-channel(s) it maps to,
// splitting it at interleave boundaries. The pieces are served in parallel: the access completes with
// its slowest piece. Adds no delay of its own.
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include "models/hbm/hbm_config.h"
#include "tlm/payload_pool.h"

namespace t3vp {

class channel_interleaver : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<channel_interleaver> target_socket;
  tlm_utils::multi_passthrough_initiator_socket<channel_interleaver> initiator_socket;  // [i] -> controller of pc i

  channel_interleaver(const sc_core::sc_module_name& name, const hbm_geometry& g);

 private:
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& gp);
  template <typename Fn>
  bool split(tlm::tlm_generic_payload& gp, Fn&& fn);

  hbm_geometry g_;
  std::uint64_t capacity_;
  payload_pool pool_;
};

}  // namespace t3vp
