// Ring collectives and the multi-GPU system: the step programs, the golden ring reduction, and whole
// runs of `t3vp run` (functional result, timing against the alpha-beta model, link and DRAM bytes
// against their analytic counts, bad input).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include "testbench/reference/fp_golden.h"
#include "testbench/reference/gemm_golden.h"
#include "testbench/reference/ring_golden.h"
#include "unit/run_t3vp.h"
#include "workloads/ring_collective.h"

using namespace t3vp;
using namespace t3vp_test;

namespace {

std::string tensor(std::uint64_t rows, std::uint64_t cols, unsigned gpus) {
  return "--set workload.model=custom --set workload.m=" + std::to_string(rows) + " --set workload.n=" +
         std::to_string(cols) + " --set workload.k=64 --set system.gpus=" + std::to_string(gpus);
}

}  // namespace

TEST_CASE("ring programs - every chunk makes p-1 hops and each device owns its reduced chunk", "[collective]") {
  for (unsigned p : {2u, 3u, 4u, 8u}) {
    for (std::uint64_t rows : {std::uint64_t(64), std::uint64_t(9), std::uint64_t(300)}) {
      ring_tensor t{rows, 24, 2, 0, 1 << 20};
      std::vector<unsigned> sent(p, 0);
      for (unsigned g = 0; g < p; ++g) {
        const ring_program rs = make_ring_program(ring_op::reduce_scatter, t, p, g);
        CHECK(rs.to == (g + p - 1) % p);
        REQUIRE(rs.steps.size() == p);
        CHECK(rs.steps.front().chunk == (g + 1) % p);
        CHECK_FALSE(rs.steps.front().add);
        CHECK(rs.steps.back().chunk == g);  // the last step reduces the chunk g owns, locally
        CHECK_FALSE(rs.steps.back().send);
        for (const ring_step& s : rs.steps) sent[s.chunk] += s.send;
        const ring_program ag = make_ring_program(ring_op::all_gather, t, p, g);
        CHECK(ag.incoming.size() == p - 1);
        for (const auto& in : ag.incoming) CHECK(in.first != g);
      }
      for (unsigned c = 0; c < p; ++c) CHECK(sent[c] == p - 1);
      std::uint64_t total = 0;
      for (unsigned c = 0; c < p; ++c) total += ring_chunk_bytes(t, p, c);
      CHECK(total == t.bytes());  // uneven and empty chunks still cover the tensor exactly once
    }
  }
  CHECK_THROWS_AS(make_ring_program(ring_op::reduce_scatter, ring_tensor{8, 8, 2, 0, 0}, 1, 0), std::invalid_argument);
}

TEST_CASE("golden ring reduction adds in the order c-1 then c-2 down to c", "[collective][golden]") {
  const unsigned p = 4;
  const std::uint64_t rows = 8;  // chunk c = rows 2c, 2c+1
  // Values chosen so that the association order changes the FP16 result.
  std::vector<std::vector<std::uint16_t>> part(p, std::vector<std::uint16_t>(1));
  const float v[p] = {2048.0f, 1.0f, 1.0f, -2048.0f};
  for (unsigned d = 0; d < p; ++d) part[d][0] = golden::float_to_fp16(v[d]);
  std::vector<const std::uint16_t*> ptr(p);
  for (unsigned d = 0; d < p; ++d) ptr[d] = part[d].data();
  for (unsigned c = 0; c < p; ++c) {
    std::vector<std::uint16_t> order;
    for (unsigned i = 1; i <= p; ++i) order.push_back(part[(c + p - i) % p][0]);
    std::uint16_t out = 0;
    golden::ring_reduce_row(p, rows, 2 * c, ptr.data(), 1, &out);
    CHECK(out == golden::reduce_fp16_in_order(order));
  }
}

