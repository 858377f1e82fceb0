// Self-checks of the cycle-by-cycle HBM pseudo-channel reference model (testbench/reference).
// Exact-latency checks, FR-FCFS behaviour, bandwidth sanity bounds, and the independent
// command-log checker run over random mixed workloads (and shown to catch broken logs).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "testbench/reference/pc_reference.h"

namespace {

using namespace t3vp;
using namespace t3vp::reference;

dram_timing no_refresh() {
  dram_timing t;
  t.refresh = refresh_mode::off;
  return t;
}

// The first burst-aligned address at or after `from` whose decoded location satisfies `pred`.
// Tests find their addresses this way, so they hold for any mapping / hash decode_pc_address uses.
template <class Pred>
std::uint64_t find_address(const hbm_geometry& g, std::uint64_t from, Pred pred) {
  const std::uint64_t limit = std::min<std::uint64_t>(g.pc_capacity_bytes, from + (64ull << 20));
  for (std::uint64_t a = from; a + g.burst_bytes <= limit; a += g.burst_bytes)
    if (pred(decode_pc_address(g, a))) return a;
  throw std::runtime_error("find_address: no address found");
}

bool same_bank(const dram_location& a, const dram_location& b) {
  return a.bank_group == b.bank_group && a.bank == b.bank;
}

stream sequential(mem_op op, std::uint64_t base, std::uint64_t region, unsigned bytes, unsigned outstanding,
                  std::size_t count) {
  stream s;
  s.max_outstanding = outstanding;
  for (std::size_t i = 0; i < count; ++i) s.accesses.push_back({op, base + (i * bytes) % region, bytes});
  return s;
}

stream random_reads(const hbm_geometry& g, unsigned bytes, unsigned outstanding, std::size_t count, unsigned seed) {
  stream s;
  s.max_outstanding = outstanding;
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < count; ++i)
    s.accesses.push_back({mem_op::read, (rng() % (g.pc_capacity_bytes / bytes)) * bytes, bytes});
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

// Runs with the command log on and requires the independent checker to find nothing.
result run_checked(const hbm_geometry& g, const dram_timing& t, unsigned q, const std::vector<stream>& streams) {
  options o;
  o.record_commands = true;
  result r = simulate(g, t, q, streams, o);
  const std::vector<std::string> v = check_run(g, t, q, streams, r);
  INFO(join(v));
  CHECK(v.empty());
  return r;
}

const std::uint64_t MiB = 1ull << 20;

}  // namespace

TEST_CASE("reference: one read from an idle closed bank takes tRCD + CL + BL", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  stream s;
  s.accesses.push_back({mem_op::read, 0, g.burst_bytes});
  result r = run_checked(g, t, 16, {s});
  CHECK(r.admission[0][0] == 0);  // admission adds no cycle: ACT may issue in the admission cycle
  CHECK(r.completion[0][0] == t.trcd + t.cl + t.burst_cycles);
  CHECK(r.cycles == t.trcd + t.cl + t.burst_cycles);
  CHECK(r.activates == 1);
  CHECK(r.row_misses == 1);
  CHECK(r.row_hits == 0);
  CHECK(r.bytes == g.burst_bytes);
  REQUIRE(r.commands.size() == 2);
  CHECK(r.commands[0].kind == command_kind::act);
  CHECK(r.commands[0].cycle == 0);
  CHECK(r.commands[1].kind == command_kind::rd);
  CHECK(r.commands[1].cycle == t.trcd);

  SECTION("a late start shifts everything") {
    s.start_cycle = 100;
    result r2 = run_checked(g, t, 16, {s});
    CHECK(r2.completion[0][0] == 100 + t.trcd + t.cl + t.burst_cycles);
  }
  SECTION("a write completes CWL + BL after its column command") {
    s.accesses[0].op = mem_op::write;
    result r2 = run_checked(g, t, 16, {s});
    CHECK(r2.completion[0][0] == t.trcd + t.cwl + t.burst_cycles);
  }
}

