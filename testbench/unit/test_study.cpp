// The architect's instruments: `t3vp study` (grid, JSON summary, CSV, SVG charts), `--trace` timelines
// (Chrome trace-event format), `t3vp sweep` sharded through GNU parallel and `t3vp merge`, and their
// input errors. Tiny configurations only (a few hundred tokens, 2-4 GPUs, no data).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include "unit/run_t3vp.h"

using namespace t3vp_test;

namespace {

const std::string tiny = "--set workload.tokens=256 --set data.mode=off";

std::string source_dir() {
  std::string src = __FILE__;
  return src.substr(0, src.rfind("testbench/unit/"));
}

int shell(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The SVG renders with Debian's rsvg-convert to a PNG whose pixels are not all background.
void check_renders(const std::string& svg) {
  const std::string png = svg + ".png";
  INFO(svg);
  REQUIRE(shell("rsvg-convert -o " + png + " " + svg) == 0);
  CHECK(shell("python3 " + source_dir() + "testbench/scripts/png_not_blank.py " + png + " 0.02") == 0);
  std::remove(png.c_str());
}

double geomean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::log(x);
  return std::exp(s / double(v.size()));
}

}  // namespace

TEST_CASE("study on a restricted grid gives its points and a summary computed from them with CSV and charts", "[study][system]") {
  const std::string json = temp_path("study.json"), csv = temp_path("study.csv"), svg = temp_path("study_svg");
  auto r = run_t3vp("study --quiet --models mega-gpt-2 --tp 2,4 --sublayers op --json " + json + " --csv " + csv +
                    " --svg " + svg + " --set workload.tokens=512 --set data.mode=off");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("geomean") != std::string::npos);
  CHECK(r.output.find("DRAM traffic by category") != std::string::npos);
  // Timing-only points checked no data: the functional column says so rather than "ok".
  CHECK(r.output.find("mega-gpt-2 TP2 op") != std::string::npos);
  CHECK(r.output.find(" off\n") != std::string::npos);
  CHECK(r.output.find(" ok\n") == std::string::npos);
  const auto d = nlohmann::json::parse(read_text(json));
  REQUIRE(d["points"].size() == 2);
  CHECK(d["points"][0]["model"] == "mega-gpt-2");
  CHECK(d["points"][0]["tp"] == 2);
  CHECK(d["points"][1]["tp"] == 4);
  CHECK(d["points"][0]["sublayer"] == "op");
  for (const auto& p : d["points"]) {
    REQUIRE(p["compare"]["runs"].size() == 5);
    CHECK(p["compare"]["runs"][0]["workload"]["tp"] == p["tp"]);
    CHECK(p["compare"]["runs"][0]["workload"]["simulated_gpus"] == 1);  // symmetric execution by default
  }
  const auto& s = d["summary"];
  for (const char* m : {"sequential", "t3", "t3-mca", "ideal-overlap", "ideal-rs-nmc"}) {
    INFO(m);
    std::vector<double> sp, dram;
    double mx = 0;
    for (const auto& p : d["points"]) {
      const auto& c = p["compare"];
      const double seq_t = c["runs"][0]["time_ns"]["total"].get<double>();
      const double seq_b = c["runs"][0]["dram_bytes"]["total"].get<double>();
      for (const auto& run : c["runs"])
        if (run["mode"] == m) {
          sp.push_back(seq_t / run["time_ns"]["total"].get<double>());
          dram.push_back(run["dram_bytes"]["total"].get<double>() / seq_b);
        }
      mx = std::max(mx, sp.back());
    }
    REQUIRE(sp.size() == 2);
    CHECK(s["speedup_geomean"][m].get<double>() == Approx(geomean(sp)));
    CHECK(s["speedup_max"][m].get<double>() == Approx(mx));
    CHECK(s["dram_reduction_geomean"][m].get<double>() == Approx(1 - geomean(dram)).margin(1e-12));
  }
  CHECK(s["speedup_geomean"]["sequential"].get<double>() == Approx(1.0));
  CHECK(s["by_tp"].contains("2"));
  CHECK(s["by_tp"]["4"]["points"] == 1);
  // CSV: a header and one row per point x mode.
  const std::string text = read_text(csv);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1 + 2 * 5);
  CHECK(text.rfind("model,tp,sublayer,mode,", 0) == 0);
  CHECK(text.find(",mismatches,simulated_gpus\n") != std::string::npos);
  check_renders(svg + "/speedup.svg");
  check_renders(svg + "/dram.svg");
  shell("rm -rf " + svg + " " + json + " " + csv);
}

