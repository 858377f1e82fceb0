// `t3vp serve` and `t3vp ctl` (docs/serve.md): a stepped run whose output equals the golden ring
// reduction, simulated time that moves only under `run`, over a thousand hostile inputs that each get an
// error reply or a clean close, and a server that listens on loopback unless told otherwise.
#include <catch2/catch.hpp>
#include <ifaddrs.h>
#include <nlohmann/json.hpp>
#include <random>
#include "models/sm/gemm_math.h"
#include "testbench/reference/ring_golden.h"
#include "unit/run_t3vp.h"
#include "unit/serve_process.h"

using namespace t3vp_test;
using nlohmann::json;

namespace {

const unsigned gpus = 2, rows = 256, cols = 384;
const std::vector<std::string> small = {"--set", "workload.model=custom", "--set", "workload.m=256", "--set",
                                        "workload.n=384",       "--set", "workload.k=64",  "--set",
                                        "system.gpus=2"};

std::uint64_t time_ps(const json& j) { return j.at("time_ps").get<std::uint64_t>(); }

std::vector<std::uint8_t> from_hex(const std::string& s) {
  std::vector<std::uint8_t> out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::uint8_t(std::stoul(s.substr(2 * i, 2), nullptr, 16));
  return out;
}

// A reply line must be one JSON object, pure ASCII, with ok=false and an error string.
void require_error_reply(const std::string& line) {
  INFO(line.substr(0, 300));
  for (unsigned char c : line) REQUIRE((c >= 0x20 && c < 0x7f));
  const json j = json::parse(line, nullptr, false);
  REQUIRE(j.is_object());
  REQUIRE(j["ok"] == false);
  REQUIRE(j["error"].is_string());
}

// Reads rows [row0, row0 + n) of GPU g's output through `read` and counts the elements that differ from
// the golden ring reduction of the synthetic partials of `gpus` GPUs (rows x cols output).
std::uint64_t golden_mismatches(serve_client& c, const json& buffers, unsigned g, unsigned gpus, std::uint64_t rows,
                                std::uint64_t cols, std::uint64_t row0, unsigned n) {
  const std::uint64_t addr = buffers["per_gpu"][g]["c"].get<std::uint64_t>() + row0 * cols * 2;
  const json rd = c.request({{"cmd", "read"}, {"addr", addr}, {"len", n * cols * 2}});
  REQUIRE(rd["ok"] == true);
  const std::vector<std::uint8_t> got = from_hex(rd["data"].get<std::string>());
  REQUIRE(got.size() == n * cols * 2);
  std::vector<std::vector<std::uint16_t>> partial_rows(gpus, std::vector<std::uint16_t>(cols));
  std::vector<const std::uint16_t*> ptrs(gpus);
  std::vector<std::uint16_t> want(cols);
  std::uint64_t mismatches = 0;
  for (unsigned r0 = 0; r0 < n; ++r0) {
    for (unsigned d = 0; d < gpus; ++d) {
      t3vp::fill_synthetic_partials(d, row0 + r0, 0, 1, cols, partial_rows[d].data(), cols);
      ptrs[d] = partial_rows[d].data();
    }
    t3vp::golden::ring_reduce_row(gpus, rows, row0 + r0, ptrs.data(), cols, want.data());
    for (std::uint64_t col = 0; col < cols; ++col) {
      const std::size_t i = (std::size_t(r0) * cols + col) * 2;
      mismatches += std::uint16_t(got[i] | got[i + 1] << 8) != want[col];
    }
  }
  return mismatches;
}

}  // namespace