TEST_CASE("reference: a second read to the open row is a row hit", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  const dram_location first = decode_pc_address(g, 0);
  const std::uint64_t other = find_address(g, g.burst_bytes, [&](const dram_location& l) {
    return same_bank(l, first) && l.row == first.row && l.column != first.column;
  });
  stream s;
  s.max_outstanding = 1;  // the second access is offered when the first completes
  s.accesses = {{mem_op::read, 0, g.burst_bytes}, {mem_op::read, other, g.burst_bytes}};
  result r = run_checked(g, t, 16, {s});
  CHECK(r.row_hits == 1);
  CHECK(r.row_misses == 1);
  CHECK(r.activates == 1);
  CHECK(r.admission[0][1] == r.completion[0][0]);  // a completion frees the slot in the same cycle
  CHECK(r.completion[0][1] - r.admission[0][1] == t.cl + t.burst_cycles);  // open row: CL + BL only
}

TEST_CASE("reference: a row conflict pays PRE and ACT under tRAS, tRP and tRC", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  const dram_location first = decode_pc_address(g, 0);
  const std::uint64_t conflict = find_address(
      g, g.burst_bytes, [&](const dram_location& l) { return same_bank(l, first) && l.row != first.row; });
  stream s;
  s.max_outstanding = 1;
  s.accesses = {{mem_op::read, 0, g.burst_bytes}, {mem_op::read, conflict, g.burst_bytes}};
  result r = run_checked(g, t, 16, {s});
  CHECK(r.row_misses == 2);
  CHECK(r.activates == 2);
  CHECK(r.precharges == 1);
  // First: ACT@0, RD@tRCD. Second, offered when the first completes: PRE as soon as tRAS and tRTP
  // allow, ACT after tRP and tRC, RD after tRCD.
  const std::uint64_t adm = r.admission[0][1];
  const std::uint64_t pre = std::max<std::uint64_t>({adm, t.tras, t.trcd + t.trtp});
  const std::uint64_t act = std::max<std::uint64_t>(pre + t.trp, t.trc);
  CHECK(r.completion[0][1] == act + t.trcd + t.cl + t.burst_cycles);
}

TEST_CASE("reference: back-to-back row conflicts in one bank complete tRC apart", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  // 40 reads, each to a different row of the same bank, all allowed outstanding at once.
  const dram_location first = decode_pc_address(g, 0);
  stream s;
  s.max_outstanding = 64;
  std::uint64_t a = 0;
  std::uint32_t last_row = first.row;
  s.accesses.push_back({mem_op::read, 0, g.burst_bytes});
  for (int i = 1; i < 40; ++i) {
    a = find_address(g, a + g.burst_bytes,
                     [&](const dram_location& l) { return same_bank(l, first) && l.row != last_row && l.column == 0; });
    last_row = decode_pc_address(g, a).row;
    s.accesses.push_back({mem_op::read, a, g.burst_bytes});
  }
  result r = run_checked(g, t, 64, {s});
  CHECK(r.activates == 40);
  CHECK(r.row_hits == 0);
  // Oldest first: completions in order, every gap at least the ACT-to-ACT bound tRC ...
  std::uint64_t min_gap = ~0ull, total = 0;
  for (std::size_t i = 1; i < r.completion[0].size(); ++i) {
    REQUIRE(r.completion[0][i] > r.completion[0][i - 1]);
    const std::uint64_t gap = r.completion[0][i] - r.completion[0][i - 1];
    min_gap = std::min(min_gap, gap);
    total += gap;
  }
  CHECK(min_gap >= t.trc);
  // ... and no more than the PRE/ACT cycle needs: max(tRC, tRAS + tRP, tRCD + tRTP + tRP).
  const std::uint64_t bound = std::max<std::uint64_t>({t.trc, t.tras + t.trp, t.trcd + t.trtp + t.trp});
  CHECK(total == bound * (r.completion[0].size() - 1));
}

TEST_CASE("reference: FR-FCFS lets a younger row hit pass an older row miss", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  const dram_location first = decode_pc_address(g, 0);
  const std::uint64_t conflict = find_address(
      g, g.burst_bytes, [&](const dram_location& l) { return same_bank(l, first) && l.row != first.row; });
  const std::uint64_t hit = find_address(g, g.burst_bytes, [&](const dram_location& l) {
    return same_bank(l, first) && l.row == first.row && l.column != first.column;
  });
  stream s;
  s.max_outstanding = 3;
  s.accesses = {{mem_op::read, 0, g.burst_bytes},          // opens row r
                {mem_op::read, conflict, g.burst_bytes},   // older, needs row r' in the same bank
                {mem_op::read, hit, g.burst_bytes}};       // younger, hits row r
  result r = run_checked(g, t, 16, {s});
  CHECK(r.completion[0][2] < r.completion[0][1]);  // the hit was served first
  CHECK(r.row_hits == 1);
  CHECK(r.activates == 2);  // r was not closed while the hit was pending
}

