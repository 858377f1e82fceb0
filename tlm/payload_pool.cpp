#include "tlm/payload_pool.h"

namespace t3vp {

// Extensions are owned by their payloads and deleted with them.
payload_pool::~payload_pool() = default;

tlm::tlm_generic_payload* payload_pool::acquire() {
  tlm::tlm_generic_payload* gp;
  if (free_.empty()) {
    all_.push_back(std::make_unique<tlm::tlm_generic_payload>(this));
    gp = all_.back().get();
    gp->set_extension(new mem_extension);
  } else {
    gp = free_.back();
    free_.pop_back();
  }
  gp->acquire();
  ext_of(*gp) = mem_extension{};
  gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  gp->set_byte_enable_ptr(nullptr);
  gp->set_byte_enable_length(0);
  gp->set_streaming_width(0);
  gp->set_dmi_allowed(false);
  return gp;
}

tlm::tlm_generic_payload* payload_pool::acquire(tlm::tlm_command cmd, std::uint64_t addr, std::uint8_t* data,
                                                std::uint64_t len) {
  tlm::tlm_generic_payload* gp = acquire();
  gp->set_command(cmd);
  gp->set_address(addr);
  gp->set_data_ptr(data);
  gp->set_data_length(static_cast<unsigned>(len));
  gp->set_streaming_width(static_cast<unsigned>(len));
  return gp;
}

void payload_pool::free(tlm::tlm_generic_payload* gp) {
  // Keep the extension (reset on acquire); do not call gp->reset(), which would free it.
  free_.push_back(gp);
}

mem_extension& ext_of(tlm::tlm_generic_payload& gp) {
  mem_extension* ext = nullptr;
  gp.get_extension(ext);
  return *ext;
}

}  // namespace t3vp
