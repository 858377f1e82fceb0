// The producer GEMM end to end: host driver over MMIO, command processor, SMs through L2 and HBM, and
// the result checked against the golden by `t3vp run` itself (and here through its JSON).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include "unit/run_t3vp.h"

using namespace t3vp_test;

namespace {
nlohmann::json run_gemm(const std::string& args, int expect_exit = 0) {
  return run_json("--set workload.collective=none " + args, expect_exit);
}
std::string custom(unsigned m, unsigned n, unsigned k) {
  return "--set workload.model=custom --set workload.m=" + std::to_string(m) + " --set workload.n=" + std::to_string(n) +
         " --set workload.k=" + std::to_string(k);
}
}  // namespace

TEST_CASE("exact GEMM 256x256x512 is bit-exact against the golden", "[gemm][system]") {
  auto j = run_gemm(custom(256, 256, 512) + " --set data.mode=exact --set system.gpus=1");
  CHECK(j["functional"]["checked_elements"].get<long>() == 256 * 256);
  CHECK(j["functional"]["mismatches"].get<long>() == 0);
  CHECK(j["time_ns"]["gemm"].get<double>() > 0);
}

TEST_CASE("exact ragged GEMM 300x200x130 on two GPUs is bit-exact against the golden", "[gemm][system]") {
  auto j = run_gemm(custom(300, 200, 130) + " --set data.mode=exact --set system.gpus=2");
  CHECK(j["functional"]["checked_elements"].get<long>() == 2 * 300 * 200);
  CHECK(j["functional"]["mismatches"].get<long>() == 0);
}

TEST_CASE("a GEMM whose operands fit in L2 reads them from DRAM once", "[gemm][system]") {
  // A 2048 x 512 and B 512 x 1024 (packed): 2 MiB + 1 MiB, well inside the 16 MiB L2.
  auto j = run_gemm(custom(2048, 1024, 512) + " --set system.gpus=1");
  const double operands = 2048.0 * 512 * 2 + 512.0 * 1024 * 2;
  const double read = j["dram_bytes"]["gemm_read"].get<double>();
  INFO("DRAM reads " << read << " B, operands " << operands << " B");
  CHECK(read == Approx(operands).epsilon(0.05));
}

TEST_CASE("bad GEMM input exits with code 2 and a clear message", "[gemm][cli]") {
  struct bad {
    std::string args, expect;
  };
  const std::vector<bad> cases = {
      {"--set workload.model=custom --set workload.m=0 --set workload.n=8 --set workload.k=8", "workload.m"},
      {"--set workload.model=custom --set workload.m=-5", "workload.m"},
      {"--set workload.model=gpt-5", "gpt-5"},
      {"--set workload.sublayer=fc3", "fc3"},
      {"--set gemm.tile_m=1024 --set gemm.tile_n=1024", "parameter 'gemm.tile_m': gemm.tile_m x gemm.tile_n = 1024x1024"},
      // The key named is the one changed, not always gemm.tile_m.
      {"--set gemm.k_step=1024", "parameter 'gemm.k_step': gemm.tile_m x gemm.tile_n = 128x128 with gemm.k_step = 1024 needs "
                                 "1114112 B per workgroup"},
      {"--set gpu.workgroups_per_sm=16", "parameter 'gpu.workgroups_per_sm': "},
      {"--set gemm.tile_m=64 --set gemm.tile_n=1024 --set gemm.k_step=256", "parameter 'gemm.tile_n': "},  // (the raised one)
      {"--mode warp-speed", "warp-speed"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    auto r = run_t3vp("run --set workload.collective=none " + c.args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(c.expect) != std::string::npos);
  }
}
