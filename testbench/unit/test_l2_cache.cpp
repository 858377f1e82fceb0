// Unit tests of the L2 cache (models/l2/l2_cache.h) against a tiny fake memory. Each TEST_CASE builds
// its own modules and elaborates once (sc_start), then calls b_transport directly from sc_main's
// context: the cache is an LT target that never waits. One elaboration per process: run one test case
// per process (catch_discover_tests does).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "testbench/unit/stat_lookup.h"
#include "models/l2/l2_cache.h"
#include "tlm/mem_extension.h"
#include "tlm/stats.h"

namespace {

using namespace t3vp;
using t3vp::test::stat;
using sc_core::sc_time;
using sc_core::SC_NS;

// A memory target with a fixed latency that records every b_transport it serves.
struct fake_memory : sc_core::sc_module {
  struct record {
    tlm::tlm_command cmd;
    std::uint64_t addr;
    std::uint64_t len;
    mem_op op;
    traffic_class cls;
    traffic_phase phase;
    std::int32_t producer_tile;
    bool timing_only;
    const tlm::tlm_generic_payload* gp;
  };

  tlm_utils::simple_target_socket<fake_memory> socket;
  std::vector<std::uint8_t> data;  // empty: no storage (reads give nothing, writes are dropped)
  bool keep_data;
  sc_time latency;
  std::vector<record> log;
  bool keep_log = true;
  std::uint64_t read_bytes = 0, write_bytes = 0, timing_only_write_bytes = 0, update_bytes = 0;
  std::uint64_t reads = 0, writes = 0, timing_only_writes = 0, updates = 0, dbg_calls = 0;

  fake_memory(const sc_core::sc_module_name& n, std::uint64_t capacity, sc_time lat)
      : sc_module(n), socket("socket"), data(capacity, 0), keep_data(capacity != 0), latency(lat) {
    socket.register_b_transport(this, &fake_memory::b_transport);
    socket.register_transport_dbg(this, &fake_memory::transport_dbg);
  }

  bool in_range(const tlm::tlm_generic_payload& gp) const {
    return !keep_data || (gp.get_address() <= data.size() && gp.get_data_length() <= data.size() - gp.get_address());
  }

  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    if (!in_range(gp)) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    const access_info ai = describe(gp);
    const mem_extension* ext = nullptr;
    gp.get_extension(ext);
    if (keep_log)
      log.push_back({gp.get_command(), gp.get_address(), gp.get_data_length(), ai.op, ai.cls, ai.phase,
                     ext ? ext->producer.tile : -1, ai.timing_only, &gp});
    const std::uint64_t a = gp.get_address(), n = gp.get_data_length();
    std::uint8_t* p = gp.get_data_ptr();
    switch (ai.op) {
      case mem_op::read:
        ++reads;
        read_bytes += n;
        if (keep_data) std::memcpy(p, &data[a], n);
        break;
      case mem_op::write:
        if (ai.timing_only) {
          ++timing_only_writes;
          timing_only_write_bytes += n;
        } else {
          ++writes;
          write_bytes += n;
          if (keep_data) std::memcpy(&data[a], p, n);
        }
        break;
      case mem_op::update:  // byte-wise add: enough to see that the update reached memory
        ++updates;
        update_bytes += n;
        if (keep_data)
          for (std::uint64_t i = 0; i < n; ++i) data[a + i] = std::uint8_t(data[a + i] + p[i]);
        break;
    }
    delay += latency;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) {
    ++dbg_calls;
    if (!in_range(gp)) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return 0;
    }
    const std::uint64_t a = gp.get_address(), n = gp.get_data_length();
    if (keep_data) {
      if (gp.is_read())
        std::memcpy(gp.get_data_ptr(), &data[a], n);
      else if (gp.is_write())
        std::memcpy(&data[a], gp.get_data_ptr(), n);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return unsigned(n);
  }

  std::uint64_t fill_reads() const {
    std::uint64_t n = 0;
    for (const auto& r : log) n += r.op == mem_op::read;
    return n;
  }
};

struct test_initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<test_initiator> socket;
  explicit test_initiator(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {}
};

// Small geometry: 4 slices x 8 sets x 4 ways x 128 B = 16 KiB.
l2_config small_config() {
  l2_config c;
  c.size_bytes = 16 << 10;
  c.ways = 4;
  c.line_bytes = 128;
  c.slices = 4;
  c.clock_ghz = 1.0;  // 1 cycle = 1 ns: easy arithmetic
  c.slice_bytes_per_cycle = 64;
  c.hit_latency_cycles = 100;
  return c;
}

