// The command processor's registers: the documented map equals the model's, and accesses behave as
// documented (errors as TLM response codes, W1C, read-only, write-only).
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <tlm_utils/simple_initiator_socket.h>
#include "models/command_processor/command_processor.h"

using namespace t3vp;

namespace {
std::string source_dir() {
  std::string f = __FILE__;
  return f.substr(0, f.rfind("testbench/unit/"));
}

struct fixture {
  sm_array sms{"sms", sm_config{1, 1.4, 1024}};
  command_processor cp{"cp", sms, nullptr,
                       [](const gemm_kernel& k, dispatch_kind, unsigned, unsigned) {
                         std::vector<std::uint32_t> o(k.tiles());
                         for (std::uint32_t i = 0; i < o.size(); ++i) o[i] = i;
                         return o;
                       },
                       1ull << 30, 0};
  sc_core::sc_signal<bool> irq{"irq"};
  struct probe : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<probe> socket;
    explicit probe(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {}
  } host{"host"};
  fixture() {
    cp.irq.bind(irq);
    host.socket.bind(cp.socket);
    for (auto& s : sms.sms) {
      s->socket.bind(dummy.socket);
      s->net_socket.bind(net_dummy.socket);
    }
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // finish elaboration
  }
  struct sink : sc_core::sc_module {
    tlm_utils::simple_target_socket<sink> socket;
    explicit sink(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
      socket.register_b_transport(this, &sink::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) { gp.set_response_status(tlm::TLM_OK_RESPONSE); }
  } dummy{"dummy"}, net_dummy{"net_dummy"};

  tlm::tlm_response_status access(tlm::tlm_command cmd, std::uint64_t offset, std::uint64_t& value, unsigned len = 8) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(offset);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    host.socket->b_transport(gp, d);
    return gp.get_response_status();
  }
};
}  // namespace

TEST_CASE("command processor: the documented register map equals the model's", "[cp][docs]") {
  fixture f;
  std::ifstream in(source_dir() + "docs/blocks/command_processor.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::regex row(R"(\| (0x[0-9a-f]+) \| ([A-Z_]+) \| (RO|RW|WO|W1C) \| (0x[0-9a-fA-F]+|[0-9]+) \|)");
  unsigned rows = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) {
    ++rows;
    const std::string name = (*it)[2];
    INFO(name);
    bool found = false;
    for (const auto& d : f.cp.registers().definitions()) {
      if (d.name != name) continue;
      found = true;
      CHECK(d.offset == std::stoull((*it)[1], nullptr, 16));
      CHECK(std::string(to_string(d.access)) == std::string((*it)[3]));
      CHECK(d.reset == std::stoull((*it)[4], nullptr, 0));
    }
    CHECK(found);
  }
  CHECK(rows == f.cp.registers().definitions().size());
}

TEST_CASE("command processor: register accesses and their errors", "[cp]") {
  fixture f;
  std::uint64_t v = 0;
  CHECK(f.access(tlm::TLM_READ_COMMAND, 0x000, v) == tlm::TLM_OK_RESPONSE);
  CHECK(v == 0x74337670);
  v = 5;
  CHECK(f.access(tlm::TLM_WRITE_COMMAND, 0x000, v) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // read-only
  CHECK(f.access(tlm::TLM_READ_COMMAND, 0x004, v) == tlm::TLM_BURST_ERROR_RESPONSE);    // unaligned
  CHECK(f.access(tlm::TLM_READ_COMMAND, 0x000, v, 4) == tlm::TLM_BURST_ERROR_RESPONSE);  // partial
  CHECK(f.access(tlm::TLM_READ_COMMAND, 0x038, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // hole
  v = 7;
  CHECK(f.access(tlm::TLM_READ_COMMAND, 0x010, v) == tlm::TLM_OK_RESPONSE);  // write-only reads as 0
  CHECK(v == 0);
  // A doorbell with an empty descriptor is rejected: STATUS error, ERROR_CODE 1, IRQ_STATUS bit 1.
  v = 3;
  REQUIRE(f.access(tlm::TLM_WRITE_COMMAND, 0x020, v) == tlm::TLM_OK_RESPONSE);
  v = 1;
  REQUIRE(f.access(tlm::TLM_WRITE_COMMAND, 0x010, v) == tlm::TLM_OK_RESPONSE);
  CHECK(f.cp.registers().get("STATUS") == std::uint64_t(cp_status::error));
  CHECK(f.cp.registers().get("ERROR_CODE") == 1);
  CHECK(f.cp.registers().get("IRQ_STATUS") == 2);
  // W1C: writing the bit clears it.
  v = 2;
  REQUIRE(f.access(tlm::TLM_WRITE_COMMAND, 0x018, v) == tlm::TLM_OK_RESPONSE);
  CHECK(f.cp.registers().get("IRQ_STATUS") == 0);
}
