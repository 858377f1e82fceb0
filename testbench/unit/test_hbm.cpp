// HBM pseudo-channel timing and the memory controller's functional and error behaviour, exercised by
// direct LT calls (no kernel run needed).
#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include "models/hbm/hbm.h"
#include "models/memory_controller/memory_controller.h"
#include "testbench/unit/stat_lookup.h"
#include "tlm/payload_pool.h"

using namespace t3vp;
using t3vp::test::stat;

TEST_CASE("address mapping is a bijection over pseudo-channels and banks", "[hbm]") {
  hbm_geometry g;
  std::set<std::pair<unsigned, std::uint64_t>> seen;
  for (std::uint64_t a = 0; a < (4u << 20); a += g.burst_bytes) {
    const hbm_address h = map_address(g, a);
    REQUIRE(h.pc < g.pseudo_channels());
    REQUIRE(seen.insert({h.pc, h.pc_addr}).second);
  }
  std::set<std::tuple<unsigned, unsigned, unsigned, unsigned>> locs;
  for (std::uint64_t a = 0; a < (1u << 20); a += g.burst_bytes) {
    const dram_location l = decode_pc_address(g, a);
    REQUIRE(l.bank_group < g.bank_groups);
    REQUIRE(l.bank < g.banks_per_group);
    REQUIRE(l.column < g.row_bytes / g.burst_bytes);
    REQUIRE(locs.insert({l.bank_group, l.bank, l.row, l.column}).second);
  }
}

TEST_CASE("pseudo-channel: an idle read costs ACT + tRCD + CL + burst and a row hit skips the ACT", "[hbm]") {
  hbm_geometry g;
  dram_timing t;
  t.refresh = refresh_mode::off;
  pseudo_channel pc("pc", g, t);
  const access_timing miss = pc.schedule(mem_op::read, 0, g.burst_bytes, 100, false);
  CHECK(miss.first_command == 100);
  CHECK(miss.done == 100 + t.trcd + t.cl + t.burst_cycles);
  // Same row, same bank, later: a hit.
  const std::uint64_t addr = g.burst_bytes * g.bank_groups;  // next column of the same bank
  REQUIRE(decode_pc_address(g, addr).row == decode_pc_address(g, 0).row);
  const access_timing hit = pc.schedule(mem_op::read, addr, g.burst_bytes, 1000, false);
  CHECK(hit.done == 1000 + t.cl + t.burst_cycles);
  CHECK(pc.row_hits() == 1);
  CHECK(pc.row_misses() == 1);
}

TEST_CASE("pseudo-channel: a streaming read reaches the data-bus peak and updates are slower than writes", "[hbm]") {
  hbm_geometry g;
  dram_timing t;
  t.refresh = refresh_mode::off;
  auto stream = [&](mem_op op) {
    pseudo_channel pc("pc", g, t);
    std::uint64_t done = 0;
    const std::uint64_t bytes = 1 << 20;
    for (std::uint64_t a = 0; a < bytes; a += 256) done = std::max(done, pc.schedule(op, a, 256, 0, false).done);
    return double(bytes) / double(done);  // bytes per cycle
  };
  const double peak = double(g.burst_bytes) / t.burst_cycles;
  const double rd = stream(mem_op::read), wr = stream(mem_op::write), up = stream(mem_op::update);
  INFO("read " << rd << " write " << wr << " update " << up << " B/cycle of " << peak);
  CHECK(rd > 0.95 * peak);
  CHECK(wr > 0.95 * peak);
  // An update holds its bank group for 2*tCCD_L + ALU cycles: the bank groups in turn bound the rate.
  const double update_bound = double(g.bank_groups) * g.burst_bytes / (2.0 * t.tccd_l + t.nmc_alu_cycles);
  CHECK(up < wr);
  CHECK(up <= update_bound * 1.001);
  CHECK(up > 0.95 * update_bound);
}