struct rig {
  fake_memory mem;
  l2_cache l2;
  test_initiator ini;
  tlm::tlm_generic_payload gp;
  mem_extension* ext = new mem_extension;  // owned by gp once set

  rig(const l2_config& cfg, std::uint64_t mem_bytes = 1 << 20, sc_time mem_latency = sc_time(50, SC_NS),
      sc_time run_first = sc_core::SC_ZERO_TIME)
      : mem("mem", mem_bytes, mem_latency), l2("l2", cfg), ini("ini") {
    ini.socket.bind(l2.target_socket);
    l2.memory_socket.bind(mem.socket);
    gp.set_extension(ext);
    sc_core::sc_start(run_first);  // elaborate (once per process); time may advance
  }

  // One access through the cache; returns the annotated delay. data may be null for a scratch buffer.
  sc_time access(mem_op op, std::uint64_t addr, std::uint64_t len, std::uint8_t* data = nullptr,
                 sc_time delay = sc_core::SC_ZERO_TIME, traffic_class cls = traffic_class::compute,
                 traffic_phase phase = traffic_phase::gemm) {
    static std::vector<std::uint8_t> scratch;
    if (!data) {
      if (scratch.size() < len) scratch.resize(len);
      data = scratch.data();
    }
    gp.set_command(op == mem_op::read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(unsigned(len));
    gp.set_streaming_width(unsigned(len));
    gp.set_byte_enable_ptr(nullptr);
    gp.set_byte_enable_length(0);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    ext->op = op;
    ext->cls = cls;
    ext->phase = phase;
    ext->timing_only = false;
    ini.socket->b_transport(gp, delay);
    return delay;
  }
  sc_time read(std::uint64_t addr, std::uint64_t len, sc_time delay = sc_core::SC_ZERO_TIME) {
    return access(mem_op::read, addr, len, nullptr, delay);
  }
  sc_time write(std::uint64_t addr, std::uint64_t len, sc_time delay = sc_core::SC_ZERO_TIME) {
    return access(mem_op::write, addr, len, nullptr, delay);
  }
  bool ok() const { return gp.get_response_status() == tlm::TLM_OK_RESPONSE; }
};

std::set<std::string> stat_names(const l2_cache& l2) {
  stat_sink s;
  l2.report_stats(s);
  std::set<std::string> names;
  for (const auto& v : s.values) names.insert(v.name);
  return names;
}

}  // namespace

TEST_CASE("l2: read miss fills one line per line then hits", "[l2]") {
  rig r(small_config());
  const sc_time occ(2, SC_NS), hit(100, SC_NS), mem_lat(50, SC_NS);
  REQUIRE(r.l2.slice_occupancy() == occ);
  REQUIRE(r.l2.hit_latency() == hit);

  // Cold single-line read: one fill of exactly one line; done = memory completion + transfer.
  sc_time d = r.read(0x1010, 16);
  CHECK(r.ok());
  CHECK(d == mem_lat + occ);
  REQUIRE(r.mem.log.size() == 1);
  CHECK(r.mem.log[0].addr == 0x1000);
  CHECK(r.mem.log[0].len == 128);
  CHECK(r.mem.log[0].cmd == tlm::TLM_READ_COMMAND);
  CHECK(r.mem.log[0].timing_only);  // a fill's data is discarded: memory need not copy it
  CHECK(r.l2.misses(traffic_class::compute) == 1);
  CHECK(r.l2.bytes_read_from_memory() == 128);

  // The same line again: a hit, no DRAM traffic. Arrival later than the slice's next free time.
  d = r.read(0x1000, 128, sc_time(1000, SC_NS));
  CHECK(d == sc_time(1000, SC_NS) + hit);
  CHECK(r.mem.log.size() == 1);
  CHECK(r.l2.hits(traffic_class::compute) == 1);

  // An unaligned cold 3-line read: exactly 3 lines read, in one coalesced request.
  r.read(0x2040, 300);  // 0x2040 .. 0x216b: lines 0x2000, 0x2080, 0x2100
  REQUIRE(r.mem.log.size() == 2);
  CHECK(r.mem.log[1].addr == 0x2000);
  CHECK(r.mem.log[1].len == 3 * 128);
  CHECK(r.l2.bytes_read_from_memory() == 4 * 128);
  CHECK(r.l2.misses() == 4);
  CHECK(r.l2.read_requests() == 3);
}