TEST_CASE("golden vector FP16 row addition equals golden::fp16_add element by element", "[collective][golden]") {
  // Special values, subnormals, ties and overflow, plus a sweep of random encodings.
  std::vector<std::uint16_t> a, b;
  const std::uint16_t special[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF,
                                   0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFE01, 0x3555, 0x1400, 0x6800};
  for (auto x : special)
    for (auto y : special) a.push_back(x), b.push_back(y);
  std::uint64_t s = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 1 << 20; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    a.push_back(std::uint16_t(s)), b.push_back(std::uint16_t(s >> 16));
  }
  std::vector<std::uint16_t> vec = a, scalar = a;
  golden::add_fp16_rows(vec.data(), b.data(), vec.size(), true);
  golden::add_fp16_rows(scalar.data(), b.data(), scalar.size(), false);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.size(); ++i) bad += vec[i] != scalar[i];
  CHECK(bad == 0);
}

TEST_CASE("analytic ring DRAM and link counts match the closed forms for even chunks", "[collective]") {
  const unsigned p = 8;
  ring_tensor t{1024, 512, 2, 0, 64 << 20};
  const double S = double(t.bytes());
  const ring_dram_bytes rs = ring_dram_traffic(ring_op::reduce_scatter, t, p, 3);
  CHECK(double(rs.read) == Approx((2.0 * p - 1) / p * S));
  CHECK(double(rs.write) == Approx(S));
  const ring_dram_bytes ag = ring_dram_traffic(ring_op::all_gather, t, p, 3);
  CHECK(double(ag.read) == Approx((p - 1.0) / p * S));
  CHECK(double(ag.write) == Approx((p - 1.0) / p * S));
  CHECK(double(ring_link_bytes(ring_op::reduce_scatter, t, p, 3)) == Approx((p - 1.0) / p * S));
}

TEST_CASE("sequential all-reduce of synthetic partials is bit-exact on 2 and 4 GPUs with even and uneven chunks", "[collective][system]") {
  for (unsigned p : {2u, 4u}) {
    for (std::uint64_t rows : {std::uint64_t(256), std::uint64_t(301)}) {
      INFO("p=" << p << " rows=" << rows);
      auto j = run_json(tensor(rows, 384, p) + " --set workload.producer=none");
      CHECK(j["functional"]["checked_elements"].get<std::uint64_t>() == p * rows * 384);
      CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
      CHECK(j["time_ns"]["reduce_scatter"].get<double>() > 0);
      CHECK(j["time_ns"]["all_gather"].get<double>() > 0);
    }
  }
}

TEST_CASE("sequential GEMM then all-reduce with exact data is bit-exact (ring and fully connected)", "[collective][system]") {
  for (const char* topo : {"ring", "fully-connected"}) {
    INFO(topo);
    auto j = run_json("--set workload.model=custom --set workload.m=200 --set workload.n=136 --set workload.k=72 "
                      "--set system.gpus=3 --set data.mode=exact --set system.topology=" + std::string(topo));
    CHECK(j["functional"]["checked_elements"].get<std::uint64_t>() == 3u * 200 * 136);
    CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
    CHECK(j["time_ns"]["gemm"].get<double>() > 0);
    CHECK(j["time_ns"]["total"].get<double>() ==
          Approx(j["time_ns"]["gemm"].get<double>() + j["time_ns"]["reduce_scatter"].get<double>() +
                 j["time_ns"]["all_gather"].get<double>()));
  }
}

