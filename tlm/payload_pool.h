#pragma once
// A pool of generic payloads with a t3vp memory extension attached, so hot paths never allocate.
#include <memory>
#include <vector>
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
  void free(tlm::tlm_generic_payload* gp) override;

  std::size_t allocated() const { return all_.size(); }

 private:
  std::vector<std::unique_ptr<tlm::tlm_generic_payload>> all_;
  std::vector<tlm::tlm_generic_payload*> free_;
};

// The extension of a pooled payload (always present).
mem_extension& ext_of(tlm::tlm_generic_payload& gp);

}  // namespace t3vp