TEST_CASE("l2: a working set that fits is read from memory once", "[l2]") {
  rig r(small_config());
  const std::uint64_t ws = 8 << 10;  // half the cache
  for (int pass = 0; pass < 5; ++pass)
    for (std::uint64_t a = 0; a < ws; a += 1024) {
      r.read(a, 1024);
      REQUIRE(r.ok());
    }
  CHECK(r.mem.read_bytes == ws);
  CHECK(r.l2.bytes_read_from_memory() == ws);
  CHECK(r.l2.misses() == ws / 128);
  CHECK(r.l2.hits() == 4 * ws / 128);
  CHECK(r.l2.fill_requests() == ws / 1024);  // each 1 KiB request coalesced into one fill
  CHECK(r.l2.hit_rate() == Approx(0.8));
  CHECK(r.mem.timing_only_writes == 0);

  // The full capacity also fits (the slice hash spreads consecutive lines evenly over sets).
  for (int pass = 0; pass < 2; ++pass)
    for (std::uint64_t a = 0; a < r.l2.capacity_bytes(); a += 4096) r.read(a, 4096);
  CHECK(r.l2.bytes_read_from_memory() == r.l2.capacity_bytes());
}

TEST_CASE("l2: LRU replacement evicts the least recently used way", "[l2]") {
  l2_config c = small_config();
  c.slices = 1;
  c.size_bytes = 4 * 128;  // one fully associative set of 4 ways
  rig r(c);
  REQUIRE(r.l2.ways() == 4);
  REQUIRE(r.l2.sets_per_slice() == 1);
  const std::uint64_t A = 0x0000, B = 0x1000, C = 0x2000, D = 0x3000, E = 0x4000, F = 0x5000;
  for (auto a : {A, B, C, D}) r.read(a, 128);
  r.read(A, 4);  // A becomes most recent: order (old->new) B C D A
  r.read(E, 4);  // evicts B
  CHECK(r.l2.contains(A));
  CHECK_FALSE(r.l2.contains(B));
  CHECK(r.l2.contains(C));
  CHECK(r.l2.contains(D));
  CHECK(r.l2.contains(E));
  r.read(C, 4);  // order D A E C
  r.read(F, 4);  // evicts D
  CHECK_FALSE(r.l2.contains(D));
  CHECK(r.l2.contains(C));
  const auto fills = r.mem.fill_reads();
  r.read(B, 4);  // B was evicted: a miss again (evicts A)
  CHECK(r.mem.fill_reads() == fills + 1);
  CHECK_FALSE(r.l2.contains(A));
  CHECK(r.l2.valid_lines() == 4);
  CHECK(r.l2.write_backs() == 0);  // all clean
}

TEST_CASE("l2: dirty eviction writes back one timing-only line attributed to its writer", "[l2]") {
  l2_config c = small_config();
  c.slices = 1;
  c.size_bytes = 4 * 128;
  rig r(c);
  const std::uint64_t A = 0x800;
  r.access(mem_op::write, A, 128, nullptr, sc_core::SC_ZERO_TIME, traffic_class::comm, traffic_phase::reduce_scatter);
  CHECK(r.l2.is_dirty(A));
  CHECK(r.mem.log.empty());  // full-line write: no fill; data went by transport_dbg
  for (std::uint64_t a : {0x1000, 0x2000, 0x3000}) r.read(a, 128);
  CHECK(r.l2.write_backs() == 0);
  r.read(0x4000, 128);  // evicts A
  CHECK_FALSE(r.l2.contains(A));
  REQUIRE(r.mem.timing_only_writes == 1);
  CHECK(r.mem.timing_only_write_bytes == 128);
  CHECK(r.mem.writes == 0);  // no data-carrying write ever reached memory through b_transport
  const fake_memory::record* wb = nullptr;
  for (const auto& rec : r.mem.log)
    if (rec.op == mem_op::write) wb = &rec;
  REQUIRE(wb != nullptr);
  CHECK(wb->cmd == tlm::TLM_WRITE_COMMAND);
  CHECK(wb->addr == A);
  CHECK(wb->len == 128);
  CHECK(wb->timing_only);
  CHECK(wb->cls == traffic_class::comm);
  CHECK(wb->phase == traffic_phase::reduce_scatter);
  CHECK(r.l2.write_backs(traffic_class::comm) == 1);
  CHECK(r.l2.write_backs(traffic_class::compute) == 0);
  CHECK(r.l2.bytes_written_back() == 128);
  // The fill that caused it carries the reader's class and phase.
  CHECK(r.mem.log.back().op == mem_op::read);
  CHECK(r.mem.log.back().cls == traffic_class::compute);
  CHECK(r.mem.log.back().phase == traffic_phase::gemm);
}

