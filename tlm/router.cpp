#include "tlm/router.h"

namespace t3vp {

router::router(const sc_core::sc_module_name& name)
    : sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket") {
  target_socket.register_b_transport(this, &router::b_transport);
  target_socket.register_transport_dbg(this, &router::transport_dbg);
  target_socket.register_get_direct_mem_ptr(this, &router::get_direct_mem_ptr);
  initiator_socket.register_invalidate_direct_mem_ptr(this, &router::invalidate_direct_mem_ptr);
}

void router::map(std::uint64_t base, std::uint64_t size, int target, const std::string& name) {
  map_.add(base, size, target, name);
}

void router::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const std::uint64_t addr = gp.get_address();
  const address_range* r = map_.find(addr, gp.get_data_length());
  if (!r) {
    ++address_errors_;
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  gp.set_address(addr - r->base);
  initiator_socket[r->target]->b_transport(gp, delay);
  gp.set_address(addr);
}

unsigned int router::transport_dbg(int, tlm::tlm_generic_payload& gp) {
  const std::uint64_t addr = gp.get_address();
  const address_range* r = map_.find(addr, gp.get_data_length());
  if (!r) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return 0;
  }
  gp.set_address(addr - r->base);
  unsigned int n = initiator_socket[r->target]->transport_dbg(gp);
  gp.set_address(addr);
  return n;
}

bool router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  const std::uint64_t addr = gp.get_address();
  const address_range* r = map_.find(addr);
  if (!r) return false;
  gp.set_address(addr - r->base);
  bool ok = initiator_socket[r->target]->get_direct_mem_ptr(gp, dmi);
  gp.set_address(addr);
  // Translate the granted region back into this router's address space, clipped to the range.
  sc_dt::uint64 start = dmi.get_start_address() + r->base;
  sc_dt::uint64 end = dmi.get_end_address() + r->base;
  dmi.set_start_address(std::max<sc_dt::uint64>(start, r->base));
  dmi.set_end_address(std::min<sc_dt::uint64>(end, r->end() - 1));
  return ok;
}

void router::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
  for (const auto& r : map_.ranges()) {
    if (r.target != id) continue;
    sc_dt::uint64 s = r.base + start;
    sc_dt::uint64 e = (end >= r.size - 1) ? r.end() - 1 : r.base + end;
    for (unsigned i = 0; i < target_socket.size(); ++i) target_socket[i]->invalidate_direct_mem_ptr(s, e);
  }
}

}  // namespace t3vp