TEST_CASE("reference: bus turnarounds WR->RD and RD->WR", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  const dram_location first = decode_pc_address(g, 0);
  const std::uint64_t other_bg = find_address(
      g, g.burst_bytes, [&](const dram_location& l) { return l.bank_group != first.bank_group; });
  auto column_cycles = [](const result& r) {
    std::vector<std::uint64_t> c;
    for (const command_record& x : r.commands)
      if (is_column(x.kind)) c.push_back(x.cycle);
    return c;
  };
  SECTION("a read waits CWL + BL + tWTR_S after a write to another bank group") {
    stream s;
    s.max_outstanding = 2;
    s.accesses = {{mem_op::write, 0, g.burst_bytes}, {mem_op::read, other_bg, g.burst_bytes}};
    result r = run_checked(g, t, 16, {s});
    const auto c = column_cycles(r);
    REQUIRE(c.size() == 2);
    CHECK(c[1] - c[0] == t.cwl + t.burst_cycles + t.twtr_s);
  }
  SECTION("write data starts tRTW after the read data ends") {
    stream s;
    s.max_outstanding = 2;
    s.accesses = {{mem_op::read, 0, g.burst_bytes}, {mem_op::write, other_bg, g.burst_bytes}};
    result r = run_checked(g, t, 16, {s});
    const auto c = column_cycles(r);
    REQUIRE(c.size() == 2);
    CHECK(c[1] + t.cwl == c[0] + t.cl + t.burst_cycles + t.trtw);
  }
}

TEST_CASE("reference: sequential reads reach more than 85% of peak", "[reference]") {
  const hbm_geometry g;
  const dram_timing t;  // default: per-bank refresh on
  SECTION("one stream, 256-byte accesses, 16 outstanding") {
    result r = run_checked(g, t, 32, {sequential(mem_op::read, 0, 16 * MiB, 256, 16, 4096)});
    INFO("fraction of peak " << r.fraction_of_peak(g, t));
    CHECK(r.cycles > 64000);
    CHECK(r.fraction_of_peak(g, t) > 0.85);
    CHECK(r.fraction_of_peak(g, t) <= 1.0);
    CHECK(double(r.row_hits) / double(r.row_hits + r.row_misses) > 0.9);
  }
  SECTION("four streams over their own 1 MiB regions") {
    std::vector<stream> s;
    for (int i = 0; i < 4; ++i) s.push_back(sequential(mem_op::read, i * MiB, MiB, 256, 16, 1100));
    result r = run_checked(g, t, 32, s);
    INFO("fraction of peak " << r.fraction_of_peak(g, t));
    CHECK(r.fraction_of_peak(g, t) > 0.85);
  }
}

TEST_CASE("reference: random 32-byte reads are activate bound", "[reference]") {
  const hbm_geometry g;
  const dram_timing t;
  std::vector<stream> rnd, seq;
  for (unsigned i = 0; i < 4; ++i) {
    rnd.push_back(random_reads(g, 32, 16, 2000, 100 + i));
    seq.push_back(sequential(mem_op::read, i * MiB, MiB, 32, 16, 2000));
  }
  result r = run_checked(g, t, 32, rnd);
  result q = simulate(g, t, 32, seq);
  const double fr = r.fraction_of_peak(g, t), fq = q.fraction_of_peak(g, t);
  INFO("random " << fr << ", sequential " << fq);
  CHECK(fr < fq - 0.3);
  // One ACT per burst: at most 4 ACTs per tFAW (and one per tRRD_S) bound the data rate.
  const double act_bound =
      std::min(4.0 / t.tfaw, 1.0 / t.trrd_s) * g.burst_bytes * t.burst_cycles / g.burst_bytes;
  CHECK(fr <= act_bound + 1e-9);
  CHECK(fr > 0.8 * act_bound);  // and the controller keeps the row bus busy
  CHECK(double(r.row_hits) / double(r.row_hits + r.row_misses) < 0.05);

  SECTION("with a long tFAW the four-activate window is the bound") {
    dram_timing slow_faw = t;
    slow_faw.tfaw = 40;
    result f = run_checked(g, slow_faw, 32, rnd);
    const double ff = f.fraction_of_peak(g, slow_faw);
    const double faw_bound = 4.0 / slow_faw.tfaw * slow_faw.burst_cycles;
    INFO("tFAW 40: " << ff << " of peak, bound " << faw_bound);
    CHECK(ff <= faw_bound + 1e-9);
    CHECK(ff > 0.9 * faw_bound);
  }
}