TEST_CASE("compare --svg renders to a non-blank PNG", "[study][system]") {
  const std::string svg = temp_path("compare.svg");
  auto r = run_t3vp("compare --quiet --svg " + svg + " --set system.gpus=2 " + tiny);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string text = read_text(svg);
  for (const char* needle : {"<svg", "speedup over sequential (x)", "DRAM bytes, all GPUs (MiB)", "gemm_read", "t3-mca"})
    CHECK(text.find(needle) != std::string::npos);
  check_renders(svg);
  std::remove(svg.c_str());
}

TEST_CASE("study --list gives the paper's 16 points and 12 more with --large", "[study][cli]") {
  auto r = run_t3vp("study --list");
  REQUIRE(r.exit_code == 0);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 16);
  CHECK(r.output.rfind("mega-gpt-2 8 op\nmega-gpt-2 8 fc2\nmega-gpt-2 8 fc1\nmega-gpt-2 8 ip\nmega-gpt-2 16 op\n", 0) == 0);
  CHECK(r.output.find("t-nlg 16 ip\n") != std::string::npos);
  auto l = run_t3vp("study --list --large");
  REQUIRE(l.exit_code == 0);
  CHECK(std::count(l.output.begin(), l.output.end(), '\n') == 28);
  for (const char* p : {"gpt-3 32 op", "palm 32 fc1", "mt-nlg 32 ip"}) CHECK(l.output.find(p) != std::string::npos);
  auto s = run_t3vp("study --list --models palm,t-nlg --tp 4 --sublayers fc2");
  CHECK(s.output == "palm 4 fc2\nt-nlg 4 fc2\n");
}

TEST_CASE("study rejects bad grids with exit code 2", "[study][cli]") {
  for (const char* args : {"--models gpt-4", "--models custom", "--sublayers qkv", "--tp 0", "--tp x", "--jobs 0"}) {
    auto r = run_t3vp(std::string("study ") + args);
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 2);
  }
  auto r = run_t3vp("study --models gpt-4");
  CHECK(r.output.find("unknown model 'gpt-4'") != std::string::npos);
  // A point a mode rejects (T3 needs whole tiles per chunk: 256 tokens / 4 GPUs < 128 rows) is bad input too.
  auto t = run_t3vp("study --quiet --models mega-gpt-2 --tp 4 --sublayers op " + tiny);
  INFO(t.output);
  CHECK(t.exit_code == 2);
  CHECK(t.output.find("gemm.tile_m") != std::string::npos);
}

