// The LT memory timing (controller + pseudo-channel) against the cycle-by-cycle FR-FCFS reference on
// identical closed-loop traffic: bandwidth must agree within 10% (docs/validation.md has the table).
#include <catch2/catch.hpp>
#include <cstdio>
#include <random>
#include "testbench/reference/lt_driver.h"
#include "testbench/reference/pc_reference.h"

using namespace t3vp;
using namespace t3vp::reference;

namespace {
hbm_geometry one_pc() {
  hbm_geometry g;
  g.stacks = g.channels_per_stack = g.pcs_per_channel = 1;
  return g;
}

// n streams, each over its own 1 MiB region.
stream sequential(mem_op op, unsigned region, unsigned bytes, unsigned count, unsigned outstanding) {
  stream s;
  s.max_outstanding = outstanding;
  for (unsigned i = 0; i < count; ++i) s.accesses.push_back({op, (std::uint64_t(region) << 20) + std::uint64_t(i) * bytes, bytes});
  return s;
}

stream random_reads(unsigned seed, unsigned bytes, unsigned count, unsigned outstanding, std::uint64_t span) {
  stream s;
  s.max_outstanding = outstanding;
  std::mt19937_64 rng(seed);
  for (unsigned i = 0; i < count; ++i) s.accesses.push_back({mem_op::read, (rng() % (span / bytes)) * bytes, bytes});
  return s;
}

struct pattern {
  const char* name;
  std::vector<stream> streams;
  double tolerance = 0.10;
};

std::vector<pattern> patterns() {
  const unsigned n = 1536, out = 16;
  std::vector<pattern> p;
  p.push_back({"sequential reads", {}});
  p.push_back({"sequential writes", {}});
  p.push_back({"random 64-byte reads", {}});
  for (unsigned s = 0; s < 4; ++s) {
    p[0].streams.push_back(sequential(mem_op::read, s, 256, n, out));
    p[1].streams.push_back(sequential(mem_op::write, s, 256, n, out));
    p[2].streams.push_back(random_reads(7 + s, 64, n, out, 256ull << 20));
  }
  // Known gap (docs/validation.md): the reference batches writes as FR-FCFS finds them ready, the LT
  // model places each access as it arrives and pays more read/write turnarounds: about -11%.
  p.push_back({"gemm-mix (2 read + 1 write streams)",
               {sequential(mem_op::read, 0, 256, n, out), sequential(mem_op::read, 1, 256, n, out),
                sequential(mem_op::write, 2, 256, n, out)},
               0.15});
  p.push_back({"read + update mix (2 read + 1 update streams)",
               {sequential(mem_op::read, 0, 256, n, out), sequential(mem_op::read, 1, 256, n, out),
                sequential(mem_op::update, 2, 256, n, out)}});
  return p;
}
}  // namespace

// Burst granularity (the default) is held to 10% (gemm-mix: 15%, a known gap); access granularity, the
// fast mode, to 20%.
TEST_CASE("LT memory timing is within 10% of the cycle-level reference (gemm-mix within 15%)", "[validation]") {
  const hbm_geometry g = one_pc();
  const bool access_granularity = GENERATE(true, false);
  dram_timing t;
  t.access_granularity = access_granularity;
  mc_config mc;
  mc.frontend_latency_ns = 0;  // the reference has no front-end pipeline
  for (const auto& p : patterns()) {
    const result ref = simulate(g, t, mc.queue_entries, p.streams);
    const lt_result lt = simulate_lt(g, t, mc, p.streams);
    const double peak = double(g.burst_bytes) / t.burst_cycles;
    const double rb = ref.bandwidth_bytes_per_cycle(), lb = lt.bandwidth_bytes_per_cycle();
    std::printf("validation (%s): %-46s reference %5.1f%%  LT %5.1f%% of peak  error %+5.1f%%  row hits ref %.2f LT %.2f\n",
                access_granularity ? "access" : "burst ", p.name, 100 * rb / peak, 100 * lb / peak, 100 * (lb - rb) / rb,
                double(ref.row_hits) / double(ref.row_hits + ref.row_misses),
                double(lt.row_hits) / double(lt.row_hits + lt.row_misses));
    INFO(p.name << ": reference " << rb << " B/cycle, LT " << lb << " B/cycle");
    CHECK(lb == Approx(rb).epsilon(access_granularity ? 0.20 : p.tolerance));
  }
}