TEST_CASE("reference: refresh costs bandwidth", "[reference]") {
  const hbm_geometry g;
  std::vector<stream> s;
  for (int i = 0; i < 4; ++i) s.push_back(sequential(mem_op::read, i * MiB, MiB, 256, 16, 1100));
  dram_timing off = no_refresh(), per_bank, all_bank;
  per_bank.refresh = refresh_mode::per_bank;
  all_bank.refresh = refresh_mode::all_bank;
  result r_off = simulate(g, off, 32, s);
  result r_pb = run_checked(g, per_bank, 32, s);
  result r_ab = run_checked(g, all_bank, 32, s);
  INFO("off " << r_off.fraction_of_peak(g, off) << ", per-bank " << r_pb.fraction_of_peak(g, per_bank)
              << ", all-bank " << r_ab.fraction_of_peak(g, all_bank));
  CHECK(r_off.refreshes == 0);
  CHECK(r_pb.cycles > r_off.cycles);
  CHECK(r_ab.cycles > r_off.cycles);
  // All-bank refresh blocks the whole channel tRFC every tREFI: at least that much is lost.
  CHECK(double(r_ab.cycles - r_off.cycles) >= 0.9 * double(r_ab.refreshes) * all_bank.trfc);
  // REF counts follow the cadence: N banks per tREFI, or one all-bank REF per tREFI.
  const double periods = double(r_pb.cycles) / per_bank.trefi;
  CHECK(double(r_pb.refreshes) >= (periods - 1) * g.banks());
  CHECK(double(r_pb.refreshes) <= (periods + 1) * g.banks());
  CHECK(double(r_ab.refreshes) >= double(r_ab.cycles) / all_bank.trefi - 1);
}

TEST_CASE("reference: updates are slower than writes", "[reference]") {
  const hbm_geometry g;
  const dram_timing t;
  result w = run_checked(g, t, 32, {sequential(mem_op::write, 0, 4 * MiB, 256, 16, 2048)});
  result u = run_checked(g, t, 32, {sequential(mem_op::update, 0, 4 * MiB, 256, 16, 2048)});
  const double fw = w.fraction_of_peak(g, t), fu = u.fraction_of_peak(g, t);
  INFO("writes " << fw << ", updates " << fu);
  CHECK(fu < fw);
  // Each bank group takes one UPD per 2*tCCD_L + nmc cycles: that bounds the update data rate.
  const double upd_bound = double(g.bank_groups) * t.burst_cycles / (2.0 * t.tccd_l + t.nmc_alu_cycles);
  CHECK(fu <= std::min(1.0, upd_bound) + 1e-9);
  CHECK(u.update_bursts == 2048 * 256 / g.burst_bytes);
  CHECK(u.write_bursts == 0);
}

TEST_CASE("reference: initiator limits: start, interval, outstanding, queue capacity", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  SECTION("issue_interval spaces admissions on an idle controller") {
    stream s = sequential(mem_op::read, 0, MiB, 64, 4, 10);
    s.issue_interval = 100;
    s.start_cycle = 7;
    result r = run_checked(g, t, 8, {s});
    for (std::size_t i = 0; i < 10; ++i) CHECK(r.admission[0][i] == 7 + 100 * i);
  }
  SECTION("max_outstanding = 1 serialises accesses") {
    result r = run_checked(g, t, 8, {sequential(mem_op::read, 0, MiB, 256, 1, 50)});
    for (std::size_t i = 1; i < 50; ++i) CHECK(r.admission[0][i] == r.completion[0][i - 1]);
  }
  SECTION("the queue never holds more than queue_entries accesses") {
    std::vector<stream> s;
    for (unsigned i = 0; i < 3; ++i) s.push_back(random_reads(g, 64, 8, 300, 7 + i));
    result r = run_checked(g, t, 2, s);
    CHECK(r.max_queue_occupancy == 2);
    CHECK(r.mean_queue_occupancy <= 2.0);
    CHECK(r.mean_queue_occupancy > 1.5);  // saturated
  }
  SECTION("admission is fair between initiators competing for a small queue") {
    std::vector<stream> s;
    for (unsigned i = 0; i < 2; ++i) s.push_back(random_reads(g, 64, 16, 1000, 21 + i));
    result r = run_checked(g, t, 4, s);
    const double a = double(*std::max_element(r.completion[0].begin(), r.completion[0].end()));
    const double b = double(*std::max_element(r.completion[1].begin(), r.completion[1].end()));
    CHECK(std::min(a, b) / std::max(a, b) > 0.9);
  }
}

