// The NIC and its link directions on their own: packetization, serialization, latency, multi-hop
// forwarding on a ring, credit flow control, and the collective engine's report of what it waits for.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <vector>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include "models/collective/collective_engine.h"
#include "models/nic/nic.h"

using namespace t3vp;

namespace {
// A memory that stores bytes and answers at once; it records when the last write landed.
struct byte_memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<byte_memory> socket;
  std::map<std::uint64_t, std::uint8_t> bytes;
  sc_core::sc_time last_write;
  explicit byte_memory(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &byte_memory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (gp.is_write()) {
      for (unsigned i = 0; i < gp.get_data_length(); ++i) bytes[gp.get_address() + i] = gp.get_data_ptr()[i];
      last_write = std::max(last_write, sc_core::sc_time_stamp() + delay);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct writer : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<writer> socket;
  std::uint64_t addr = 0;
  std::vector<std::uint8_t> data;
  std::size_t piece = 0;  // write `data` in pieces of this many bytes, one after another (0: at once)
  sc_core::sc_time accepted;
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  explicit writer(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
    SC_HAS_PROCESS(writer);
    SC_THREAD(run);
  }
  void run() {
    if (data.empty()) return;
    tlm::tlm_generic_payload gp;
    mem_extension ext;
    ext.op = mem_op::write;
    ext.phase = traffic_phase::reduce_scatter;
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    const std::size_t n = piece ? piece : data.size();
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    for (std::size_t off = 0; off < data.size(); off += n) {
      const std::size_t len = std::min(n, data.size() - off);
      gp.set_address(addr + off);
      gp.set_data_ptr(data.data() + off);
      gp.set_data_length(unsigned(len));
      gp.set_streaming_width(unsigned(len));
      socket->b_transport(gp, d);
    }
    accepted = sc_core::sc_time_stamp() + d;
    status = gp.get_response_status();
    gp.clear_extension(&ext);
  }
};

// A ring of `n` NICs, each with a writer and a memory.
struct ring_fixture {
  std::vector<std::unique_ptr<nic>> nics;
  std::vector<std::unique_ptr<byte_memory>> mem;
  std::vector<std::unique_ptr<writer>> src;
  ring_fixture(unsigned n, const link_config& cfg) {
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(20, sc_core::SC_NS));
    for (unsigned g = 0; g < n; ++g) {
      std::vector<unsigned> nb = {(g + n - 1) % n};
      if ((g + 1) % n != nb[0]) nb.push_back((g + 1) % n);
      nics.push_back(std::make_unique<nic>(("nic" + std::to_string(g)).c_str(), g, n, cfg, nb));
      mem.push_back(std::make_unique<byte_memory>(("mem" + std::to_string(g)).c_str()));
      src.push_back(std::make_unique<writer>(("src" + std::to_string(g)).c_str()));
      nics[g]->mem_socket.bind(mem[g]->socket);
      src[g]->socket.bind(nics[g]->out_socket);
    }
    for (unsigned g = 0; g < n; ++g) {
      const unsigned down = (g + n - 1) % n, up = (g + 1) % n;
      nics[g]->connect(*nics[down]);
      if (up != down) nics[g]->connect(*nics[up]);
      for (unsigned d = 0; d < n; ++d)
        if (d != g) nics[g]->set_route(d, (g + n - d) % n <= (d + n - g) % n ? down : up);
    }
  }
  link_direction& link(unsigned from, unsigned to) {
    for (auto& l : nics[from]->links())
      if (l->to() == to) return *l;
    throw std::logic_error("no such link");
  }
};
}  // namespace

TEST_CASE("NIC - a write two hops away is packetized and forwarded and lands at the right time", "[nic]") {
  link_config cfg;  // 75 GB/s, 500 ns, 256 + 16 B packets
  ring_fixture r(4, cfg);
  r.src[0]->addr = global_address(2, 0x1000);
  for (unsigned i = 0; i < 1024; ++i) r.src[0]->data.push_back(std::uint8_t(i * 7));
  sc_core::sc_start();
  CHECK(r.src[0]->status == tlm::TLM_OK_RESPONSE);
  for (unsigned i = 0; i < 1024; ++i) REQUIRE(r.mem[2]->bytes.at(0x1000 + i) == std::uint8_t(i * 7));
  CHECK(r.mem[1]->bytes.empty());
  CHECK(r.mem[3]->bytes.empty());
  // 0 and 2 are two hops apart both ways; ties go towards g-1: 0 -> 3 -> 2.
  CHECK(r.link(0, 3).packets() == 4);
  CHECK(r.link(3, 2).packets() == 4);
  CHECK(r.link(0, 1).packets() == 0);
  stat_sink s;
  r.nics[3]->report_stats(s);
  CHECK(r.link(0, 3).payload_bytes(traffic_phase::reduce_scatter) == 1024);
  CHECK(r.link(0, 3).header_bytes() == 4 * 16);
  // Store and forward: the last packet leaves gpu0 after 4 wire times, arrives 500 ns later, leaves
  // gpu3 one wire time later (the link is idle), arrives 500 ns after that.
  const double wire = 272.0 / 75.0;
  CHECK(r.mem[2]->last_write.to_seconds() * 1e9 == Approx(4 * wire + 500 + wire + 500).margin(0.01));
  // The writer is released when its last packet starts on the wire.
  CHECK(r.src[0]->accepted.to_seconds() * 1e9 == Approx(3 * wire).margin(0.01));
}