TEST_CASE("run --trace writes a Chrome trace-event timeline with a track per GPU and block", "[trace][system]") {
  const std::string trace = temp_path("trace.json");
  const std::string shape = "--set workload.model=custom --set workload.m=512 --set workload.n=256 "
                            "--set workload.k=128 --set system.gpus=4 --set data.mode=synthetic";
  const auto plain = run_json("--mode t3 " + shape);
  const auto traced = run_json("--mode t3 --trace " + trace + " " + shape);
  {  // tracing changes no result (wall-clock fields aside)
    auto a = plain, b = traced;
    for (auto* j : {&a, &b}) j->erase("wall_s"), j->erase("host");
    CHECK(a == b);
  }
  const auto doc = nlohmann::json::parse(read_text(trace));
  REQUIRE(doc["traceEvents"].is_array());
  std::map<std::string, int> cats;
  std::set<std::pair<int, std::string>> threads;
  std::map<std::pair<int, int>, double> track_end;  // complete events must nest: no overlap per track
  for (const auto& e : doc["traceEvents"]) {
    INFO(e.dump());
    for (const char* k : {"ph", "name", "pid", "tid", "ts"}) REQUIRE(e.contains(k));
    REQUIRE(e["ph"].is_string());
    REQUIRE(e["name"].is_string());
    REQUIRE(e["pid"].is_number_integer());
    REQUIRE(e["tid"].is_number_integer());
    REQUIRE(e["ts"].is_number());
    CHECK(e["ts"].get<double>() >= 0);
    const std::string ph = e["ph"];
    CHECK((ph == "M" || ph == "X" || ph == "i" || ph == "C"));
    if (ph == "M") {
      REQUIRE(e["args"]["name"].is_string());
      if (e["name"] == "thread_name") threads.insert({e["pid"].get<int>(), e["args"]["name"].get<std::string>()});
      continue;
    }
    ++cats[e["cat"].get<std::string>()];
    if (ph == "X") {
      REQUIRE(e["dur"].is_number());
      CHECK(e["dur"].get<double>() >= 0);
      auto& end = track_end[{e["pid"].get<int>(), e["tid"].get<int>()}];
      CHECK(e["ts"].get<double>() >= end - 1e-6);
      end = std::max(end, e["ts"].get<double>() + e["dur"].get<double>());
    }
    if (ph == "i") CHECK(e["s"] == "t");
    if (ph == "C") REQUIRE(e["args"]["busy_percent"].is_number());
  }
  for (int g = 0; g < 4; ++g)
    for (const char* t : {"kernels (host view)", "sms: GEMM stages", "ccl: collective steps (send)", "tracker: triggers",
                          "dma: engine 0"}) {
      INFO("gpu" << g << " " << t);
      CHECK(threads.count({g, t}) == 1);
    }
  for (const char* c : {"kernel", "gemm", "collective", "dma", "tracker", "link"}) {
    INFO(c);
    CHECK(cats[c] > 0);
  }
  // Same configuration, same timeline, byte for byte.
  const std::string again = temp_path("trace2.json");
  run_json("--mode t3 --trace " + again + " " + shape);
  CHECK(read_text(trace) == read_text(again));
  // compare --trace: one file per simulated mode.
  auto r = run_t3vp("compare --quiet --trace " + trace + " " + shape);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("timelines (Chrome trace-event JSON, open in ui.perfetto.dev): ") != std::string::npos);
  for (const char* m : {"sequential", "t3", "t3-mca", "ideal-rs-nmc"}) {
    const std::string p = temp_path(std::string("trace.") + m + ".json");
    INFO(p);
    CHECK(r.output.find(p) != std::string::npos);  // named in that line
    CHECK(nlohmann::json::parse(read_text(p))["traceEvents"].size() > 10);
    std::remove(p.c_str());
  }
  std::remove(trace.c_str());
  std::remove(again.c_str());
}

TEST_CASE("sweep shards run through GNU parallel give exactly the unsharded points and merge reproduces its table",
          "[sweep][system]") {
  const std::string grid = temp_path("grid.json"), dir = temp_path("sweep");
  shell("mkdir -p " + dir);
  write_text(grid, R"([{"key": "workload.m", "values": [256, 512]},
                       {"key": "link.bandwidth_gbps", "values": [75, 150.5]},
                       {"key": "mode", "values": ["sequential", "t3"]}])");
  const std::string base = " --set workload.model=custom --set workload.n=256 --set workload.k=128 --set system.gpus=2 "
                           "--set data.mode=off --quiet --grid " + grid;
  auto all = run_t3vp("sweep --jobs 2 --out " + dir + "/all.jsonl" + base);
  INFO(all.output);
  REQUIRE(all.exit_code == 0);
  REQUIRE(shell("parallel --will-cite --halt now,fail=1 " T3VP_BINARY " sweep --shard {}/2 --out " + dir +
                "/s{}.jsonl" + base + " ::: 0 1") == 0);
  // The shards hold disjoint points whose union is the unsharded run's, each point identical.
  const auto lines = [](const std::string& path) {
    std::map<std::size_t, nlohmann::json> m;
    std::istringstream in(read_text(path));
    for (std::string l; std::getline(in, l);) {
      auto j = nlohmann::json::parse(l);
      j.erase("wall_s");
      m[j["index"].get<std::size_t>()] = j;
    }
    return m;
  };
  const auto a = lines(dir + "/all.jsonl"), s0 = lines(dir + "/s0.jsonl"), s1 = lines(dir + "/s1.jsonl");
  REQUIRE(a.size() == 8);
  CHECK(s0.size() == 4);
  CHECK(s1.size() == 4);
  for (const auto& [i, j] : s0) CHECK(i % 2 == 0);
  for (const auto& [i, j] : s1) CHECK(i % 2 == 1);
  auto u = s0;
  u.insert(s1.begin(), s1.end());
  CHECK(u == a);
  CHECK(a.at(5)["overrides"]["workload.m"] == 512);
  CHECK(a.at(5)["overrides"]["link.bandwidth_gbps"] == 75);
  CHECK(a.at(5)["overrides"]["mode"] == "t3");
  // merge: the sharded files give the unsharded table, byte for byte (wall clock is dropped).
  auto m1 = run_t3vp("merge " + dir + "/all.jsonl --json " + dir + "/m1.json --csv " + dir + "/m1.csv");
  auto m2 = run_t3vp("merge " + dir + "/s1.jsonl " + dir + "/s0.jsonl --json " + dir + "/m2.json --csv " + dir + "/m2.csv");
  REQUIRE(m1.exit_code == 0);
  REQUIRE(m2.exit_code == 0);
  CHECK(m1.output == m2.output);
  CHECK(read_text(dir + "/m1.json") == read_text(dir + "/m2.json"));
  CHECK(read_text(dir + "/m1.csv") == read_text(dir + "/m2.csv"));
  // The mode axis is the CSV's one mode column.
  const std::string csv = read_text(dir + "/m1.csv");
  const std::string header = csv.substr(0, csv.find('\n'));
  CHECK(header.find(",mode,") != std::string::npos);
  CHECK(header.find(",mode,", header.find(",mode,") + 1) == std::string::npos);
  const auto merged = nlohmann::json::parse(read_text(dir + "/m1.json"));
  CHECK(merged["results"].size() == 8);
  CHECK(merged["missing"].empty());
  // One shard alone: the merge names the missing points.
  auto half = run_t3vp("merge " + dir + "/s0.jsonl --json " + dir + "/m3.json");
  CHECK(half.exit_code == 0);
  CHECK(nlohmann::json::parse(read_text(dir + "/m3.json"))["missing"].size() == 4);
  shell("rm -rf " + dir + " " + grid);
}

