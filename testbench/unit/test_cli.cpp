// The command line as a user meets it: exit codes, messages that name the problem, determinism.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include "platform/config.h"
#include "unit/run_t3vp.h"

using namespace t3vp_test;

TEST_CASE("params lists every parameter with value default unit range and description", "[cli]") {
  auto r = run_t3vp("params --set hbm.stacks=2");
  REQUIRE(r.exit_code == 0);
  for (const auto& d : t3vp::config::schema()) CHECK(r.output.find(d.key) != std::string::npos);
  CHECK(r.output.find("hbm.stacks                           2*") != std::string::npos);
  auto j = run_t3vp("params --format json");
  REQUIRE(j.exit_code == 0);
  auto doc = nlohmann::json::parse(j.output);
  CHECK(doc.size() == t3vp::config::schema().size());
  CHECK(doc[0].contains("unit"));
  CHECK(doc[0].contains("range"));
}

TEST_CASE("bad input exits with code 2 and names the problem", "[cli]") {
  struct bad {
    std::string args, expect;
  };
  const std::string broken = temp_path("broken.json");
  const std::string wrong_type = temp_path("wrong_type.json");
  { std::ofstream(broken) << "{\"hbm\": {\"stacks\": 4,,}"; }
  { std::ofstream(wrong_type) << "{\"hbm\": {\"stacks\": \"four\"}}"; }
  const std::vector<bad> cases = {
      {"memtest --set hbm.stackz=2", "did you mean 'hbm.stacks'"},
      {"memtest --config " + wrong_type, "hbm.stacks"},
      {"memtest --set hbm.tck_ns=0", "hbm.tck_ns"},           // zero clock period: no bandwidth
      {"memtest --set hbm.tck_ns=-1", "hbm.tck_ns"},
      {"memtest --set hbm.burst_bytes=0", "hbm.burst_bytes"},  // zero bandwidth per access
      {"memtest --set hbm.channels_per_stack=0", "hbm.channels_per_stack"},
      {"memtest --set hbm.stacks=0", "hbm.stacks"},
      {"memtest --config " + broken, "malformed JSON"},
      {"memtest --config /nonexistent.json", "/nonexistent.json"},
      {"memtest --pattern zigzag", "zigzag"},
      {"memtest --set hbm.stacks", "KEY=VALUE"},
      {"memtest --bogus", "bogus"},
      {"frobnicate", "unknown command"},
      {"", "no command"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    auto r = run_t3vp(c.args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(c.expect) != std::string::npos);
    CHECK(r.output.find("t3vp: error:") != std::string::npos);
  }
  std::remove(broken.c_str());
  std::remove(wrong_type.c_str());
}

namespace {
// The result document without its wall-clock fields.
nlohmann::json without_wall_clock(nlohmann::json j) {
  j.erase("wall_s");
  j.erase("host");
  return j;
}
}  // namespace

TEST_CASE("two identical memtest runs give byte-identical JSON apart from wall-clock fields", "[cli][determinism]") {
  const std::string a = temp_path("a.json"), b = temp_path("b.json");
  const std::string args = " --pattern gemm-mix --set memtest.total_mib=16 --set memtest.initiators=16";
  REQUIRE(run_t3vp("memtest --json " + a + args).exit_code == 0);
  REQUIRE(run_t3vp("memtest --json " + b + args).exit_code == 0);
  auto ja = nlohmann::json::parse(read_text(a)), jb = nlohmann::json::parse(read_text(b));
  CHECK(ja.contains("wall_s"));
  CHECK(without_wall_clock(ja).dump() == without_wall_clock(jb).dump());
  std::remove(a.c_str());
  std::remove(b.c_str());
}