TEST_CASE("l2: full-line write allocates without a fill and partial write fills first", "[l2]") {
  rig r(small_config());
  r.write(0x400, 128);  // whole line
  CHECK(r.ok());
  CHECK(r.mem.log.empty());
  CHECK(r.l2.contains(0x400));
  CHECK(r.l2.is_dirty(0x400));
  CHECK(r.l2.misses() == 1);

  sc_time d = r.write(0x810, 16, sc_time(1, sc_core::SC_US));  // partial line: fill first
  REQUIRE(r.mem.log.size() == 1);
  CHECK(r.mem.log[0].op == mem_op::read);
  CHECK(r.mem.log[0].addr == 0x800);
  CHECK(r.mem.log[0].len == 128);
  CHECK(r.l2.is_dirty(0x800));
  CHECK(d == sc_time(1000 + 50 + 2, SC_NS));  // fill completion + transfer

  // Write hit on a clean line: no traffic, marks dirty.
  r.read(0xc00, 128);
  CHECK_FALSE(r.l2.is_dirty(0xc00));
  const auto n = r.mem.log.size();
  r.write(0xc04, 4);
  CHECK(r.mem.log.size() == n);
  CHECK(r.l2.is_dirty(0xc00));

  // Unaligned 4-line write: the partial first and last lines fill (two separate requests), the two
  // middle lines allocate without fill.
  r.write(0x2040, 3 * 128);  // 0x2040 .. 0x21bf: lines 0x2000 (partial), 0x2080, 0x2100 (full), 0x2180 (partial)
  REQUIRE(r.mem.log.size() == n + 2);
  CHECK(r.mem.log[n].addr == 0x2000);
  CHECK(r.mem.log[n].len == 128);
  CHECK(r.mem.log[n + 1].addr == 0x2180);
  CHECK(r.mem.log[n + 1].len == 128);
  for (std::uint64_t a = 0x2000; a < 0x2200; a += 128) CHECK(r.l2.is_dirty(a));
  CHECK(r.mem.write_bytes == 0);
}

TEST_CASE("l2: contiguous misses of one request coalesce into one memory request", "[l2]") {
  rig r(small_config());
  r.read(0x400, 256);  // warm lines 8, 9
  r.mem.log.clear();
  r.read(0, 4096);  // lines 0..31: misses 0..7 and 10..31
  REQUIRE(r.mem.log.size() == 2);
  CHECK(r.mem.log[0].addr == 0);
  CHECK(r.mem.log[0].len == 8 * 128);
  CHECK(r.mem.log[1].addr == 0x500);
  CHECK(r.mem.log[1].len == 22 * 128);
  CHECK(r.l2.hits() == 2);
  CHECK(r.l2.misses() == 2 + 30);
}

TEST_CASE("l2: fills carry the requester's class phase and producer", "[l2]") {
  rig r(small_config());
  r.ext->producer.tile = 42;
  r.access(mem_op::read, 0x3000, 64, nullptr, sc_core::SC_ZERO_TIME, traffic_class::comm, traffic_phase::all_gather);
  REQUIRE(r.mem.log.size() == 1);
  CHECK(r.mem.log[0].cls == traffic_class::comm);
  CHECK(r.mem.log[0].phase == traffic_phase::all_gather);
  CHECK(r.mem.log[0].producer_tile == 42);
  CHECK(r.mem.log[0].gp != &r.gp);  // the cache's own payload
  CHECK(r.l2.misses(traffic_class::comm) == 1);
  CHECK(r.l2.misses(traffic_class::compute) == 0);
}

