// Near-memory updates through the whole memory system with the kernel running: several initiators,
// each with its own quantum keeper, update the same addresses; no update may be lost.
#include <catch2/catch.hpp>
#include <cstring>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "platform/config.h"
#include "platform/gpu_memory.h"
#include "tlm/payload_pool.h"

using namespace t3vp;

namespace {
struct updater : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<updater> socket;
  unsigned count;
  unsigned errors = 0;
  updater(const sc_core::sc_module_name& n, unsigned count) : sc_module(n), socket("socket"), count(count) {
    SC_HAS_PROCESS(updater);
    SC_THREAD(run);
  }
  void run() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    payload_pool pool;
    float ones[8];
    for (float& f : ones) f = 1.0f;
    for (unsigned i = 0; i < count; ++i) {
      auto* gp = pool.acquire();
      gp->set_command(tlm::TLM_WRITE_COMMAND);
      gp->set_address(0x4000);  // the same 32 bytes for every update of every initiator
      gp->set_data_ptr(reinterpret_cast<std::uint8_t*>(ones));
      gp->set_data_length(sizeof ones);
      gp->set_streaming_width(sizeof ones);
      ext_of(*gp).op = mem_op::update;
      ext_of(*gp).dtype = elem_type::fp32;
      ext_of(*gp).cls = traffic_class::comm;
      sc_core::sc_time d = qk.get_local_time();
      socket->b_transport(*gp, d);
      if (!gp->is_response_ok()) ++errors;
      gp->release();
      qk.set(d);
      if (qk.need_sync()) qk.sync();
    }
  }
};

struct top : sc_core::sc_module {
  gpu_memory gpu0;
  updater a, b;
  top(const sc_core::sc_module_name& n, const platform_config& pc, unsigned count)
      : sc_module(n), gpu0("gpu0", pc, /*with_l2=*/false), a("a", count), b("b", count) {
    a.socket.bind(gpu0.target_socket());
    b.socket.bind(gpu0.target_socket());
  }
};
}  // namespace

TEST_CASE("concurrent updates to one address from two initiators are all applied", "[nmc][system]") {
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(100, sc_core::SC_NS));
  config cfg;
  const platform_config pc = make_platform_config(cfg);
  const unsigned count = 1000;
  top t("system", pc, count);
  sc_core::sc_start();
  REQUIRE(t.a.errors == 0);
  REQUIRE(t.b.errors == 0);
  float out[8] = {};
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(0x4000);
  gp.set_data_ptr(reinterpret_cast<std::uint8_t*>(out));
  gp.set_data_length(sizeof out);
  sc_core::sc_export<tlm::tlm_fw_transport_if<>>& ex = t.gpu0.target_socket();
  REQUIRE(ex->transport_dbg(gp) == sizeof out);
  for (float f : out) CHECK(f == float(2 * count));
  // Both initiators' updates reached one controller as communication-class traffic.
  std::uint64_t updates = 0;
  for (const auto& m : t.gpu0.mc) updates += m->bytes(traffic_phase::other, mem_op::update);
  CHECK(updates == 2ull * count * sizeof out);
}