TEST_CASE("reduce-scatter alone follows the alpha-beta model within 5 percent", "[collective][system][timing]") {
  // t = (p-1) a + (p-1)/p S / B with B the link's payload bandwidth and a = link latency plus the
  // per-step overheads of docs/blocks/collective_engine.md.
  for (unsigned p : {4u, 8u}) {
    const std::uint64_t rows = 1024, cols = 3072;  // S = 6 MiB
    auto j = run_json(tensor(rows, cols, p) + " --set workload.producer=none --set workload.collective=reduce-scatter");
    const auto& c = j["config"];
    const double S = double(rows * cols * 2);
    const double bw = c["link"]["bandwidth_gbps"].get<double>();
    const double payload = c["link"]["packet_payload_bytes"].get<double>();
    const double header = c["link"]["packet_header_bytes"].get<double>();
    const double B = bw * payload / (payload + header);  // bytes per ns
    const auto& h = c["hbm"];
    const double hbm_peak = h["stacks"].get<double>() * h["channels_per_stack"].get<double>() *
                            h["pseudo_channels_per_channel"].get<double>() * h["burst_bytes"].get<double>() /
                            (h["burst_cycles"].get<double>() * h["tck_ns"].get<double>());
    const double slice = c["collective"]["slice_bytes"].get<double>();
    const double a = c["link"]["latency_ns"].get<double>() + 2 * c["collective"]["sms"].get<double>() * slice / hbm_peak +
                     slice / 2 / (c["collective"]["add_elems_per_cycle"].get<double>() * c["gpu"]["clock_ghz"].get<double>()) +
                     c["mc"]["frontend_latency_ns"].get<double>();
    const double model = (p - 1) * a + (p - 1.0) / p * S / B;
    const double t = j["time_ns"]["reduce_scatter"].get<double>();
    INFO("p=" << p << ": simulated " << t << " ns, alpha-beta " << model << " ns (a = " << a << " ns)");
    CHECK(t == Approx(model).epsilon(0.05));
    CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
  }
}

TEST_CASE("a whole-chunk final reduction adds the last chunk's reduction after the last transfer", "[collective][system][timing]") {
  // collective.final_reduce=whole-chunk: the reducer starts when its whole chunk has landed, so its
  // reads (2 S/p) and writes (S/p) follow the transfer: at least their time at HBM peak, at most twice it.
  const std::uint64_t rows = 1024, cols = 3072;  // S = 6 MiB
  const double S = double(rows * cols * 2);
  for (unsigned p : {4u, 8u}) {
    const std::string base = tensor(rows, cols, p) + " --set workload.producer=none --set workload.collective=reduce-scatter";
    const auto streamed = run_json(base);
    const auto whole = run_json(base + " --set collective.final_reduce=whole-chunk");
    const auto& h = whole["config"]["hbm"];
    const double hbm_peak = h["stacks"].get<double>() * h["channels_per_stack"].get<double>() *
                            h["pseudo_channels_per_channel"].get<double>() * h["burst_bytes"].get<double>() /
                            (h["burst_cycles"].get<double>() * h["tck_ns"].get<double>());
    const double dram_bound = 3 * S / p / hbm_peak;
    const double extra = whole["time_ns"]["reduce_scatter"].get<double>() - streamed["time_ns"]["reduce_scatter"].get<double>();
    INFO("p=" << p << ": whole-chunk adds " << extra << " ns; the final reduction's DRAM time is " << dram_bound << " ns");
    CHECK(extra >= dram_bound);
    CHECK(extra <= 2 * dram_bound);
    CHECK(whole["functional"]["mismatches"].get<std::uint64_t>() == 0);
  }
}

TEST_CASE("posted writes do not slow a reduce-scatter after the GEMM", "[collective][system][timing]") {
  // The ring's reads are split over every pseudo-channel and wait for the slowest; writes held for a
  // batch must not then block them (docs/validation.md section 1: without the age limit this run's
  // reduce-scatter was 39% slower).
  const std::string base = "--mode sequential --set system.gpus=4 --set workload.tokens=2048 --set data.mode=off";
  const auto posted = run_json(base);
  const auto placed = run_json(base + " --set mc.write_drain_high=0");
  const double rs = posted["time_ns"]["reduce_scatter"].get<double>(), rs0 = placed["time_ns"]["reduce_scatter"].get<double>();
  INFO("reduce-scatter with posted writes " << rs << " ns, with writes placed on arrival " << rs0 << " ns");
  CHECK(rs == Approx(rs0).epsilon(0.02));
}

