// The LT memory timing (controller + pseudo-channel) against the cycle-by-cycle FR-FCFS reference on
// identical closed-loop traffic: bandwidth must agree within 10%, and the reads' mean latency within 15%
// (docs/validation.md has the table).
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
  // Writes batch (one bus turnaround for many): the posted-write queue's drains.
  p.push_back({"gemm-mix (2 read + 1 write streams)",
               {sequential(mem_op::read, 0, 256, n, out), sequential(mem_op::read, 1, 256, n, out),
                sequential(mem_op::write, 2, 256, n, out)}});
  p.push_back({"read + update mix (2 read + 1 update streams)",
               {sequential(mem_op::read, 0, 256, n, out), sequential(mem_op::read, 1, 256, n, out),
                sequential(mem_op::update, 2, 256, n, out)}});
  // Latency-bound readers next to a thin write stream (a collective's pattern): writes must neither
  // wait so long that a whole batch then blocks the reads, nor cut in between every read.
  stream thin_writes = sequential(mem_op::write, 2, 256, n / 2, out);
  thin_writes.issue_interval = 100;
  p.push_back({"reads (4 outstanding) + a write every 100 cycles",
               {sequential(mem_op::read, 0, 256, n, 4), sequential(mem_op::read, 1, 256, n, 4), thin_writes}});
  return p;
}
}  // namespace

// Burst granularity (the default) is held to 10% in bandwidth and 15% in read latency; access
// granularity, the fast mode, to 20% and 25%.
TEST_CASE("LT memory timing is within 10% of the cycle-level reference", "[validation]") {
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
    std::printf("validation (%s): %-48s reference %5.1f%%  LT %5.1f%% of peak  error %+5.1f%%  row hits ref %.2f LT %.2f\n",
                access_granularity ? "access" : "burst ", p.name, 100 * rb / peak, 100 * lb / peak, 100 * (lb - rb) / rb,
                double(ref.row_hits) / double(ref.row_hits + ref.row_misses),
                double(lt.row_hits) / double(lt.row_hits + lt.row_misses));
    INFO(p.name << ": reference " << rb << " B/cycle, LT " << lb << " B/cycle");
    CHECK(lb == Approx(rb).epsilon(access_granularity ? 0.20 : 0.10));
    for (std::size_t k = 0; k < p.streams.size(); ++k) {
      if (p.streams[k].accesses.front().op != mem_op::read) continue;  // (a posted write's latency is its ack)
      double rl = 0;
      for (std::size_t a = 0; a < ref.completion[k].size(); ++a) rl += double(ref.completion[k][a] - ref.admission[k][a]);
      rl /= double(ref.completion[k].size());
      std::printf("validation (%s): %-48s   read stream %zu mean latency: reference %6.1f  LT %6.1f cycles  error %+5.1f%%\n",
                  access_granularity ? "access" : "burst ", p.name, k, rl, lt.mean_latency[k],
                  100 * (lt.mean_latency[k] - rl) / rl);
      INFO(p.name << ", read stream " << k << ": reference " << rl << " cycles, LT " << lt.mean_latency[k]);
      CHECK(lt.mean_latency[k] == Approx(rl).epsilon(access_granularity ? 0.25 : 0.15));
    }
  }
}