TEST_CASE("reference: accounting invariants", "[reference]") {
  const hbm_geometry g;
  const dram_timing t = no_refresh();
  std::vector<stream> s;
  s.push_back(sequential(mem_op::read, 0, MiB, 128, 8, 500));
  s.push_back(random_reads(g, 96, 8, 500, 5));
  s.push_back(sequential(mem_op::write, 3 * MiB, MiB, 64, 8, 500));
  result r = run_checked(g, t, 24, s);
  CHECK(r.bytes == 500ull * (128 + 96 + 64));
  CHECK(r.row_hits + r.row_misses == r.bytes / g.burst_bytes);
  CHECK(r.read_bursts + r.write_bursts + r.update_bursts == r.bytes / g.burst_bytes);
  CHECK(r.row_misses == r.activates);  // without refresh every ACT serves at least one burst
  CHECK(r.bandwidth_bytes_per_cycle() == Approx(double(r.bytes) / double(r.cycles)));
  // Deterministic.
  result again = simulate(g, t, 24, s);
  CHECK(again.cycles == r.cycles);
  CHECK(again.completion == r.completion);
  CHECK(again.row_hits == r.row_hits);
  // No accesses: nothing happens.
  result none = simulate(g, t, 4, {stream{}});
  CHECK(none.cycles == 0);
  CHECK(none.bytes == 0);
  CHECK(none.bandwidth_bytes_per_cycle() == 0.0);
}

TEST_CASE("reference: malformed inputs are rejected", "[reference]") {
  const hbm_geometry g;
  const dram_timing t;
  auto one = [](access a) {
    stream s;
    s.accesses.push_back(a);
    return std::vector<stream>{s};
  };
  CHECK_THROWS_AS(simulate(g, t, 4, one({mem_op::read, 16, 32})), std::invalid_argument);  // unaligned
  CHECK_THROWS_AS(simulate(g, t, 4, one({mem_op::read, 0, 48})), std::invalid_argument);   // partial burst
  CHECK_THROWS_AS(simulate(g, t, 4, one({mem_op::read, 0, 0})), std::invalid_argument);
  CHECK_THROWS_AS(simulate(g, t, 4, one({mem_op::read, g.pc_capacity_bytes, 32})), std::invalid_argument);
  CHECK_THROWS_AS(simulate(g, t, 0, one({mem_op::read, 0, 32})), std::invalid_argument);  // no queue
  std::vector<stream> s = one({mem_op::read, 0, 32});
  s[0].max_outstanding = 0;
  CHECK_THROWS_AS(simulate(g, t, 4, s), std::invalid_argument);
}