TEST_CASE("pseudo-channel: refresh costs bandwidth and closes rows", "[hbm]") {
  hbm_geometry g;
  auto run = [&](refresh_mode m) {
    dram_timing t;
    t.refresh = m;
    pseudo_channel pc("pc", g, t);
    std::uint64_t done = 0;
    for (std::uint64_t a = 0; a < (4u << 20); a += 256) done = std::max(done, pc.schedule(mem_op::read, a, 256, 0, false).done);
    return std::make_pair(done, pc.refreshes());
  };
  const auto off = run(refresh_mode::off), per_bank = run(refresh_mode::per_bank), all = run(refresh_mode::all_bank);
  CHECK(off.second == 0);
  CHECK(per_bank.second > 0);
  CHECK(all.second > 0);
  CHECK(per_bank.first > off.first);
  CHECK(all.first > per_bank.first);
}

namespace {
// The forward interface behind a target socket, to call a target directly (no kernel run needed).
template <typename Socket>
tlm::tlm_fw_transport_if<>& fw(Socket& s) {
  sc_core::sc_export<tlm::tlm_fw_transport_if<>>& ex = s;
  return *ex.operator->();
}

struct mc_fixture {
  hbm_config cfg;
  std::unique_ptr<hbm_device> dram;
  std::unique_ptr<memory_controller> mc;
  payload_pool pool;
  explicit mc_fixture(const mc_config& mcc = {}) {
    cfg.geometry.stacks = 1;
    cfg.geometry.channels_per_stack = 1;
    cfg.geometry.pcs_per_channel = 1;  // one pseudo-channel: every address maps to it
    dram = std::make_unique<hbm_device>("hbm", cfg, true);
    mc = std::make_unique<memory_controller>("mc0", 0, mcc, dram->pc(0), dram->storage());
  }
  // delay_out, if given, holds the time of the request on entry (annotated delay) and its completion on exit.
  tlm::tlm_response_status access(mem_op op, std::uint64_t addr, std::uint8_t* data, unsigned len,
                                  elem_type dt = elem_type::fp16, sc_core::sc_time* delay_out = nullptr) {
    tlm::tlm_generic_payload* gp = pool.acquire();
    gp->set_command(op == mem_op::read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    gp->set_address(addr);
    gp->set_data_ptr(data);
    gp->set_data_length(len);
    gp->set_streaming_width(len);
    ext_of(*gp).op = op;
    ext_of(*gp).dtype = dt;
    sc_core::sc_time delay = delay_out ? *delay_out : sc_core::SC_ZERO_TIME;
    fw(mc->target_socket).b_transport(*gp, delay);
    if (delay_out) *delay_out = delay;
    auto s = gp->get_response_status();
    gp->release();
    return s;
  }
};
}  // namespace

TEST_CASE("memory controller: data written is read back and updates add in the bank", "[hbm][mc]") {
  mc_fixture f;
  std::uint16_t w[16], r[16], u[16];
  for (int i = 0; i < 16; ++i) {
    w[i] = 0x3C00;  // 1.0 in FP16
    u[i] = 0x4000;  // 2.0
  }
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  REQUIRE(f.access(mem_op::write, 4096, reinterpret_cast<std::uint8_t*>(w), 32, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  CHECK(d > sc_core::SC_ZERO_TIME);
  REQUIRE(f.access(mem_op::update, 4096, reinterpret_cast<std::uint8_t*>(u), 32) == tlm::TLM_OK_RESPONSE);
  REQUIRE(f.access(mem_op::read, 4096, reinterpret_cast<std::uint8_t*>(r), 32) == tlm::TLM_OK_RESPONSE);
  for (int i = 0; i < 16; ++i) CHECK(r[i] == 0x4200);  // 3.0
  // Untouched memory reads as zero and allocates nothing.
  const auto pages = f.dram->storage()->pages_touched();
  REQUIRE(f.access(mem_op::read, 100 << 20, reinterpret_cast<std::uint8_t*>(r), 32) == tlm::TLM_OK_RESPONSE);
  CHECK(r[0] == 0);
  CHECK(f.dram->storage()->pages_touched() == pages);
}

TEST_CASE("memory controller: posted writes are acknowledged when queued and go to DRAM in batches", "[hbm][mc]") {
  mc_fixture f;  // defaults: a batch at 16 waiting writes, or once the oldest has waited 400 ns
  const mc_config defaults;
  REQUIRE(defaults.write_drain_high == 16);
  const sc_core::sc_time frontend(defaults.frontend_latency_ns, sc_core::SC_NS);
  const std::uint64_t bursts_per_write = 256 / f.cfg.geometry.burst_bytes;
  std::vector<std::uint8_t> data(256), back(256);
  for (unsigned i = 0; i < 15; ++i) {
    std::fill(data.begin(), data.end(), std::uint8_t(i + 1));
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    REQUIRE(f.access(mem_op::write, i * 256, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
    CHECK(d == frontend);  // acknowledged on entering the queue
  }
  CHECK(f.dram->pc(0).bursts() == 0);  // nothing placed yet
  // The data is there at once: a read sees the waiting write's bytes.
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  REQUIRE(f.access(mem_op::read, 3 * 256, back.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  CHECK(back[0] == 4);
  CHECK(f.dram->pc(0).bursts() == bursts_per_write);
  // The 16th write drains all sixteen as one batch.
  d = sc_core::SC_ZERO_TIME;
  REQUIRE(f.access(mem_op::write, 15 * 256, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  CHECK(f.dram->pc(0).bursts() == 17 * bursts_per_write);
  CHECK(stat(*f.mc, "write_drains") == 1);
  // Writes whose first has waited out the age limit went to DRAM at that moment: a request arriving
  // well after it finds the bus free again (placing the 15 writes at the read's arrival instead would
  // keep the read waiting behind 120 bursts).
  for (unsigned i = 0; i < 15; ++i) {
    d = sc_core::sc_time(100, sc_core::SC_NS);
    REQUIRE(f.access(mem_op::write, (64 + i) * 256, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  }
  CHECK(f.dram->pc(0).bursts() == 17 * bursts_per_write);
  const sc_core::sc_time read_at(100 + defaults.write_drain_age_ns + 600, sc_core::SC_NS);
  d = read_at;
  REQUIRE(f.access(mem_op::read, 0, back.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  CHECK(f.dram->pc(0).bursts() == 33 * bursts_per_write);
  CHECK(stat(*f.mc, "write_drains") == 2);
  CHECK(d - read_at < sc_core::sc_time(150, sc_core::SC_NS));  // an idle read: front end, ACT, tRCD, CL, bursts
  CHECK(stat(*f.mc, "queue.full_stalls") == 0);
  // The end of a run places whatever still waits.
  d = sc_core::sc_time(2000, sc_core::SC_NS);
  REQUIRE(f.access(mem_op::write, 128 * 256, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  CHECK(f.dram->pc(0).bursts() == 33 * bursts_per_write);
  f.mc->drain_writes();
  CHECK(f.dram->pc(0).bursts() == 34 * bursts_per_write);
  CHECK(f.mc->last_done() * f.cfg.timing.tck_ns > 2000 + defaults.frontend_latency_ns);
  CHECK(stat(*f.mc, "writes") == 32);
}

TEST_CASE("memory controller: a queue held only by waiting writes drains them, and write_drain_low keeps some back", "[hbm][mc]") {
  std::vector<std::uint8_t> data(256, 3);
  const std::uint64_t bursts_per_write = 256 / hbm_geometry{}.burst_bytes;
  sc_core::sc_time d;
  {
  mc_config c;
  c.queue_entries = 4;  // below the watermark: the full queue, not the watermark, places them
  c.write_drain_age_ns = 0;
  mc_fixture f(c);
  for (unsigned i = 0; i < 4; ++i) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    REQUIRE(f.access(mem_op::write, i * 256, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  }
  CHECK(f.dram->pc(0).bursts() == 0);
  d = sc_core::SC_ZERO_TIME;
  REQUIRE(f.access(mem_op::write, 4 * 256, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  CHECK(f.dram->pc(0).bursts() == 4 * bursts_per_write);
  CHECK(stat(*f.mc, "queue.full_stalls") == 1);
  CHECK(d > sc_core::sc_time(c.frontend_latency_ns, sc_core::SC_NS));  // it waited for an entry
  }  // (the next fixture reuses the module names)
  mc_config w;
  w.write_drain_high = 8;
  w.write_drain_low = 3;
  mc_fixture g(w);
  for (unsigned i = 0; i < 8; ++i) {
    d = sc_core::SC_ZERO_TIME;
    REQUIRE(g.access(mem_op::write, i * 256, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  }
  CHECK(g.dram->pc(0).bursts() == 5 * bursts_per_write);  // down to the low watermark
  g.mc->drain_writes();
  CHECK(g.dram->pc(0).bursts() == 8 * bursts_per_write);
}

TEST_CASE("memory controller: with mc.write_drain_high=0 a write is placed and completes on DRAM", "[hbm][mc]") {
  mc_config c;
  c.write_drain_high = 0;
  mc_fixture f(c);
  std::vector<std::uint8_t> data(256, 7);
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  REQUIRE(f.access(mem_op::write, 0, data.data(), 256, elem_type::fp16, &d) == tlm::TLM_OK_RESPONSE);
  CHECK(f.dram->pc(0).bursts() == 256 / f.cfg.geometry.burst_bytes);
  // ACT, tRCD, write latency and the bursts come on top of the front end.
  CHECK(d > sc_core::sc_time(c.frontend_latency_ns + f.cfg.timing.trcd * f.cfg.timing.tck_ns, sc_core::SC_NS));
  CHECK(stat(*f.mc, "write_drains") == 0);
}

TEST_CASE("memory controller: errors come back as TLM response codes", "[hbm][mc]") {
  mc_fixture f;
  std::uint8_t buf[64] = {};
  const std::uint64_t cap = f.cfg.geometry.capacity_bytes();
  CHECK(f.access(mem_op::read, cap - 16, buf, 32) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(f.access(mem_op::read, 0, buf, 0) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(f.access(mem_op::update, 2, buf, 6, elem_type::fp32) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // misaligned
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(0);
  gp.set_data_ptr(buf);
  gp.set_data_length(32);
  gp.set_byte_enable_ptr(buf);
  gp.set_byte_enable_length(32);
  sc_core::sc_time d;
  fw(f.mc->target_socket).b_transport(gp, d);
  CHECK(gp.get_response_status() == tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
}

TEST_CASE("memory controller: transport_dbg reads and writes without time or statistics", "[hbm][mc]") {
  mc_fixture f;
  std::uint8_t in[40], out[40] = {};
  for (int i = 0; i < 40; ++i) in[i] = std::uint8_t(i + 1);
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(123);
  gp.set_data_ptr(in);
  gp.set_data_length(40);
  CHECK(fw(f.mc->target_socket).transport_dbg(gp) == 40);
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_data_ptr(out);
  CHECK(fw(f.mc->target_socket).transport_dbg(gp) == 40);
  CHECK(std::memcmp(in, out, 40) == 0);
  stat_sink s;
  f.mc->report_stats(s);
  for (const auto& v : s.values)
    if (v.name == "reads" || v.name == "writes") CHECK(v.value == 0);
  CHECK(f.dram->pc(0).bursts() == 0);
}

TEST_CASE("sparse memory: pages from several chunks keep their data and untouched pages read as zero", "[hbm]") {
  sparse_memory m(1ull << 30);
  // 40 pages, one every 3 MiB: more pages than one 2 MiB chunk holds, touched out of address order.
  constexpr unsigned n = 40;
  for (unsigned i = 0; i < n; ++i) {
    const std::uint64_t page = (n - 1 - i) * 48ull;
    std::uint8_t v[8];
    for (unsigned b = 0; b < 8; ++b) v[b] = std::uint8_t(page + b);
    // Straddles a page boundary: two pages per write.
    m.write(page * sparse_memory::page_size + sparse_memory::page_size - 4, v, 8);
  }
  CHECK(m.pages_touched() == 2 * n);
  for (unsigned i = 0; i < n; ++i) {
    const std::uint64_t page = i * 48ull;
    std::uint8_t r[16];
    m.read(page * sparse_memory::page_size + sparse_memory::page_size - 8, r, 16);
    for (unsigned b = 0; b < 4; ++b) CHECK(r[b] == 0);  // written by nobody: zero
    for (unsigned b = 0; b < 8; ++b) CHECK(r[4 + b] == std::uint8_t(page + b));
    for (unsigned b = 12; b < 16; ++b) CHECK(r[b] == 0);
  }
  std::uint8_t z[4] = {1, 1, 1, 1};
  m.read(5ull << 20, z, 4);  // an untouched page
  CHECK((z[0] | z[1] | z[2] | z[3]) == 0);
  CHECK(m.pages_touched() == 2 * n);
}
