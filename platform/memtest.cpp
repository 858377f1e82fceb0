#include "platform/memtest.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <sstream>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "models/traffic_generator/traffic_generator.h"
#include "platform/gpu_memory.h"
#include "platform/platform_config.h"
#include "platform/results.h"

namespace t3vp {

memtest_pattern parse_memtest_pattern(const std::string& s) {
  if (s == "sequential") return memtest_pattern::sequential;
  if (s == "random") return memtest_pattern::random;
  if (s == "gemm-mix") return memtest_pattern::gemm_mix;
  throw config_error("--pattern: unknown pattern '" + s + "' (sequential, random, gemm-mix)");
}

const char* to_string(memtest_pattern p) {
  switch (p) {
    case memtest_pattern::sequential: return "sequential";
    case memtest_pattern::random: return "random";
    case memtest_pattern::gemm_mix: return "gemm-mix";
  }
  return "?";
}

namespace {

// The accesses of generator i of n. Sequential: one stream over the whole region that the generators
// share in turn (generator i takes requests i, i+n, i+2n, ...), like the coalesced accesses of a GPU
// streaming kernel. Random: aligned random reads over the region. Gemm-mix: three such shared streams,
// two of reads (the A and B operands) and one of writes (the output tile); generator i joins stream i % 3.
unsigned pattern_request_bytes(const memtest_config& mt, memtest_pattern p) {
  return p == memtest_pattern::random ? mt.random_request_bytes : mt.request_bytes;
}

// A pattern must give every stream requests (and, random, every generator): otherwise the run would
// measure nothing, or less than asked for, and report it as a bandwidth.
void check_pattern_size(const memtest_config& mt, memtest_pattern p) {
  const bool random = p == memtest_pattern::random;
  const std::uint64_t rb = pattern_request_bytes(mt, p), requests = mt.total_bytes / rb;
  const std::uint64_t need = random ? mt.initiators : p == memtest_pattern::gemm_mix ? 3 : 1;
  if (requests < need)
    throw config_error("memtest.total_mib: " + std::to_string(mt.total_bytes >> 20) + " MiB holds only " +
                       std::to_string(requests) + " requests of " +
                       (random ? "memtest.random_request_bytes" : "memtest.request_bytes") + " = " + std::to_string(rb) +
                       " B; the " + to_string(p) + " pattern needs at least " + std::to_string(need) +
                       (random ? " (one per initiator, memtest.initiators)" : p == memtest_pattern::gemm_mix ? " (one per stream)" : ""));
}

access_source make_accesses(const memtest_config& mt, memtest_pattern p, unsigned i) {
  const unsigned n = mt.initiators;
  const unsigned rb = pattern_request_bytes(mt, p);
  const std::uint64_t total_requests = mt.total_bytes / rb;
  if (p == memtest_pattern::random) {
    const std::uint64_t count = total_requests / n;
    return [rng = std::mt19937_64(mt.seed * 1000003ull + i), k = std::uint64_t(0), count, total_requests,
            rb](generated_access& a) mutable {
      if (k == count) return false;
      ++k;
      a = {mem_op::read, (rng() % total_requests) * rb, rb};
      return true;
    };
  }
  const unsigned streams = p == memtest_pattern::gemm_mix ? 3 : 1;
  const unsigned stream = i % streams;
  // Generators of one stream, and this generator's rank among them.
  const unsigned members = n / streams + (stream < n % streams ? 1 : 0);
  const std::uint64_t per_stream = total_requests / streams;
  const std::uint64_t base = std::uint64_t(stream) * per_stream * rb;
  const mem_op op = (p == memtest_pattern::gemm_mix && stream == 2) ? mem_op::write : mem_op::read;
  return [k = std::uint64_t(i / streams), members, per_stream, base, op, rb](generated_access& a) mutable {
    if (k >= per_stream) return false;
    a = {op, base + k * rb, rb};
    k += members;
    return true;
  };
}

struct memtest_top : sc_core::sc_module {
  gpu_memory gpu0;
  std::vector<std::unique_ptr<traffic_generator>> gen;