TEST_CASE("serve: stepped run advances time only under run and its output equals the golden", "[serve][system]") {
  serve_process srv(small);
  CHECK(srv.address == "127.0.0.1");
  serve_client c(srv.port);
  REQUIRE(c.connected);

  json s = c.request({{"cmd", "status"}});
  REQUIRE(s["ok"] == true);
  CHECK(s["state"] == "idle");
  CHECK(time_ps(s) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // idle: no simulated time may pass
  s = c.request({{"cmd", "status"}});
  CHECK(time_ps(s) == 0);

  // Three steps of 1 us each: time moves by exactly the step, and not at all in between.
  std::uint64_t t = 0;
  for (int step = 0; step < 3; ++step) {
    const json r = c.request({{"cmd", "run"}, {"for_ns", 1000}, {"id", step}});
    INFO(r.dump());
    REQUIRE(r["ok"] == true);
    CHECK(r["id"] == step);
    CHECK(r["stopped"] == "reached");
    CHECK(time_ps(r) == t + 1000000);
    t = time_ps(r);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = c.request({{"cmd", "status"}});
    CHECK(s["state"] == "idle");
    CHECK(time_ps(s) == t);
    CHECK_FALSE(s["finished"].get<bool>());
  }
  // until_ns in the past is refused; a later one is reached.
  CHECK(c.request({{"cmd", "run"}, {"until_ns", 10}})["ok"] == false);
  json r = c.request({{"cmd", "run"}, {"until_ns", 4000}});
  CHECK(r["stopped"] == "reached");
  CHECK(time_ps(r) == 4000000);

  const json b = c.request({{"cmd", "buffers"}});
  REQUIRE(b["ok"] == true);
  REQUIRE(b["rows"] == rows);
  REQUIRE(b["cols"] == cols);

  r = c.request({{"cmd", "run"}});  // to the end
  INFO(r.dump());
  REQUIRE(r["ok"] == true);
  CHECK(r["stopped"] == "finished");
  CHECK(r["finished"] == true);
  s = c.request({{"cmd", "status"}});
  CHECK(s["state"] == "finished");
  CHECK(s["progress"]["fraction"] == 1.0);
  CHECK(s["result"]["functional_ok"] == true);
  CHECK(s["result"]["functional"]["mismatches"] == 0);
  CHECK(s["result"]["functional"]["checked_elements"] == std::uint64_t(gpus) * rows * cols);
  CHECK(c.request({{"cmd", "run"}, {"for_ns", 10}})["ok"] == false);  // nothing left to run

  // A reduced chunk of each GPU's output, read through transport_dbg, equals the golden ring reduction.
  for (unsigned g = 0; g < gpus; ++g) CHECK(golden_mismatches(c, b, g, gpus, rows, cols, g * 128, 64) == 0);

  const json q = c.request({{"cmd", "quit"}});
  CHECK(q["ok"] == true);
  CHECK(srv.wait_exit(20000) == 0);
}

// The default scenario (T-NLG FC-2, TP 8, 8192 tokens, sequential) as a demo would drive it: a few
// steps of 1 ms, then to the end; time moves only under `run`; a reduced chunk of every GPU equals the
// golden. About a minute in the optimised build; skipped under the sanitizers, where it takes many.
TEST_CASE("serve: the default scenario in steps, its reduced output equal to the golden", "[serve][system]") {
#ifdef T3VP_SANITIZED
  SUCCEED("skipped under ASan + UBSan: the full default scenario takes too long there");
  return;
#endif
  serve_process srv({});
  serve_client c(srv.port);
  REQUIRE(c.connected);
  const json b = c.request({{"cmd", "buffers"}});
  REQUIRE(b["ok"] == true);
  const std::uint64_t rows = b["rows"], cols = b["cols"];
  CHECK(rows == 8192);
  CHECK(cols == 4256);
  std::uint64_t t = 0;
  for (int step = 0; step < 3; ++step) {
    const json r = c.request({{"cmd", "run"}, {"for_ns", 1000000}});
    INFO(r.dump());
    REQUIRE(r["ok"] == true);
    CHECK(r["stopped"] == "reached");
    CHECK(time_ps(r) == t + 1000000000);
    t = time_ps(r);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(time_ps(c.request({{"cmd", "status"}})) == t);
  }
  const json r = c.request({{"cmd", "run"}});
  INFO(r.dump());
  REQUIRE(r["stopped"] == "finished");
  const json s = c.request({{"cmd", "status"}});
  CHECK(s["result"]["functional"]["mismatches"] == 0);
  const unsigned gpus = 8;
  for (unsigned g = 0; g < gpus; ++g)  // 4 rows in each GPU's own chunk (a read is at most 64 KiB)
    CHECK(golden_mismatches(c, b, g, gpus, rows, cols, g * (rows / gpus) + 17, 4) == 0);
  CHECK(c.request({{"cmd", "quit"}})["ok"] == true);
  CHECK(srv.wait_exit(20000) == 0);
}

TEST_CASE("serve: pause stops a run, list/get/set/stats/trace answer, ctl prints replies", "[serve][system]") {
  serve_process srv(small);
  serve_client runner(srv.port), other(srv.port);
  REQUIRE(runner.connected);
  REQUIRE(other.connected);
  // A run to the end from one client, paused from another.
  REQUIRE(runner.send_raw("{\"cmd\":\"run\",\"id\":\"r\"}\n"));
  const json p = other.request({{"cmd", "pause"}});
  REQUIRE(p["ok"] == true);
  std::string line;
  REQUIRE(runner.read_line(line));
  const json r = json::parse(line);
  CHECK(r["id"] == "r");
  CHECK(r["ok"] == true);
  // Paused, or finished when the pause arrived too late: either way the run replied.
  CHECK((r["stopped"] == "paused" || r["stopped"] == "finished"));

  const json l = other.request({{"cmd", "list"}, {"root", "system.gpu1"}});
  REQUIRE(l["ok"] == true);
  CHECK(l["objects"][0]["name"] == "system.gpu1");
  CHECK(l["objects"][0]["kind"] == "sc_module");
  CHECK(other.request({{"cmd", "get"}, {"key", "system.gpus"}})["value"] == 2);
  const json fixed = other.request({{"cmd", "set"}, {"key", "system.gpus"}, {"value", 4}});
  CHECK(fixed["ok"] == false);
  CHECK(fixed["error"].get<std::string>().find("fixed") != std::string::npos);
  CHECK(other.request({{"cmd", "set"}, {"key", "sim.log_level"}, {"value", "info"}})["ok"] == true);
  CHECK(other.request({{"cmd", "set"}, {"key", "sim.log_level"}, {"value", "loud"}})["ok"] == false);
  CHECK(other.request({{"cmd", "set"}, {"key", "sim.log_level"}, {"value", "WARNING"}})["value"] == "warning");
  const json st = other.request({{"cmd", "stats"}, {"root", "system.gpu0.mc0"}});
  REQUIRE(st["ok"] == true);
  CHECK(st["stats"]["system"]["gpu0"]["mc0"].contains("reads"));
  CHECK(other.request({{"cmd", "trace"}, {"on", true}})["trace"] == true);
  CHECK(other.request({{"cmd", "trace"}, {"on", false}})["trace"] == false);
  // An argument the command does not take is an error, not ignored (a mistyped for_ns would run to the end).
  const double before = other.request({{"cmd", "status"}})["time_ns"].get<double>();
  const json typo = other.request({{"cmd", "run"}, {"for", 1000}});
  CHECK(typo["ok"] == false);
  CHECK(typo["error"] == "unknown argument 'for' for run (it takes for_ns, until_ns)");
  CHECK(other.request({{"cmd", "status"}})["time_ns"].get<double>() == before);
  CHECK(other.request({{"cmd", "stats"}, {"path", "system.gpu0"}})["error"] == "unknown argument 'path' for stats (it takes root)");
  CHECK(other.request({{"cmd", "quit"}, {"now", true}})["error"] == "unknown argument 'now' for quit (it takes none)");

  const std::string port = std::to_string(srv.port);
  auto ok = run_t3vp("ctl --port " + port + " status");
  CHECK(ok.exit_code == 0);
  CHECK(json::parse(ok.output)["ok"] == true);
  auto bad = run_t3vp("ctl --port " + port + " read addr=0x7000000000000 len=8");
  CHECK(bad.exit_code == 1);
  CHECK(run_t3vp("ctl --port " + port + " '{\"cmd\":\"get\",\"key\":\"workload.n\"}'").exit_code == 0);
  CHECK(run_t3vp("ctl --port " + port + " get key").exit_code == 2);   // not KEY=VALUE
  CHECK(run_t3vp("ctl status").exit_code == 2);                       // no port
  CHECK(run_t3vp("ctl --port " + port + " quit").exit_code == 0);
  CHECK(srv.wait_exit(20000) == 0);
  CHECK(run_t3vp("ctl --port " + port + " --timeout 5 status").exit_code == 3);  // nobody listens any more
}

TEST_CASE("serve: over a thousand hostile inputs each get an error reply or a clean close", "[serve][system][robustness]") {
  serve_process srv({"--set", "workload.model=custom", "--set", "workload.m=256", "--set", "workload.n=384", "--set",
                     "workload.k=64", "--set", "system.gpus=2", "--max-line-bytes", "4096"});
  std::mt19937_64 rng(7);
  unsigned inputs = 0;
  serve_client c(srv.port);
  REQUIRE(c.connected);
  // One hostile line on the long-lived connection: exactly one error reply, the connection stays usable.
  const auto expect_error = [&](const std::string& payload) {
    REQUIRE(c.send_raw(payload + "\n"));
    std::string line;
    REQUIRE(c.read_line(line));
    require_error_reply(line);
    ++inputs;
  };

  // Random bytes (no newline; never blank).
  for (int i = 0; i < 300; ++i) {
    std::string s(1 + rng() % 300, '\0');
    for (auto& ch : s) do ch = char(rng()); while (ch == '\n');
    s[0] = char('!' + rng() % 90);
    expect_error(s);
  }
  // Malformed JSON, including invalid UTF-8, deep nesting and numbers out of range.
  const std::vector<std::string> malformed = {
      "{", "}", "{\"cmd\":", "{\"cmd\":\"status\"", "{\"cmd\":\"status\"}}", "[1,2", "nul", "tru", "\"\\uZZZZ\"",
      "{\"cmd\":\"st\xff\xfe\"}", "{'cmd':'status'}", "{\"cmd\":\"status\",}", std::string(3000, '['),
      std::string(2000, '{'), "{\"cmd\":\"run\",\"for_ns\":1e999}", "\x01\x02\x03", "{\"cmd\":\"status\"} trailing",
      "{\"cmd\":\"\\u0000\"}", "[]", "42", "\"status\"", "null", "{\"cmd\":\"status\",\"id\":{\"a\":1}}",
      "{\"cmd\":\"status\",\"cmd\":\"quit\"}"};  // (a key twice: refused, not read as its last value: quit)
  for (int round = 0; round < 9; ++round)
    for (const auto& m : malformed) expect_error(m);
  // Wrong types and bad values for every command.
  const std::vector<json> wrong = {
      {{"cmd", 5}}, {{"cmd", nullptr}}, {{"cmd", json::array()}}, {{"cmd", {{"x", 1}}}}, {{"cmd", true}},
      {{"cmd", "run"}, {"for_ns", "10"}}, {{"cmd", "run"}, {"for_ns", -1}}, {{"cmd", "run"}, {"for_ns", true}},
      {{"cmd", "run"}, {"for_ns", 1e300}}, {{"cmd", "run"}, {"for_ns", 0}}, {{"cmd", "run"}, {"for_ns", 1}, {"until_ns", 2}},
      {{"cmd", "run"}, {"until_ns", json::array()}}, {{"cmd", "run"}, {"until_ns", 0}}, {{"cmd", "run"}, {"for_ns", 1e-9}},
      {{"cmd", "read"}}, {{"cmd", "read"}, {"addr", 0}}, {{"cmd", "read"}, {"addr", -1}, {"len", 8}},
      {{"cmd", "read"}, {"addr", "zz"}, {"len", 8}}, {{"cmd", "read"}, {"addr", 1.5}, {"len", 8}},
      {{"cmd", "read"}, {"addr", "0x"}, {"len", 8}}, {{"cmd", "read"}, {"addr", "0x11112222333344445"}, {"len", 8}},
      {{"cmd", "read"}, {"addr", json::object()}, {"len", 8}}, {{"cmd", "read"}, {"addr", 0}, {"len", 0}},
      {{"cmd", "read"}, {"addr", 0}, {"len", "many"}}, {{"cmd", "read"}, {"addr", 0}, {"len", 65537}},
      {{"cmd", "read"}, {"addr", 0}, {"len", std::uint64_t(1) << 63}}, {{"cmd", "read"}, {"addr", UINT64_MAX}, {"len", 16}},
      {{"cmd", "get"}}, {{"cmd", "get"}, {"key", 5}}, {{"cmd", "get"}, {"key", "no.such.key"}},
      {{"cmd", "set"}, {"key", "sim.log_level"}}, {{"cmd", "set"}, {"key", "sim.log_level"}, {"value", json::object()}},
      {{"cmd", "set"}, {"key", "sim.log_level"}, {"value", nullptr}}, {{"cmd", "set"}, {"key", "link.latency_ns"}, {"value", 1}},
      {{"cmd", "trace"}}, {{"cmd", "trace"}, {"on", "yes"}}, {{"cmd", "list"}, {"root", 7}},
      {{"cmd", "list"}, {"root", "system.nothing"}}, {{"cmd", "stats"}, {"root", "nope"}}, {{"cmd", "STATUS"}},
      {{"cmd", ""}}, {{"cmd", "status\n"}}, {{"cmd", "\x1b[31mred"}}, {{"cmd", std::string(3000, 'x')}}};
  for (int round = 0; round < 5; ++round)
    for (const auto& w : wrong) expect_error(w.dump(-1, ' ', false, json::error_handler_t::replace));
  // Unknown commands with arbitrary (escaped) names.
  for (int i = 0; i < 60; ++i) {
    std::string name(1 + rng() % 40, '\0');
    for (auto& ch : name) ch = char(1 + rng() % 126);
    expect_error(json({{"cmd", name}}).dump(-1, ' ', false, json::error_handler_t::replace));
  }
  // Huge lengths and unmapped addresses: beyond the last GPU, in a GPU window past its HBM, between blocks.
  for (int i = 0; i < 60; ++i)
    expect_error(json({{"cmd", "read"}, {"addr", 0}, {"len", 65537 + rng() % (std::uint64_t(1) << 40)}}).dump());
  const json b = c.request({{"cmd", "buffers"}});
  for (int i = 0; i < 100; ++i) {
    std::uint64_t addr;
    switch (i % 3) {
      case 0: addr = (std::uint64_t(2 + rng() % 1000) << 40) | (rng() & 0xFFFFFFFFFFull); break;  // no such GPU
      case 1: addr = (std::uint64_t(rng() % 2) << 40) | (0xF000000000ull + rng() % 0x0F00000000ull); break;
      default: addr = (std::uint64_t(rng() % 2) << 40) | (0xFF00003000ull + rng() % 0xFFFFull); break;
    }
    expect_error(json({{"cmd", "read"}, {"addr", addr}, {"len", 8 + rng() % 64}}).dump());
  }
  // Oversized lines: one error reply each, discarded up to the newline; sent in pieces too.
  for (int i = 0; i < 20; ++i) {
    const std::string big(4097 + rng() % 20000, char('a' + i % 26));
    if (i % 2) {
      REQUIRE(c.send_raw(big.substr(0, 3000)));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      expect_error(big.substr(3000) + "{\"cmd\":\"status\"}");  // the rest of the oversized line
    } else {
      expect_error(big);
    }
  }
  REQUIRE(c.request({{"cmd", "status"}})["ok"] == true);  // still usable after all of it

  // Abrupt disconnects: mid-line, right after a request (its reply has nowhere to go), by reset.
  for (int i = 0; i < 120; ++i) {
    serve_client d(srv.port);
    REQUIRE(d.connected);
    switch (i % 4) {
      case 0: d.send_raw("{\"cmd\":\"sta"); break;
      case 1: d.send_raw("{\"cmd\":\"stats\"}\n"); break;
      case 2: d.send_raw("{\"cmd\":\"list\"}\n{\"cmd\":\"read\",\"addr\":0,\"len\":65536}\n"); d.reset(); continue;
      default: d.send_raw(std::string(5000, 'z')); d.reset(); continue;
    }
    d.close_now();
    ++inputs;
  }
  inputs += 60;  // the resets above

  // Several clients at once, pipelining.
  {
    std::vector<std::unique_ptr<serve_client>> many;
    for (int i = 0; i < 8; ++i) many.push_back(std::make_unique<serve_client>(srv.port));
    for (auto& m : many) REQUIRE(m->send_raw("{\"cmd\":\"status\",\"id\":1}\nnot json\n{\"cmd\":\"get\",\"key\":\"system.gpus\"}\n"));
    for (auto& m : many) {
      std::string l1, l2, l3;
      REQUIRE(m->read_line(l1));
      REQUIRE(m->read_line(l2));
      REQUIRE(m->read_line(l3));
      CHECK(json::parse(l1)["id"] == 1);
      require_error_reply(l2);
      CHECK(json::parse(l3)["value"] == 2);
      inputs += 1;
    }
  }
  INFO("hostile inputs: " << inputs);
  CHECK(inputs >= 1000);

  // The server still answers, and correctly: nothing ran, nothing is broken.
  REQUIRE(srv.alive());
  serve_client after(srv.port);
  const json s = after.request({{"cmd", "status"}});
  REQUIRE(s["ok"] == true);
  CHECK(s["state"] == "idle");
  CHECK(time_ps(s) == 0);
  const json r = after.request({{"cmd", "run"}, {"for_ns", 500}});
  CHECK(r["stopped"] == "reached");
  CHECK(time_ps(r) == 500000);
  CHECK(after.request({{"cmd", "quit"}})["ok"] == true);
  CHECK(srv.wait_exit(20000) == 0);
}

TEST_CASE("serve: listens on loopback only unless --bind names another address", "[serve][system][cli]") {
  {
    serve_process srv(small);
    CHECK(srv.address == "127.0.0.1");
    // A non-loopback address of this host must not reach it.
    std::string other;
    ifaddrs* ifs = nullptr;
    if (getifaddrs(&ifs) == 0) {
      for (ifaddrs* i = ifs; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
          char text[INET_ADDRSTRLEN];
          inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
          if (std::string(text).rfind("127.", 0) != 0) {
            other = text;
            break;
          }
        }
      freeifaddrs(ifs);
    }
    if (other.empty()) {
      WARN("no non-loopback IPv4 address on this host: only the printed address is checked");
    } else {
      INFO("non-loopback address " << other);
      serve_client outside(srv.port, other.c_str());
      CHECK_FALSE(outside.connected);
    }
    serve_client inside(srv.port);
    REQUIRE(inside.connected);
    CHECK(inside.request({{"cmd", "quit"}})["ok"] == true);
    CHECK(srv.wait_exit(20000) == 0);
  }
  {
    serve_process srv({"--bind", "0.0.0.0", "--set", "workload.model=custom", "--set", "workload.m=64", "--set",
                       "workload.n=64", "--set", "workload.k=64", "--set", "system.gpus=2"});
    CHECK(srv.address == "0.0.0.0");  // only because --bind named it
    serve_client c(srv.port);
    CHECK(c.request({{"cmd", "quit"}})["ok"] == true);
    CHECK(srv.wait_exit(20000) == 0);
  }
  // Bad input: exit code 2 with a message naming the problem, before anything is served.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"serve --bind not-an-address", "--bind"},
      {"serve --bind 203.0.113.77", "cannot listen"},  // TEST-NET-3: not an address of this host
      {"serve --port 70000", "--port"},
      {"serve --port abc", "port"},
      {"serve --max-line-bytes 10", "--max-line-bytes"},
      {"serve --mode nonsense", "--mode"},
      {"serve --set system.gpus=0", "system.gpus"}};
  for (const auto& [args, needle] : bad) {
    INFO(args);
    const auto r = run_t3vp(args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(needle) != std::string::npos);
  }
}