TEST_CASE("l2: uncached ranges bypass the cache", "[l2]") {
  rig r(small_config());
  r.l2.add_uncached_range(0x10000, 0x1000);
  std::vector<std::uint8_t> buf(100, 0xab);
  sc_time d = r.access(mem_op::write, 0x10010, 100, buf.data());
  CHECK(r.ok());
  REQUIRE(r.mem.log.size() == 1);  // forwarded as is: the same payload, exact address and length
  CHECK(r.mem.log[0].gp == &r.gp);
  CHECK(r.mem.log[0].addr == 0x10010);
  CHECK(r.mem.log[0].len == 100);
  CHECK(r.mem.log[0].op == mem_op::write);
  CHECK_FALSE(r.mem.log[0].timing_only);
  CHECK(r.mem.data[0x10010] == 0xab);
  CHECK(d == r.l2.bypass_latency(100) + sc_time(50, SC_NS));
  CHECK(r.l2.bypass_latency(100) == sc_time(2, SC_NS));

  std::vector<std::uint8_t> back(100, 0);
  r.access(mem_op::read, 0x10010, 100, back.data());
  CHECK(back == buf);
  // Straddling the range's start also bypasses.
  r.read(0xfff0, 32);
  CHECK(r.mem.log.back().addr == 0xfff0);
  CHECK(r.mem.log.back().len == 32);

  CHECK(r.l2.valid_lines() == 0);  // no tag state at all
  CHECK(r.l2.hits() + r.l2.misses() == 0);
  CHECK(r.l2.bypassed_uncached() == 3);
  CHECK(r.l2.bypassed_requests() == 3);
  CHECK(r.l2.bytes_read_from_memory() == 0);
  // Just outside the range: cached.
  r.read(0x11000, 32);
  CHECK(r.l2.contains(0x11000));
}

TEST_CASE("l2: updates bypass the cache", "[l2]") {
  rig r(small_config());
  r.mem.data[0x600] = 5;
  std::vector<std::uint8_t> inc(64, 1);
  sc_time d = r.access(mem_op::update, 0x600, 64, inc.data());
  CHECK(r.ok());
  REQUIRE(r.mem.log.size() == 1);
  CHECK(r.mem.log[0].gp == &r.gp);
  CHECK(r.mem.log[0].op == mem_op::update);
  CHECK(r.mem.log[0].len == 64);
  CHECK(r.mem.data[0x600] == 6);
  CHECK(r.mem.data[0x63f] == 1);
  CHECK(d == sc_time(1 + 50, SC_NS));  // one slice pass of 64 B + memory
  CHECK(r.l2.bypassed_updates() == 1);
  CHECK(r.l2.valid_lines() == 0);
  CHECK(r.mem.dbg_calls == 0);

  // An update to a cached line leaves the tag state alone (memory holds the data anyway).
  r.read(0x600, 128);
  r.access(mem_op::update, 0x600, 64, inc.data());
  CHECK(r.mem.data[0x600] == 7);
  CHECK(r.l2.contains(0x600));
  CHECK_FALSE(r.l2.is_dirty(0x600));
  std::vector<std::uint8_t> back(4);
  r.access(mem_op::read, 0x600, 4, back.data());
  CHECK(back[0] == 7);
  CHECK(r.l2.bypassed_updates() == 2);
}

TEST_CASE("l2: functional data always equals memory (write-through of data)", "[l2]") {
  l2_config c = small_config();
  c.size_bytes = 4 << 10;  // small: plenty of dirty evictions
  const std::uint64_t span = 64 << 10;
  rig r(c, span);
  std::vector<std::uint8_t> model(span, 0);
  std::uint64_t s = 12345;
  auto rnd = [&]() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return s >> 33;
  };
  std::vector<std::uint8_t> buf;
  for (int i = 0; i < 4000; ++i) {
    const std::uint64_t len = 1 + rnd() % 700;
    const std::uint64_t addr = rnd() % (span - len);
    buf.resize(len);
    if (rnd() % 2) {
      for (auto& b : buf) b = std::uint8_t(rnd());
      r.access(mem_op::write, addr, len, buf.data());
      REQUIRE(r.ok());
      std::memcpy(&model[addr], buf.data(), len);
    } else {
      r.access(mem_op::read, addr, len, buf.data());
      REQUIRE(r.ok());
      REQUIRE(std::memcmp(buf.data(), &model[addr], len) == 0);
    }
  }
  CHECK(r.l2.write_backs() > 100);  // timing-only write-backs happened and did not clobber data
  CHECK(r.mem.data == model);
  sc_time d;
  r.l2.flush(d);
  CHECK(r.mem.data == model);
  CHECK(r.mem.writes == 0);
}