TEST_CASE("reference: the command-log checker accepts random mixed workloads", "[reference]") {
  // Random ops, sizes, addresses (some localities), initiator parameters, queue sizes, mappings and
  // refresh modes; every rule is re-checked from the log by check_run().
  std::mt19937_64 rng(12345);
  const pc_mapping mappings[] = {pc_mapping::ro_ba_co_bg, pc_mapping::ro_co_ba_bg, pc_mapping::ro_ba_bg_co};
  const refresh_mode refreshes[] = {refresh_mode::per_bank, refresh_mode::all_bank, refresh_mode::off};
  for (int run = 0; run < 10; ++run) {
    hbm_geometry g;
    g.mapping = mappings[run % 3];
    dram_timing t;
    t.refresh = refreshes[(run / 3) % 3];
    if (run == 4) t.nmc_alu_cycles = 6;  // a slower adder
    if (run == 5) t.tccd_s = 1;          // tCCD_S < BL: only the data-bus rule keeps bursts apart
    if (run == 7) t.trefi = 1000;        // frequent refresh
    if (run == 8) t.tfaw = 40;           // tFAW binds (with the defaults 4 * tRRD_S == tFAW)
    const unsigned q = 1 + unsigned(rng() % 40);
    std::vector<stream> streams(1 + rng() % 4);
    for (stream& s : streams) {
      s.max_outstanding = 1 + unsigned(rng() % 12);
      s.issue_interval = unsigned(rng() % 4);
      s.start_cycle = rng() % 200;
      std::uint64_t cursor = (rng() % 64) * MiB;
      for (int i = 0; i < 350; ++i) {
        const mem_op op = static_cast<mem_op>(rng() % 3);
        const unsigned bytes = g.burst_bytes * (1 + unsigned(rng() % 8));
        std::uint64_t addr;
        if (rng() % 2) {
          addr = cursor;  // sequential run
        } else {
          addr = (rng() % ((64 * MiB) / g.burst_bytes)) * g.burst_bytes;  // random within 64 MiB
        }
        if (addr + bytes > g.pc_capacity_bytes) addr = 0;
        cursor = addr + bytes;
        s.accesses.push_back({op, addr, bytes});
      }
    }
    INFO("run " << run << " queue " << q << " streams " << streams.size());
    result r = run_checked(g, t, q, streams);
    CHECK(r.cycles > 0);
  }
}

