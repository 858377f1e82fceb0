// Memory-system bandwidth as `t3vp memtest` reports it, against the HBM peak.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include "unit/run_t3vp.h"

using namespace t3vp_test;

namespace {
nlohmann::json memtest(const std::string& pattern, const std::string& extra = "") {
  return command_json("memtest", "--pattern " + pattern + " --set memtest.total_mib=64 " + extra);
}
}  // namespace

TEST_CASE("memtest: sequential reaches 90-100% of peak and random < gemm-mix < sequential", "[memtest][system]") {
  const auto seq = memtest("sequential"), rnd = memtest("random"), mix = memtest("gemm-mix");
  const double peak = seq["peak_gbps"].get<double>();
  CHECK(peak == Approx(1024.0));
  const double s = seq["bandwidth_gbps"].get<double>(), r = rnd["bandwidth_gbps"].get<double>(),
               m = mix["bandwidth_gbps"].get<double>();
  INFO("sequential " << s << " random " << r << " gemm-mix " << m << " GB/s of " << peak);
  CHECK(s >= 0.90 * peak);
  CHECK(s <= peak);
  CHECK(r < m);
  CHECK(m < s);
  CHECK(seq["errors"].get<int>() == 0);
  // Every byte requested was served by a controller.
  double served = 0;
  for (auto& [name, node] : seq["stats"]["system"]["gpu0"].items())
    if (name.rfind("mc", 0) == 0) served += node["bytes"]["compute"].get<double>();
  CHECK(served == Approx(seq["bytes"].get<double>()));
}

TEST_CASE("memtest: fcfs arbitration is slower than fr-fcfs on a mixed pattern", "[memtest][system]") {
  const auto fr = memtest("gemm-mix"), fcfs = memtest("gemm-mix", "--set mc.policy=fcfs");
  CHECK(fcfs["bandwidth_gbps"].get<double>() < fr["bandwidth_gbps"].get<double>());
}
