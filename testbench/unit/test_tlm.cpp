// Shared TLM infrastructure: address map, router, payload pool.
#include <catch2/catch.hpp>
#include <cstring>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include "tlm/payload_pool.h"
#include "tlm/router.h"
#include "tlm/stats.h"

using namespace t3vp;

namespace {
// A memory that records the last address it saw and annotates 10 ns.
struct fake_memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<fake_memory> socket;
  std::uint8_t data[256] = {};
  std::uint64_t last_addr = ~0ull;
  explicit fake_memory(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &fake_memory::b_transport);
    socket.register_transport_dbg(this, &fake_memory::transport_dbg);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d) {
    last_addr = gp.get_address();
    transport_dbg(gp);
    d += sc_core::sc_time(10, sc_core::SC_NS);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) {
    auto a = gp.get_address();
    if (gp.is_write()) std::memcpy(data + a, gp.get_data_ptr(), gp.get_data_length());
    else std::memcpy(gp.get_data_ptr(), data + a, gp.get_data_length());
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return gp.get_data_length();
  }
};
struct probe : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<probe> socket;
  explicit probe(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {}
};
}  // namespace

TEST_CASE("address map rejects overlaps and finds ranges", "[tlm]") {
  address_map m;
  m.add(0x1000, 0x1000, 0, "a");
  m.add(0x3000, 0x100, 1, "b");
  CHECK_THROWS_AS(m.add(0x1800, 0x1000, 2, "c"), std::invalid_argument);
  CHECK_THROWS_AS(m.add(0x0, 0, 2, "empty"), std::invalid_argument);
  REQUIRE(m.find(0x1fff));
  CHECK(m.find(0x1fff)->name == "a");
  CHECK(m.find(0x2000) == nullptr);
  CHECK(m.find(0x1ff0, 0x20) == nullptr);  // straddles the end of "a"
  CHECK(m.find(0x3000, 0x100)->target == 1);
}

TEST_CASE("router forwards with address translation and answers unmapped accesses with an address error", "[tlm]") {
  router r("router");
  fake_memory m0("m0"), m1("m1");
  r.initiator_socket.bind(m0.socket);
  r.initiator_socket.bind(m1.socket);
  r.map(0x10000, 256, 0, "m0");
  r.map(0x20000, 256, 1, "m1");
  probe initiator("initiator");
  initiator.socket.bind(r.target_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // multi-sockets bind their callbacks at the end of elaboration
  std::uint8_t buf[4] = {1, 2, 3, 4};
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(0x20010);
  gp.set_data_ptr(buf);
  gp.set_data_length(4);
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  initiator.socket->b_transport(gp, d);
  CHECK(gp.is_response_ok());
  CHECK(m1.last_addr == 0x10);
  CHECK(gp.get_address() == 0x20010);  // restored for the initiator
  CHECK(d == sc_core::sc_time(10, sc_core::SC_NS));
  CHECK(m1.data[0x13] == 4);

  gp.set_address(0x30000);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  initiator.socket->b_transport(gp, d);
  CHECK(gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(r.address_errors() == 1);

  // transport_dbg is routed the same way and takes no time.
  std::uint8_t out[4] = {};
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(0x20010);
  gp.set_data_ptr(out);
  CHECK(initiator.socket->transport_dbg(gp) == 4);
  CHECK(out[3] == 4);
  gp.set_address(0x100);
  CHECK(initiator.socket->transport_dbg(gp) == 0);
  CHECK(gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("payload pool reuses payloads and resets their extension", "[tlm]") {
  payload_pool pool;
  auto* a = pool.acquire();
  ext_of(*a).op = mem_op::update;
  a->release();
  auto* b = pool.acquire();
  CHECK(b == a);
  CHECK(ext_of(*b).op == mem_op::read);
  CHECK(pool.allocated() == 1);
  b->release();
}

TEST_CASE("the statistics table prints counts in full and other values to 6 digits", "[tlm]") {
  const std::vector<t3vp::stat_record> records = {{"system.gpu0.hbm.bursts", {"bursts", 2587650, "bursts", ""}},
                                                  {"system.gpu0.hbm.row_hit_rate", {"row_hit_rate", 0.8212154, "ratio", ""}}};
  const std::string table = t3vp::format_stats_table(records);
  CHECK(table.find(" 2587650  bursts\n") != std::string::npos);
  CHECK(table.find(" 0.821215  ratio\n") != std::string::npos);
}
