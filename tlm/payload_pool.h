#pragma once
// A pool of generic payloads with a t3vp memory extension attached, so hot paths never allocate.
#include <memory>
#include <vector>
#include <systemc>
#include <tlm>
#include "tlm/mem_extension.h"

namespace t3vp {

class payload_pool : public tlm::tlm_mm_interface {
 public:
  payload_pool() = default;
  payload_pool(const payload_pool&) = delete;
  payload_pool& operator=(const payload_pool&) = delete;
  ~payload_pool() override;

  // A payload with reference count 1 and a reset extension; release() returns it.
  tlm::tlm_generic_payload* acquire();
  // The same, set up for one access of `len` bytes at `addr` (streaming width = length).
  tlm::tlm_generic_payload* acquire(tlm::tlm_command cmd, std::uint64_t addr, std::uint8_t* data, std::uint64_t len);
  void free(tlm::tlm_generic_payload* gp) override;

  std::size_t allocated() const { return all_.size(); }

 private:
  std::vector<std::unique_ptr<tlm::tlm_generic_payload>> all_;
  std::vector<tlm::tlm_generic_payload*> free_;
};

// The extension of a pooled payload (always present).
mem_extension& ext_of(tlm::tlm_generic_payload& gp);

// b_transport of `gp` issued at absolute time `at` (>= now); returns the absolute completion time.
template <class Socket>
sc_core::sc_time transport_at(Socket& socket, tlm::tlm_generic_payload& gp, const sc_core::sc_time& at) {
  sc_core::sc_time delay = at - sc_core::sc_time_stamp();
  socket->b_transport(gp, delay);
  return sc_core::sc_time_stamp() + delay;
}

}  // namespace t3vp