  memtest_top(const sc_core::sc_module_name& name, const platform_config& pc, memtest_pattern p)
      : sc_module(name), gpu0("gpu0", pc, /*with_l2=*/false) {
    // Generators issue at the L2's clock (1.4 GHz): one request per cycle at most.
    const sc_core::sc_time interval(1.0 / 1.4, sc_core::SC_NS);
    for (unsigned i = 0; i < pc.memtest.initiators; ++i) {
      gen.push_back(std::make_unique<traffic_generator>(("traffic" + std::to_string(i)).c_str(),
                                                         make_accesses(pc.memtest, p, i), pc.memtest.outstanding,
                                                         interval, pc.data != data_mode::off));
      gen.back()->socket.bind(gpu0.target_socket());
    }
  }
};

}  // namespace

memtest_result run_memtest(const config& cfg, memtest_pattern pattern) {
  const platform_config pc = make_platform_config(cfg);
  check_pattern_size(pc.memtest, pattern);
  const auto wall0 = std::chrono::steady_clock::now();
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(pc.quantum_ns, sc_core::SC_NS));
  auto top = std::make_unique<memtest_top>("system", pc, pattern);
  sc_core::sc_start();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

  memtest_result r;
  r.pattern = to_string(pattern);
  sc_core::sc_time end = sc_core::SC_ZERO_TIME;
  for (const auto& g : top->gen) {
    r.bytes += g->bytes_moved();
    r.errors += g->errors();
    end = std::max(end, g->last_completion());
  }
  // Posted writes still waiting are placed now: the run ends when their data is on the bus.
  const double last_data_ns = double(top->gpu0.drain_writes()) * pc.hbm.timing.tck_ns;
  r.time_ns = std::max(end.to_seconds() * 1e9, last_data_ns);
  r.bandwidth_gbps = r.time_ns > 0 ? double(r.bytes) / r.time_ns : 0;
  r.peak_gbps = pc.hbm.peak_bytes_per_s() / 1e9;
  r.wall_s = wall;

  nlohmann::ordered_json doc;
  doc["command"] = "memtest";
  doc["pattern"] = r.pattern;
  doc["config"] = nlohmann::ordered_json::parse(cfg.to_json(-1));
  doc["bytes"] = r.bytes;
  doc["time_ns"] = r.time_ns;
  doc["bandwidth_gbps"] = r.bandwidth_gbps;
  doc["peak_gbps"] = r.peak_gbps;
  doc["efficiency"] = r.peak_gbps > 0 ? r.bandwidth_gbps / r.peak_gbps : 0;
  doc["errors"] = r.errors;
  doc["wall_s"] = wall;
  // Wall-clock fields: the only ones that differ between identical runs.
  doc["host"] = {{"sim_bytes_per_wall_s", wall > 0 ? double(r.bytes) / wall : 0.0},
                 {"sim_ns_per_wall_s", wall > 0 ? r.time_ns / wall : 0.0},
                 {"peak_rss_bytes", peak_rss_bytes()}};
  const auto records = collect_stats();
  doc["stats"] = stats_to_json(records);
  r.stats_table = format_stats_table(records);
  r.json = doc.dump(2);

  std::ostringstream os;
  char line[256];
  std::snprintf(line, sizeof line, "memtest %-10s  %8.1f MiB in %10.1f ns  %8.1f GB/s of %7.1f GB/s peak (%5.1f%%)\n",
                r.pattern.c_str(), double(r.bytes) / (1 << 20), r.time_ns, r.bandwidth_gbps, r.peak_gbps,
                100.0 * r.bandwidth_gbps / r.peak_gbps);
  os << line;
  std::snprintf(line, sizeof line, "wall %.3f s, %.2f GB simulated traffic per wall-second, peak RSS %.0f MiB\n", wall,
                wall > 0 ? double(r.bytes) / wall / 1e9 : 0.0, double(peak_rss_bytes()) / (1 << 20));
  os << line;
  r.table = os.str();
  return r;
}

}  // namespace t3vp