TEST_CASE("l2: hit latency and slice bandwidth", "[l2]") {
  rig r(small_config(), 1 << 20, sc_time(50, SC_NS), sc_time(1, sc_core::SC_US));  // now = 1 us
  REQUIRE(sc_core::sc_time_stamp() == sc_time(1, sc_core::SC_US));
  const sc_time occ = r.l2.slice_occupancy(), hit = r.l2.hit_latency();
  REQUIRE(occ == sc_time(2, SC_NS));

  // N lines of one slice (distinct sets), warmed, then requested all at the same arrival.
  const unsigned N = 6;
  std::vector<std::uint64_t> lines;
  for (std::uint64_t a = 0; lines.size() < N; a += 128)
    if (r.l2.slice_of(a) == 1) lines.push_back(a);
  for (auto a : lines) r.read(a, 128);
  for (auto a : lines) REQUIRE(r.l2.contains(a));
  const sc_time t0(10, sc_core::SC_US);  // offset: every slice idle by then
  for (unsigned k = 0; k < N; ++k) {
    const sc_time d = r.read(lines[k], 128, t0);
    CHECK(d == t0 + double(k) * occ + hit);
  }
  // The N-th line's slot started at t0 + (N-1)*occ: N lines took N*occupancy of the slice.
  const sc_time t1(20, sc_core::SC_US);
  CHECK(r.read(lines[0], 128, t1) == t1 + hit);

  // A request spanning 4 consecutive (cached) lines: one per slice, in parallel.
  r.read(0x8000, 512);
  const sc_time t2(30, sc_core::SC_US);
  CHECK(r.read(0x8000, 512, t2) == t2 + hit);
  // 8 consecutive lines over 4 slices: two per slice.
  r.read(0x9000, 1024);
  const sc_time t3(40, sc_core::SC_US);
  CHECK(r.read(0x9000, 1024, t3) == t3 + occ + hit);

  // A miss: the fill is issued at the line's slot; done = memory completion + transfer.
  const sc_time t4(50, sc_core::SC_US);
  CHECK(r.read(0x40000, 128, t4) == t4 + sc_time(50, SC_NS) + occ);
  CHECK(r.l2.mean_latency_ns() > 0);
}

TEST_CASE("l2: flush writes back dirty lines once and invalidate_all drops lines", "[l2]") {
  rig r(small_config());
  r.write(0, 1024);  // 8 dirty lines
  r.read(0x4000, 512);
  CHECK(r.l2.dirty_lines() == 8);
  sc_time d(5, SC_NS);
  r.l2.flush(d);
  CHECK(r.mem.timing_only_writes == 8);
  CHECK(r.mem.timing_only_write_bytes == 1024);
  CHECK(r.l2.dirty_lines() == 0);
  CHECK(r.l2.valid_lines() == 12);
  CHECK(d > sc_time(5, SC_NS) + sc_time(50, SC_NS) - sc_time(1, SC_NS));
  sc_time d2(5, SC_NS);
  r.l2.flush(d2);  // nothing dirty: nothing written, delay unchanged
  CHECK(r.mem.timing_only_writes == 8);
  CHECK(d2 == sc_time(5, SC_NS));
  r.write(0, 128);
  r.l2.invalidate_all();
  CHECK(r.l2.valid_lines() == 0);
  r.l2.flush(d2);
  CHECK(r.mem.timing_only_writes == 8);
  r.read(0, 128);
  CHECK(r.l2.misses() == 8 + 4 + 1);
}