TEST_CASE("NIC - a one-packet buffer stalls every packet for a credit round trip", "[nic]") {
  link_config cfg;
  cfg.buffer_bytes = 272;  // one credit
  ring_fixture r(2, cfg);
  r.src[0]->addr = global_address(1, 0);
  r.src[0]->data.assign(8 * 256, 0x5a);
  sc_core::sc_start();
  const double wire = 272.0 / 75.0;
  link_direction& l = r.link(0, 1);
  CHECK(l.packets() == 8);
  CHECK(l.buffer_bytes_in_use_max() == 272);
  stat_sink s;
  l.report_stats(s);
  double stalls = -1;
  for (auto& v : s.values)
    if (v.name == "credit_stalls") stalls = v.value;
  CHECK(stalls == 7);
  // Packet k starts when packet k-1's credit is back: wire + latency (arrival, written at once) + latency.
  CHECK(r.mem[1]->last_write.to_seconds() * 1e9 == Approx(8 * wire + 7 * 1000.0 + 500).margin(0.01));
}

TEST_CASE("NIC - credits count bytes: short packets share a buffer sized for one full packet", "[nic]") {
  link_config cfg;
  cfg.buffer_bytes = 272;  // one full packet (256 + 16), or three of 64 + 16
  ring_fixture r(3, cfg);
  r.src[0]->addr = global_address(2, 0);  // (a ring of 3: 2 is gpu0's g-1 neighbour)
  r.src[0]->data.assign(8 * 64, 0x3c);
  r.src[0]->piece = 64;  // eight 80-byte packets
  sc_core::sc_start();
  CHECK(r.src[0]->status == tlm::TLM_OK_RESPONSE);
  for (unsigned i = 0; i < 8 * 64; ++i) REQUIRE(r.mem[2]->bytes.at(i) == 0x3c);
  link_direction& l = r.link(0, 2);
  CHECK(l.packets() == 8);
  CHECK(l.buffer_bytes_in_use_max() == 3 * 80);  // (counted in packet slots of the maximum size: 80, one at a time)
  // Three packets per credit round trip (a credit is back wire + 2 x latency after its packet's start):
  // packet k >= 3 starts when packet k-3's credit is back, so the eighth at 3 wire + 2 x 1000 ns.
  const double wire = 80.0 / 75.0;
  CHECK(r.mem[2]->last_write.to_seconds() * 1e9 == Approx(3 * wire + 2000 + wire + 500).margin(0.01));
  CHECK(l.state().find(": 0 B of packets in flight, ") != std::string::npos);  // every byte came back
}

TEST_CASE("NIC - reads of remote memory and writes to the own GPU are refused with TLM errors", "[nic]") {
  ring_fixture r(2, link_config{});
  r.src[0]->addr = global_address(0, 0x40);  // own memory: not the NIC's business
  r.src[0]->data.assign(64, 1);
  sc_core::sc_start();
  CHECK(r.src[0]->status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(r.mem[0]->bytes.empty());
}

TEST_CASE("collective engine - a kernel whose neighbour never sends reports what it waits for", "[nic][collective]") {
  tlm::tlm_global_quantum::instance().set(sc_core::sc_time(20, sc_core::SC_NS));
  collective_engine ccl("ccl", collective_config{2, 256, 128, 1.4}, 0);
  nic n0("nic0", 0, 2, link_config{}, {1}), n1("nic1", 1, 2, link_config{}, {0});
  byte_memory m0("m0"), m0_in("m0_in"), m1("m1");
  ccl.mem_socket.bind(m0.socket);
  ccl.net_socket.bind(n0.out_socket);
  n0.mem_socket.bind(m0_in.socket);
  n1.mem_socket.bind(m1.socket);
  writer idle("idle");  // nothing to send from gpu1
  idle.socket.bind(n1.out_socket);
  n0.connect(n1);
  n1.connect(n0);
  n0.set_delivery_observer([&](const tlm::tlm_generic_payload& gp, const sc_core::sc_time& t) { ccl.on_delivered(gp, t); });
  struct starter : sc_core::sc_module {
    collective_engine& e;
    starter(const sc_core::sc_module_name& n, collective_engine& e) : sc_module(n), e(e) {
      SC_HAS_PROCESS(starter);
      SC_THREAD(run);
    }
    void run() {
      collective_kernel k;
      k.program = make_ring_program(ring_op::reduce_scatter, ring_tensor{64, 64, 2, 0, 1 << 20}, 2, 0);
      e.launch(k);
    }
  } go("go", ccl);
  sc_core::sc_start();  // gpu1 runs no kernel: gpu0 sends its chunk, then waits forever for chunk 0
  CHECK(ccl.busy());
  const std::string why = ccl.blocked_on();
  INFO(why);
  CHECK(why.find("reduce-scatter") != std::string::npos);
  CHECK(why.find("waiting for chunk 0") != std::string::npos);
  CHECK(why.find("from gpu1") != std::string::npos);
  CHECK(m1.bytes.size() == 32 * 64 * 2);  // its own step: chunk 1 landed at gpu1's receive buffer
}