TEST_CASE("link payload and reduce-scatter DRAM bytes per GPU equal their analytic counts", "[collective][system]") {
  const unsigned p = 4;
  const std::uint64_t rows = 512, cols = 1024;
  auto j = run_json(tensor(rows, cols, p) + " --set workload.producer=none");
  const double S = double(rows * cols * 2);
  REQUIRE(j["per_gpu"].size() == p);
  for (unsigned g = 0; g < p; ++g) {
    INFO("gpu" << g);
    const auto& d = j["per_gpu"][g]["dram_bytes"];
    const auto& l = j["per_gpu"][g]["link_sent"];
    CHECK(l["payload_bytes_reduce_scatter"].get<double>() == Approx((p - 1.0) / p * S).epsilon(0.01));
    CHECK(l["payload_bytes_all_gather"].get<double>() == Approx((p - 1.0) / p * S).epsilon(0.01));
    CHECK(l["header_bytes"].get<double>() > 0);
    CHECK(d["rs_read"].get<double>() == Approx((2.0 * p - 1) / p * S).epsilon(0.01));
    CHECK(d["rs_write"].get<double>() == Approx(S).epsilon(0.01));
    CHECK(d["ag_read"].get<double>() == Approx((p - 1.0) / p * S).epsilon(0.01));
    CHECK(d["ag_write"].get<double>() == Approx((p - 1.0) / p * S).epsilon(0.01));
  }
  CHECK(j["link_bytes"].get<double>() == Approx(2 * p * (p - 1.0) / p * S).epsilon(0.01));
}

TEST_CASE("collective bad input exits with code 2 naming the problem", "[collective][cli]") {
  struct bad {
    std::string args, expect;
  };
  const std::vector<bad> cases = {
      {"--set system.gpus=1 --set workload.collective=all-reduce", "system.gpus"},
      {"--set link.bandwidth_gbps=0", "link.bandwidth_gbps"},
      {"--set link.buffer_bytes=200", "link.buffer_bytes"},
      {"--set system.topology=torus", "system.topology"},
      {"--set workload.producer=none --set workload.collective=none", "workload.producer"},
      {"--set collective.slice_bytes=1000", "collective.slice_bytes"},
  };
  for (const auto& c : cases) {
    auto r = run_t3vp("run " + c.args);
    INFO(c.args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("all-reduce runs are deterministic", "[collective][system]") {
  auto a = run_json(tensor(256, 256, 4) + " --set workload.producer=none");
  auto b = run_json(tensor(256, 256, 4) + " --set workload.producer=none");
  for (auto* d : {&a, &b}) {
    d->erase("wall_s");
    (*d)["host"].erase("sim_ns_per_wall_s");
    (*d)["host"].erase("peak_rss_bytes");
  }
  CHECK(a.dump() == b.dump());
}

TEST_CASE("host memory follows the data moved, not the largest slice or packet a parameter allows", "[collective][system]") {
  // Before: every SM worker held two collective.slice_bytes buffers (4 GiB for 16 MiB slices) and every
  // link packet a link.packet_payload_bytes buffer (1.2 GB with 1 MiB payloads), for 0.5 MiB of data.
  const std::string small = "--set workload.model=custom --set workload.m=512 --set workload.n=512 --set workload.k=256"
                            " --set system.gpus=4";
  for (const std::string extra : {"--mode sequential --set collective.slice_bytes=16777216",
                                   "--mode t3 --set link.packet_payload_bytes=1048576 --set link.buffer_bytes=4294967296"}) {
    INFO(extra);
    const auto d = run_json(small + " " + extra);
    CHECK(d["functional"]["mismatches"] == 0);
    CHECK(d["host"]["peak_rss_bytes"].get<double>() < 512.0 * (1 << 20));
  }
}