TEST_CASE("l2: error responses and debug transport", "[l2]") {
  rig r(small_config(), 64 << 10);
  // Out of memory's range: memory's error propagates, no state change.
  r.read(64 << 10, 128);
  CHECK(r.gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(r.l2.valid_lines() == 0);
  // Zero length.
  r.read(0, 0);
  CHECK(r.gp.get_response_status() == tlm::TLM_GENERIC_ERROR_RESPONSE);
  // Byte enables.
  std::uint8_t be[4] = {0xff, 0, 0xff, 0};
  std::uint8_t buf[4] = {};
  r.gp.set_command(tlm::TLM_READ_COMMAND);
  r.gp.set_address(0);
  r.gp.set_data_ptr(buf);
  r.gp.set_data_length(4);
  r.gp.set_byte_enable_ptr(be);
  r.gp.set_byte_enable_length(4);
  sc_time d;
  r.ini.socket->b_transport(r.gp, d);
  CHECK(r.gp.get_response_status() == tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  r.gp.set_byte_enable_ptr(nullptr);
  r.gp.set_byte_enable_length(0);
  // Streaming width below the length.
  r.gp.set_streaming_width(2);
  r.ini.socket->b_transport(r.gp, d);
  CHECK(r.gp.get_response_status() == tlm::TLM_BURST_ERROR_RESPONSE);
  // Extension op contradicting the command.
  r.gp.set_streaming_width(4);
  r.ext->op = mem_op::write;
  r.ini.socket->b_transport(r.gp, d);
  CHECK(r.gp.get_response_status() == tlm::TLM_COMMAND_ERROR_RESPONSE);
  // A timing-only access (memory is not asked) beyond the 32-bit line numbers a tag holds.
  r.ext->op = mem_op::read;
  r.ext->timing_only = true;
  r.gp.set_address(std::uint64_t(0xffffffffu) * r.l2.config().line_bytes);
  r.ini.socket->b_transport(r.gp, d);
  CHECK(r.gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  r.ext->timing_only = false;
  CHECK(r.l2.errors() == 6);
  CHECK(r.l2.valid_lines() == 0);
  CHECK(r.mem.log.empty());

  // transport_dbg goes to memory unchanged: no stats, no timing, no state.
  r.mem.data[0x100] = 0x5a;
  r.gp.set_command(tlm::TLM_READ_COMMAND);
  r.gp.set_address(0x100);
  r.ext->op = mem_op::read;
  CHECK(r.ini.socket->transport_dbg(r.gp) == 4);
  CHECK(buf[0] == 0x5a);
  CHECK(r.l2.valid_lines() == 0);
  CHECK(r.l2.hits() + r.l2.misses() == 0);
  CHECK(r.mem.log.empty());
  // No DMI.
  tlm::tlm_dmi dmi;
  CHECK_FALSE(r.ini.socket->get_direct_mem_ptr(r.gp, dmi));
}

TEST_CASE("l2: configuration checks and geometry", "[l2]") {
  l2_config c;
  c.line_bytes = 96;
  CHECK_THROWS_AS(l2_cache("bad1", c), std::invalid_argument);
  c = l2_config{};
  c.line_bytes = 16;
  CHECK_THROWS_AS(l2_cache("bad2", c), std::invalid_argument);
  c = l2_config{};
  c.size_bytes = 1024;  // less than a line per slice
  CHECK_THROWS_AS(l2_cache("bad3", c), std::invalid_argument);
  c = l2_config{};
  c.ways = 0;
  CHECK_THROWS_AS(l2_cache("bad4", c), std::invalid_argument);

  // Default: 16 MiB, 16 ways, 128 B, 32 slices -> 256 sets per slice.
  l2_cache def("def", l2_config{});
  CHECK(def.sets_per_slice() == 256);
  CHECK(def.ways() == 16);
  CHECK(def.capacity_bytes() == (16ull << 20));
  // 64 KiB lines: 8 lines per slice -> one fully associative set of 8 ways.
  c = l2_config{};
  c.line_bytes = 65536;
  l2_cache big("big", c);
  CHECK(big.ways() == 8);
  CHECK(big.sets_per_slice() == 1);
  CHECK(big.capacity_bytes() == (16ull << 20));
  // Non-power-of-two slices and sets.
  c = l2_config{};
  c.slices = 24;
  c.ways = 12;
  l2_cache odd("odd", c);
  CHECK(odd.sets_per_slice() == (16ull << 20) / 128 / 24 / 12);
  std::vector<unsigned> per_slice(24, 0);
  for (std::uint64_t a = 0; a < 24 * 128; a += 128) ++per_slice[odd.slice_of(a)];
  for (unsigned n : per_slice) CHECK(n == 1);  // consecutive lines spread over all slices
  std::vector<unsigned> per_slice32(32, 0);
  for (std::uint64_t a = 0; a < (1 << 20); a += 16384) ++per_slice32[def.slice_of(a)];  // 16 KiB stride
  for (unsigned n : per_slice32) CHECK(n > 0);  // power-of-two strides do not camp on one slice
}

TEST_CASE("l2: statistics are reported with the documented names", "[l2]") {
  rig r(small_config());
  r.l2.add_uncached_range(0x80000, 0x1000);
  r.read(0, 256);
  r.read(0, 256);
  r.access(mem_op::write, 0x1000, 128, nullptr, sc_core::SC_ZERO_TIME, traffic_class::comm);
  r.read(0x80000, 64);
  std::vector<std::uint8_t> inc(64, 0);
  r.access(mem_op::update, 0x300, 64, inc.data());
  sc_time d;
  r.l2.flush(d);
  const auto names = stat_names(r.l2);
  for (const char* n :
       {"requests.read", "requests.write", "hits.compute", "hits.comm", "misses.compute", "misses.comm", "hit_rate",
        "write_backs.compute", "write_backs.comm", "memory.fill_requests", "memory.read_bytes",
        "memory.write_back_bytes", "bypassed.uncached", "bypassed.updates", "bypassed.total", "latency.mean_ns",
        "latency.bypass_mean_ns", "errors"})
    CHECK(names.count(n) == 1);
  CHECK(stat(r.l2, "hits.compute") == 2);
  CHECK(stat(r.l2, "misses.compute") == 2);
  CHECK(stat(r.l2, "misses.comm") == 1);
  CHECK(stat(r.l2, "hit_rate") == Approx(0.4));
  CHECK(stat(r.l2, "write_backs.comm") == 1);
  CHECK(stat(r.l2, "memory.read_bytes") == 256);
  CHECK(stat(r.l2, "memory.write_back_bytes") == 128);
  CHECK(stat(r.l2, "bypassed.total") == 2);
  CHECK(stat(r.l2, "requests.read") == 2);
  CHECK(stat(r.l2, "requests.write") == 1);
  CHECK(stat(r.l2, "latency.mean_ns") > 0);
  CHECK(stat(r.l2, "latency.bypass_mean_ns") == Approx(51));
  // A leaf name must never also be a group prefix (the JSON writer nests on '.').
  for (const auto& a : names)
    for (const auto& b : names) CHECK(b.rfind(a + ".", 0) != 0);
}

// Speed: not run by default ([.]). Streaming reads of 256 MiB in 4 KiB requests (all misses), then
// re-reads of an 8 MiB and a 512 KiB working set (all hits), zero-latency memory without storage.
namespace {
void run_benchmark(const l2_config& cfg) {
  rig r(cfg, 0, sc_core::SC_ZERO_TIME);
  r.mem.keep_log = false;
  std::vector<std::uint8_t> buf(4096);
  std::printf("line_bytes %u, %u ways, %u slices, %llu sets per slice\n", cfg.line_bytes, r.l2.ways(), cfg.slices,
              (unsigned long long)r.l2.sets_per_slice());
  auto run = [&](std::uint64_t base, std::uint64_t bytes, int passes, const char* what) {
    const std::uint64_t l0 = r.l2.hits() + r.l2.misses();
    const auto t0 = std::chrono::steady_clock::now();
    for (int p = 0; p < passes; ++p)
      for (std::uint64_t a = base; a < base + bytes; a += 4096) r.access(mem_op::read, a, 4096, buf.data());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double lookups = double(r.l2.hits() + r.l2.misses() - l0);
    const double requests = double(bytes / 4096) * passes;
    std::printf("%-30s %9.0f lookups in %.3f s: %6.1f M lookups/s, %5.2f M requests/s\n", what, lookups, s,
                lookups / s / 1e6, requests / s / 1e6);
  };
  for (int k = 0; k < 4; ++k) run(std::uint64_t(k) << 28, 256ull << 20, 1, "stream 256 MiB (misses)");
  run(1ull << 32, 8ull << 20, 1, "warm 8 MiB");
  run(1ull << 32, 8ull << 20, 64, "re-read 8 MiB x64 (hits)");
  run(1ull << 33, 512ull << 10, 1, "warm 512 KiB");
  run(1ull << 33, 512ull << 10, 1024, "re-read 512 KiB x1024 (hits)");
  CHECK(r.l2.hits() > 0);
}
}  // namespace

TEST_CASE("l2: benchmark line lookups per second", "[.][l2][bench]") { run_benchmark(l2_config{}); }

TEST_CASE("l2: benchmark with 64 KiB lines", "[.][l2][bench]") {
  l2_config c;
  c.line_bytes = 65536;
  run_benchmark(c);
}