TEST_CASE("sweep without a mode axis compares every mode per point", "[sweep][system]") {
  const std::string grid = temp_path("grid1.json"), out = temp_path("cmp.jsonl");
  write_text(grid, R"([{"key": "system.gpus", "values": [2]}])");
  auto r = run_t3vp("sweep --quiet --grid " + grid + " --out " + out + " " + tiny);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(read_text(out));
  CHECK(j["command"] == "compare");
  CHECK(j["result"]["runs"].size() == 5);
  CHECK(j["result"]["speedup"]["sequential"].get<double>() == Approx(1.0));
  // The children's scratch files go under $TMPDIR (cluster jobs point it at node-local disk) and are
  // removed; a $TMPDIR that does not exist is bad input named as such.
  const std::string scratch = temp_path("scratch");
  REQUIRE(shell("mkdir -p " + scratch) == 0);
  r = run_t3vp_env("TMPDIR=" + scratch, "sweep --quiet --grid " + grid + " --out " + out + " " + tiny);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(shell("rmdir " + scratch) == 0);  // (fails unless it is empty again)
  r = run_t3vp_env("TMPDIR=" + scratch, "sweep --quiet --grid " + grid + " --out " + out + " " + tiny);
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("cannot create a temporary directory in " + scratch) != std::string::npos);
  std::remove(grid.c_str());
  std::remove(out.c_str());
}

namespace {
// Processes whose command line mentions every one of `texts` (scans /proc): pid and command line.
std::vector<std::pair<pid_t, std::string>> processes_mentioning(std::initializer_list<std::string> texts) {
  std::vector<std::pair<pid_t, std::string>> found;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      std::string cmdline = read_text(std::string("/proc/") + e->d_name + "/cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (std::all_of(texts.begin(), texts.end(), [&](const std::string& t) { return cmdline.find(t) != std::string::npos; }))
        found.emplace_back(pid_t(std::stol(e->d_name)), cmdline);
    }
    closedir(d);
  }
  return found;
}
}  // namespace

