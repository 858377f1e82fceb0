#include "models/memory_controller/channel_interleaver.h"

#include <algorithm>

namespace t3vp {

channel_interleaver::channel_interleaver(const sc_core::sc_module_name& name, const hbm_geometry& g)
    : sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket"), g_(g),
      capacity_(g.capacity_bytes()) {
  target_socket.register_b_transport(this, &channel_interleaver::b_transport);
  target_socket.register_transport_dbg(this, &channel_interleaver::transport_dbg);
}

// Calls fn(pc, piece) for each interleave-unit piece; returns false (with the error status set on gp)
// if a piece failed.
template <typename Fn>
bool channel_interleaver::split(tlm::tlm_generic_payload& gp, Fn&& fn) {
  const std::uint64_t addr = gp.get_address(), len = gp.get_data_length();
  if (len == 0 || addr >= capacity_ || len > capacity_ - addr) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_byte_enable_ptr()) {  // (the controllers do not support byte enables either)
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  const std::uint64_t il = g_.interleave_bytes;
  if (addr / il == (addr + len - 1) / il) {  // fast path: one pseudo-channel
    fn(map_address(g_, addr).pc, gp);
    return gp.is_response_ok();
  }
  tlm::tlm_generic_payload* piece = pool_.acquire();
  piece->set_command(gp.get_command());
  piece->set_streaming_width(0);
  mem_extension* ext = nullptr;
  gp.get_extension(ext);
  if (ext) {
    ext_of(*piece) = *ext;
  } else {  // a plain payload: its command says what it is
    ext_of(*piece).op = gp.is_write() ? mem_op::write : mem_op::read;
  }
  bool ok = true;
  for (std::uint64_t off = 0; off < len && ok;) {
    const std::uint64_t a = addr + off;
    const std::uint64_t n = std::min(len - off, il - a % il);
    piece->set_address(a);
    piece->set_data_ptr(gp.get_data_ptr() + off);
    piece->set_data_length(static_cast<unsigned>(n));
    piece->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    fn(map_address(g_, a).pc, *piece);
    if (!piece->is_response_ok()) {
      gp.set_response_status(piece->get_response_status());
      ok = false;
    }
    off += n;
  }
  piece->release();
  if (ok) gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return ok;
}

void channel_interleaver::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const sc_core::sc_time start = delay;
  sc_core::sc_time latest = delay;
  split(gp, [&](unsigned pc, tlm::tlm_generic_payload& p) {
    sc_core::sc_time d = start;
    initiator_socket[pc]->b_transport(p, d);
    latest = std::max(latest, d);
  });
  delay = latest;
}

unsigned int channel_interleaver::transport_dbg(int, tlm::tlm_generic_payload& gp) {
  unsigned int total = 0;
  bool ok = split(gp, [&](unsigned pc, tlm::tlm_generic_payload& p) { total += initiator_socket[pc]->transport_dbg(p); });
  return ok ? total : 0;
}

}  // namespace t3vp
