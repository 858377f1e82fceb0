// The command line as a user meets it: exit codes, messages that name the problem, determinism.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
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
  const std::string twice = temp_path("twice.json"), dotted_twice = temp_path("dotted_twice.json");
  const std::string overflow = temp_path("overflow.json"), nul_key = temp_path("nul_key.json");
  { std::ofstream(broken) << "{\"hbm\": {\"stacks\": 4,,}"; }
  { std::ofstream(wrong_type) << "{\"hbm\": {\"stacks\": \"four\"}}"; }
  { std::ofstream(twice) << "{\"hbm\": {\"cl\": 4}, \"hbm\": {\"cwl\": 3}}"; }
  { std::ofstream(dotted_twice) << "{\"hbm\": {\"cl\": 4}, \"hbm.cl\": 3}"; }
  { std::ofstream(overflow) << "{\"hbm\": {\"cl\": 1e400}}"; }
  { std::ofstream(nul_key) << "{\"a\\u0000b\": 1}"; }
  const std::string small = " --set data.mode=off --set workload.model=custom --set system.gpus=2 --set workload.m=256"
                            " --set workload.n=256 --set workload.k=64";
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
      {"memtest --config " + twice, "key 'hbm' appears twice"},
      {"memtest --config " + dotted_twice, "parameter 'hbm.cl' is given twice"},
      {"memtest --config " + overflow, "malformed JSON"},
      {"memtest --config " + nul_key, "unknown parameter 'a\\x00b'"},  // (a NUL would cut the message short)
      {"memtest --config /", "is a directory"},
      {"memtest --set sim.quantum_ns=1000", "out of range 1..500"},
      {"memtest --pattern random --set memtest.total_mib=1 --set memtest.initiators=1024"
       " --set memtest.random_request_bytes=4096", "one per initiator"},
      // Options that do not apply, empty values, numbers that would wrap, repeated list items.
      {"params --json x.json", "--json does not apply to params"},
      {"compare --stats" + small, "--stats does not apply to compare"},
      {"merge --set hbm.cl=3 x.jsonl", "--set does not apply to merge"},
      {"run --json ''" + small, "--json: empty value"},
      {"compare --jobs -4294967294" + small, "--jobs: expected an integer 1..64"},
      {"study --tp 4294967304 --list", "--tp: expected an integer"},
      {"study --tp 8,8 --list", "'8' is listed twice"},
      {"serve --port -1", "--port: expected an integer 0..65535"},
      // Output paths are checked before the run; huge shapes fail the capacity check, not an allocation.
      {"run --json /nonexistent_dir/x.json" + small, "directory '/nonexistent_dir' does not exist"},
      {"run --json /" + small, "is a directory"},
      {"study --tp 8,08 --list", "'8' is listed twice"},
      {"study --tp , --list", "--tp: empty list"},
      {"study --tp 8,,16 --list", "--tp: an empty item in '8,,16'"},
      {"study --tp , --tp 8 --list", "--tp: an empty item in ','"},
      {"study --models t-nlg, --list", "--models: an empty item in 't-nlg,'"},
      // The usual slips: KEY=VALUE without --set, a parameter as an option, another command's option.
      {"run --set system.gpus=2 system.gpus=4", "unexpected argument 'system.gpus=4' (parameters are set with --set: --set system.gpus=4)"},
      {"run --gpus 4", "--set system.gpus=VALUE"},
      {"compare --mode t3" + small, "--mode does not apply to compare (it runs every mode)"},
      {"compare --mode=t3" + small, "--mode does not apply to compare (it runs every mode)"},
      {"memtest --seed 3", "--set memtest.seed=VALUE"},
      {"run --log_level debug", "did you mean --log-level?"},
      {"run --tp 4", "the TP degree of a single configuration is --set system.gpus=N"},
      {"run --set tp=4", "the TP degree is the number of GPUs: system.gpus"},
      {"run --mode t3 --set system.gpus=3 --set workload.tokens=256 --set data.mode=off",
       "ceil(M / N) = 86 (the GEMM's M = 256 rows: workload.tokens, or workload.m of a custom GEMM; N = system.gpus); "
       "M = 384, the next multiple of N x tile rows, would do"},
      {"run" + small + " --set workload.m=2147483648 --set workload.n=2147483648 --set workload.k=2147483648",
       "do not fit in its HBM"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    auto r = run_t3vp(c.args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(c.expect) != std::string::npos);
    CHECK(r.output.find("t3vp: error:") != std::string::npos);
  }
  for (const auto& f : {broken, wrong_type, twice, dotted_twice, overflow, nul_key}) std::remove(f.c_str());
  // Standard output that cannot be written (a full disk) is an error, not a silent exit 0.
  struct stat full {};
  if (stat("/dev/full", &full) == 0 && S_ISCHR(full.st_mode)) CHECK(run_t3vp("params --format json >/dev/full").exit_code == 2);
  // An existing file is written in place, whatever its directory allows.
  const auto to_null = run_t3vp("memtest --set memtest.total_mib=1 --json /dev/null");
  INFO(to_null.output);
  CHECK(to_null.exit_code == 0);
}

TEST_CASE("a platform with more threads than the host's memory mappings allow is refused before it starts", "[cli]") {
  // Each SystemC thread takes about two mappings (stack and guard page); past vm.max_map_count the run
  // used to abort or report host memory exhausted. 16 GPUs x 4097 threads exceed the default 65530.
  std::uint64_t limit = 0;
  std::ifstream("/proc/sys/vm/max_map_count") >> limit;
  if (limit == 0 || limit > 100000) {
    WARN("vm.max_map_count is " << limit << ": the limit this test exceeds is not in force here");
    return;
  }
  auto r = run_t3vp("run --set data.mode=off --set workload.model=custom --set workload.m=2048 --set workload.n=256"
                    " --set workload.k=64 --set system.gpus=16 --set gpu.sms=1024 --set dma.engines=1024"
                    " --set collective.sms=1024");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("t3vp: error: the platform has 65553 SystemC threads") != std::string::npos);
  CHECK(r.output.find("(vm.max_map_count = " + std::to_string(limit) + ")") != std::string::npos);
  CHECK(r.output.find("system.symmetric=true simulates one GPU") != std::string::npos);
  CHECK(r.output.find("stack setup failed") == std::string::npos);
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