TEST_CASE("a compare stopped by SIGTERM stops its child runs, removes its scratch files and ends by the signal",
          "[study][cli]") {
  const std::string scratch = temp_path("sigterm"), log = temp_path("sigterm.log"), status = temp_path("sigterm.status");
  REQUIRE(shell("mkdir -p " + scratch) == 0);
  // Long enough (4096 tokens on 8 GPUs) that the children still run when the signal comes.
  const std::string script = "TMPDIR=" + scratch + " " + T3VP_BINARY +
                             " compare --quiet --jobs 2 --set workload.tokens=4096 --set data.mode=off >" + log +
                             " 2>&1 & pid=$!; for i in $(seq 400); do ls " + scratch +
                             "/*/*.log >/dev/null 2>&1 && break; sleep 0.05; done; kill -TERM $pid; wait $pid; echo $? >" +
                             status;
  REQUIRE(shell("bash -c '" + script + "'") == 0);
  INFO(read_text(log));
  CHECK(read_text(status) == "143\n");  // 128 + SIGTERM
  CHECK(read_text(log).find("interrupted by SIGTERM; stopped 2 child run(s)") != std::string::npos);
  CHECK(processes_mentioning({scratch}).empty());
  CHECK(shell("rmdir " + scratch) == 0);  // (fails unless the scratch files are gone)
  std::remove(log.c_str());
  std::remove(status.c_str());
}

TEST_CASE("a compare whose child run is killed says which mode and by what signal", "[study][cli]") {
  const std::string scratch = temp_path("sigkill"), log = temp_path("sigkill.log"), status = temp_path("sigkill.status");
  REQUIRE(shell("mkdir -p " + scratch) == 0);
  std::remove(status.c_str());
  REQUIRE(shell("bash -c 'TMPDIR=" + scratch + " " + T3VP_BINARY +
                " compare --quiet --jobs 2 --set system.gpus=4 --set workload.tokens=1024 --set data.mode=off >" + log +
                " 2>&1; echo $? >" +
                status + "' &") == 0);
  bool killed = false;
  for (int i = 0; i < 600 && !killed; ++i) {  // (up to 30 s for the child to start)
    for (const auto& [pid, cmdline] : processes_mentioning({scratch, "sequential.json"})) killed |= kill(pid, SIGKILL) == 0;
    if (!killed) usleep(50000);
  }
  CHECK(killed);
  for (int i = 0; i < 4800 && read_text(status).empty(); ++i) usleep(50000);  // the other runs finish (sanitizers: slow)
  INFO(read_text(log));
  CHECK(read_text(status) == "3\n");
  CHECK(read_text(log).find("--- mode sequential (killed by signal 9 (") != std::string::npos);
  for (const auto& p : processes_mentioning({scratch})) kill(p.first, SIGKILL);  // (after a failure above)
  CHECK(shell("rmdir " + scratch) == 0);
  std::remove(log.c_str());
  std::remove(status.c_str());
}

TEST_CASE("Ctrl-C on a sweep (SIGINT to its process group) leaves no process and no scratch file, and an "
          "ignored SIGHUP (nohup) stays ignored", "[sweep][cli]") {
  const std::string scratch = temp_path("sigint"), grid = temp_path("sigint_grid.json"), out = temp_path("sigint.jsonl");
  const std::string log = temp_path("sigint.log"), status = temp_path("sigint.status");
  REQUIRE(shell("mkdir -p " + scratch) == 0);
  write_text(grid, R"([{"key": "system.gpus", "values": [4]}])");
  // The sweep runs a compare per point, which runs the modes: three levels, each with scratch files,
  // and every process of the group gets the signal at once (the terminal's Ctrl-C).
  const std::string sweep = "TMPDIR=" + scratch + " " + T3VP_BINARY + " sweep --quiet --grid " + grid + " --out " + out +
                            " --set workload.tokens=1024 --set data.mode=off >" + log + " 2>&1";
  REQUIRE(shell("bash -c 'set -m; " + sweep + " & pid=$!; for i in $(seq 600); do ls " + scratch +
                "/t3vp_compare_*/*.log >/dev/null 2>&1 && break; sleep 0.05; done; kill -INT -- -$pid; wait $pid; echo $? >" +
                status + "'") == 0);
  INFO(read_text(log));
  CHECK(read_text(status) == "130\n");  // 128 + SIGINT
  CHECK(read_text(log).find("interrupted by SIGINT") != std::string::npos);
  CHECK(processes_mentioning({scratch}).empty());
  CHECK(shell("rmdir " + scratch + " && mkdir " + scratch) == 0);  // (rmdir fails unless every level cleaned up)
  // With SIGHUP ignored, as nohup leaves it, a hangup changes nothing: the sweep finishes its point.
  REQUIRE(shell("bash -c 'trap \"\" HUP; " + sweep + " & pid=$!; for i in $(seq 600); do ls " + scratch +
                "/t3vp_compare_*/*.log >/dev/null 2>&1 && break; sleep 0.05; done; kill -HUP $pid; wait $pid; echo $? >" +
                status + "'") == 0);
  CHECK(read_text(status) == "0\n");
  CHECK(read_text(out).find("\"exit_code\":0") != std::string::npos);
  CHECK(shell("rmdir " + scratch) == 0);
  for (const auto& f : {grid, out, log, status}) std::remove(f.c_str());
}