TEST_CASE("reference: the command-log checker catches broken logs", "[reference]") {
  const hbm_geometry g;
  const dram_timing t;
  std::vector<stream> s;
  s.push_back(sequential(mem_op::read, 0, MiB, 256, 8, 200));
  s.push_back(sequential(mem_op::write, 2 * MiB, MiB, 128, 8, 200));
  s.push_back(sequential(mem_op::update, 5 * MiB, MiB, 64, 8, 100));
  options o;
  o.record_commands = true;
  const result good = simulate(g, t, 16, s, o);
  REQUIRE(check_run(g, t, 16, s, good).empty());
  const std::vector<command_record>& log = good.commands;
  auto same_bg = [](const command_record& a, const command_record& b) { return a.bank_group == b.bank_group; };
  // Applies a mutation (the log is re-sorted by cycle) and looks for a violation naming `rule`.
  auto caught = [&](const std::string& rule, auto mutate) {
    result r = good;
    mutate(r);
    std::stable_sort(r.commands.begin(), r.commands.end(),
                     [](const command_record& a, const command_record& b) { return a.cycle < b.cycle; });
    const std::vector<std::string> v = check_run(g, t, 16, s, r);
    INFO("looking for '" << rule << "' in:\n" << join(v));
    CHECK(std::any_of(v.begin(), v.end(), [&](const std::string& x) { return x.find(rule) != std::string::npos; }));
  };
  auto find = [&](auto pred) {
    for (std::size_t i = 0; i < log.size(); ++i)
      if (pred(i)) return i;
    throw std::runtime_error("no such command in the log");
  };
  // The latest command before i satisfying pred.
  auto before = [&](std::size_t i, auto pred) {
    for (std::size_t j = i; j-- > 0;)
      if (pred(j)) return j;
    throw std::runtime_error("no such earlier command in the log");
  };
  auto kind_is = [&](std::size_t i, command_kind k) { return log[i].kind == k; };
  // Is the column command before i (if any) of kind k?
  auto column_before_is = [&](std::size_t i, command_kind k) {
    for (std::size_t j = i; j-- > 0;)
      if (is_column(log[j].kind)) return log[j].kind == k;
    return false;
  };

  // A RD one cycle earlier than tRCD after its ACT.
  const std::size_t rd = find([&](std::size_t i) { return kind_is(i, command_kind::rd); });
  const std::size_t rd_act = before(rd, [&](std::size_t j) {
    return kind_is(j, command_kind::act) && log[j].bank_group == log[rd].bank_group && log[j].bank == log[rd].bank;
  });
  caught("tRCD", [&](result& r) { r.commands[rd].cycle = log[rd_act].cycle + t.trcd - 1; });
  // A column command tCCD_L after an UPD in its bank group (the UPD occupies it longer).
  const std::size_t upd = find([&](std::size_t i) { return kind_is(i, command_kind::upd); });
  const std::size_t after_upd =
      find([&](std::size_t i) { return i > upd && is_column(log[i].kind) && same_bg(log[i], log[upd]); });
  caught("UPD bank-group occupancy", [&](result& r) { r.commands[after_upd].cycle = log[upd].cycle + t.tccd_l; });
  // A write whose data would start right after the preceding read's command.
  const std::size_t wr = find([&](std::size_t i) {
    return kind_is(i, command_kind::wr) && column_before_is(i, command_kind::rd);
  });
  const std::size_t wr_prev = before(wr, [&](std::size_t j) { return is_column(log[j].kind); });
  caught("tRTW", [&](result& r) { r.commands[wr].cycle = log[wr_prev].cycle + t.tccd_l; });
  // A read right after a write.
  const std::size_t rd2 = find([&](std::size_t i) {
    return kind_is(i, command_kind::rd) && column_before_is(i, command_kind::wr);
  });
  const std::size_t rd2_prev = before(rd2, [&](std::size_t j) { return is_column(log[j].kind); });
  caught("tWTR", [&](result& r) { r.commands[rd2].cycle = log[rd2_prev].cycle + t.tccd_l; });
  // An ACT one cycle after the previous ACT.
  const std::size_t first_act = find([&](std::size_t i) { return kind_is(i, command_kind::act); });
  const std::size_t act = find([&](std::size_t i) { return i > first_act && kind_is(i, command_kind::act); });
  const std::size_t act_prev = before(act, [&](std::size_t j) { return kind_is(j, command_kind::act); });
  caught(log[act].bank_group == log[act_prev].bank_group && log[act].bank == log[act_prev].bank ? "tRC" : "tRRD",
         [&](result& r) { r.commands[act].cycle = log[act_prev].cycle + 1; });
  // A PRE right after the ACT it closes.
  const std::size_t pre = find([&](std::size_t i) { return kind_is(i, command_kind::pre) && !log[i].for_refresh; });
  const std::size_t pre_act = before(pre, [&](std::size_t j) {
    return kind_is(j, command_kind::act) && log[j].bank_group == log[pre].bank_group && log[j].bank == log[pre].bank;
  });
  caught("tRAS", [&](result& r) { r.commands[pre].cycle = log[pre_act].cycle + t.tras - 1; });
  // Two column commands in one cycle.
  const std::size_t col0 = find([&](std::size_t i) { return is_column(log[i].kind); });
  const std::size_t col2 = find([&](std::size_t i) { return i > col0 && is_column(log[i].kind); });
  const std::size_t col1 = before(col2, [&](std::size_t j) { return is_column(log[j].kind); });
  caught("two column commands in one cycle", [&](result& r) { r.commands[col2].cycle = log[col1].cycle; });
  // A missing PRE, a dropped refresh, a burst at the wrong column, a duplicated burst.
  caught("precharges", [&](result& r) { r.commands.erase(r.commands.begin() + std::ptrdiff_t(pre)); });
  const std::size_t ref = find([&](std::size_t i) { return kind_is(i, command_kind::ref) && log[i].cycle > 0; });
  caught("refresh", [&](result& r) { r.commands.erase(r.commands.begin() + std::ptrdiff_t(ref)); });
  caught("wrong location", [&](result& r) { r.commands[wr].column ^= 1; });
  caught("2 column commands", [&](result& r) { r.commands.insert(r.commands.begin() + std::ptrdiff_t(rd), log[rd]); });
  // Result fields that disagree with the log.
  caught("completion", [&](result& r) { ++r.completion[1][3]; });
  caught("row_hits", [&](result& r) { ++r.row_hits; });
  caught("max_queue_occupancy", [&](result& r) { r.max_queue_occupancy = 17; });
  caught("cycles after the previous access", [&](result& r) { r.admission[0][8] = r.admission[0][7]; });
  // The same run judged against a stricter initiator: more accesses outstanding than allowed.
  std::vector<stream> strict = s;
  strict[0].max_outstanding = 2;
  const std::vector<std::string> v = check_run(g, t, 16, strict, good);
  CHECK(std::any_of(v.begin(), v.end(), [](const std::string& x) { return x.find("outstanding") != std::string::npos; }));
}
