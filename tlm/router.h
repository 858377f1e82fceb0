#pragma once
// A TLM router: forwards b_transport and transport_dbg by address, translating to the target's
// local offset; unmapped or straddling accesses end with TLM_ADDRESS_ERROR_RESPONSE. Adds no delay.
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include "tlm/address_map.h"

namespace t3vp {

class router : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<router> target_socket;
  tlm_utils::multi_passthrough_initiator_socket<router> initiator_socket;

  explicit router(const sc_core::sc_module_name& name);

  // Maps [base, base+size) to initiator_socket[target]; the target sees addresses relative to base.
  void map(std::uint64_t base, std::uint64_t size, int target, const std::string& name);
  const address_map& map() const { return map_; }

  std::uint64_t address_errors() const { return address_errors_; }

 private:
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& gp);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);

  address_map map_;
  std::uint64_t address_errors_ = 0;
};

}  // namespace t3vp