TEST_CASE("a sweep over custom and named models gives the custom shape to the custom points only", "[sweep][system]") {
  const std::string grid = temp_path("models.json"), out = temp_path("models.jsonl");
  write_text(grid, R"([{"key": "workload.model", "values": ["custom", "Mega-GPT-2"]}, // names in any case
                       {"key": "mode", "values": ["T3"]}])");
  auto r = run_t3vp("sweep --quiet --grid " + grid + " --out " + out + " " + tiny +
                    " --set system.gpus=2 --set workload.m=256 --set workload.n=256 --set workload.k=64");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::istringstream in(read_text(out));
  std::vector<nlohmann::json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(nlohmann::json::parse(l));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["overrides"]["mode"] == "t3");
  CHECK(lines[0]["result"]["workload"]["gemm"]["n"] == 256);
  CHECK(lines[1]["overrides"]["workload.model"] == "mega-gpt-2");
  CHECK(lines[1]["result"]["workload"]["gemm"]["n"] == 3072);  // the model's hidden size
  std::remove(grid.c_str());
  std::remove(out.c_str());
}

TEST_CASE("sweep and merge reject bad input with exit code 2 and a clear message", "[sweep][cli]") {
  const std::string grid = temp_path("bad.json");
  const std::vector<std::pair<std::string, std::string>> grids = {
      {"not json", "not valid JSON"},
      {"{}", "expected a non-empty JSON list"},
      {R"([{"key": "workload.tokenz", "values": [1]}])", "workload.tokens"},
      {R"([{"key": "workload.tokens", "values": []}])", "has no values"},
      {R"([{"key": "workload.tokens", "values": [-5]}])", "workload.tokens"},
      {R"([{"key": "mode", "values": ["fast"]}])", "unknown mode"},
      {R"([{"key": "system.gpus", "values": [2]}, {"key": "system.gpus", "values": [4]}])", "appears twice"},
      {R"([{"key": "system.gpus", "values": [2, 4, 2]}])", "value 2 appears twice"},
      {R"([{"key": "workload.model", "values": ["mega-gpt-2", "MEGA-GPT-2"]}])", "value \"mega-gpt-2\" appears twice"},
      {R"([{"key": "mode", "values": ["t3", "T3"]}])", "value \"t3\" appears twice"},
      // One value written two ways is one point: the number as text, another base, a real in another form.
      {R"([{"key": "hbm.cl", "values": [14, "14"]}])", "value \"14\" appears twice (14 is the same value)"},
      {R"([{"key": "hbm.cl", "values": ["0xe", 14]}])", "value 14 appears twice (\"0xe\" is the same value)"},
      {R"([{"key": "hbm.tck_ns", "values": [1, "1.0", "1e0"]}])", "value \"1.0\" appears twice (1 is the same value)"},
      {R"([{"key": "gemm.serpentine", "values": [true, "true"]}])", "value \"true\" appears twice (true is the same value)"},
      {R"([{"key": "link.latency_ns", "values": [0, -0.0]}])", "value -0.0 appears twice"},
      {R"([{"key": "hbm.cl", "values": [14], "values": [15]}])", "key 'values' appears twice in one object"},
      {R"([{"key": "hbm.cl", "values": [0]}])", "axis 0: --set: parameter 'hbm.cl'"}};
  for (const auto& [text, message] : grids) {
    write_text(grid, text);
    auto r = run_t3vp("sweep --grid " + grid);
    INFO(text << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(message) != std::string::npos);
  }
  write_text(grid, R"([{"key": "system.gpus", "values": [2]}])");
  for (const char* shard : {"2/2", "0/0", "1", "a/b", "-1/2", "1/2/3"}) {
    auto r = run_t3vp("sweep --grid " + grid + " --shard " + shard);
    INFO(shard << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("--shard") != std::string::npos);
  }
  CHECK(run_t3vp("sweep").exit_code == 2);
  CHECK(run_t3vp("sweep --grid /nonexistent/grid.json").exit_code == 2);
  CHECK(run_t3vp("sweep --grid /").exit_code == 2);
  CHECK(run_t3vp("merge").exit_code == 2);
  CHECK(run_t3vp("merge /nonexistent.jsonl").exit_code == 2);
  {  // one axis of 3 values and 24 of 2: more points than a sweep holds
    std::string keys;
    const char* names[] = {"hbm.cl", "hbm.cwl", "hbm.trcd", "hbm.trp", "hbm.tras", "hbm.trc", "hbm.tccd_l", "hbm.tccd_s",
                           "hbm.trrd_l", "hbm.trrd_s", "hbm.tfaw", "hbm.twr", "hbm.twtr_l", "hbm.twtr_s", "hbm.trtp",
                           "hbm.trtw", "mc.queue_entries", "mc.reorder_window", "dma.engines", "dma.queue_depth",
                           "tracker.entries", "memtest.outstanding", "memtest.seed", "mc.write_drain_high"};
    for (const char* k : names) keys += std::string(", {\"key\": \"") + k + "\", \"values\": [20, 21]}";
    write_text(grid, "[{\"key\": \"hbm.refresh\", \"values\": [\"off\", \"per-bank\", \"all-bank\"]}" + keys + "]");
    auto big = run_t3vp("sweep --grid " + grid);
    INFO(big.output);
    CHECK(big.exit_code == 2);
    CHECK(big.output.find("more than 10000000 points") != std::string::npos);
  }
  {  // a point that fails its cross-parameter check leaves an earlier --out file alone
    const std::string out = temp_path("keep.jsonl");
    write_text(out, "earlier results\n");
    write_text(grid, R"([{"key": "hbm.tccd_s", "values": [2, 1]}])");
    auto r = run_t3vp("sweep --grid " + grid + " --mode sequential --out " + out);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("sweep point 1") != std::string::npos);
    CHECK(read_text(out) == "earlier results\n");
    std::remove(out.c_str());
  }
  const std::string run_line = R"({"index": 0, "points": 2, "overrides": {"hbm.cl": 14}, "command": "run", "exit_code": 0,)"
                               R"( "result": {"mode": "sequential", "time_ns": {"total": 5}, "dram_bytes": {"total": 7},)"
                               R"( "functional": {"mismatches": 0}}})";
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"{\"nope\": 1}", "not a line of t3vp sweep"},
      {R"({"index": 0, "points": 3, "overrides": {}, "command": "run", "exit_code": 0, "result": {}})", "a run has no mode"},
      {R"({"index": 0, "points": 1, "overrides": {}, "command": "compare", "exit_code": 0, "result": {"runs": [{}]}})",
       "a compare result needs runs and speedup"},
      {R"({"index": 0, "points": -1})", "no index/points"},
      {R"({"index": 5, "points": 3, "overrides": {}, "command": "run", "exit_code": 3})", "index must be below points"},
      {R"({"index": 0, "points": 99999999999, "overrides": {}, "command": "run", "exit_code": 3})", "points must be 1.."},
      {run_line + "\n" + R"({"index": 1, "points": 2, "overrides": {"tracker.entries": 8}, "command": "run", "exit_code": 3})",
       "from another grid"},
      {"", "no lines of t3vp sweep"}};
  for (const auto& [text, message] : lines) {
    write_text(grid, text + "\n");
    auto r = run_t3vp("merge " + grid);
    INFO(text << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(message) != std::string::npos);
  }
  write_text(grid, run_line + "\n");
  CHECK(run_t3vp("merge " + grid).exit_code == 0);  // (the valid line the mixed-grid case starts from)
  auto dir = run_t3vp("merge /");
  CHECK(dir.exit_code == 2);
  CHECK(dir.output.find("is a directory") != std::string::npos);
  std::remove(grid.c_str());
}

TEST_CASE("study simulates every GPU when asked to", "[study][system]") {
  const std::string json = temp_path("study_full.json");
  auto r = run_t3vp("study --quiet --models mega-gpt-2 --tp 2 --sublayers op --json " + json +
                    " --set workload.tokens=512 --set system.symmetric=false");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto d = nlohmann::json::parse(read_text(json));
  std::remove(json.c_str());
  for (const auto& run : d["points"][0]["compare"]["runs"]) CHECK(run["workload"]["simulated_gpus"] == 2);
}
