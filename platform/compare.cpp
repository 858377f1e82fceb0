#include "platform/compare.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include "platform/results.h"

extern char** environ;

namespace t3vp {
namespace {

struct child {
  std::string mode, json_path, log_path;
  pid_t pid = -1;
  int exit_code = -1;
};

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("compare: cannot start '" + exe + "'");
  return pid;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

}  // namespace

compare_result run_compare(const config& cfg, const std::string& exe, unsigned jobs) {
  const std::vector<std::string> simulated = {"sequential", "t3", "t3-mca", "ideal-rs-nmc"};
  char dir_template[] = "/tmp/t3vp_compare_XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) throw std::runtime_error("compare: cannot create a temporary directory");
  const std::string config_path = std::string(dir) + "/config.json";
  {
    std::ofstream out(config_path);
    out << cfg.to_json(2) << "\n";
  }
  std::vector<child> children;
  for (const auto& m : simulated)
    children.push_back({m, std::string(dir) + "/" + m + ".json", std::string(dir) + "/" + m + ".log"});
  // Run the modes, `jobs` at a time.
  std::size_t next = 0, running = 0;
  std::map<pid_t, child*> by_pid;
  while (next < children.size() || running > 0) {
    while (running < std::max(1u, jobs) && next < children.size()) {
      child& c = children[next++];
      c.pid = spawn(exe, {"run", "--config", config_path, "--mode", c.mode, "--json", c.json_path}, c.log_path);
      by_pid[c.pid] = &c;
      ++running;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    auto it = by_pid.find(pid);
    if (it == by_pid.end()) continue;
    it->second->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    --running;
  }

  compare_result r;
  nlohmann::ordered_json doc;
  doc["command"] = "compare";
  doc["config"] = nlohmann::ordered_json::parse(cfg.to_json(-1));
  std::map<std::string, nlohmann::ordered_json> runs;
  std::string failures;
  for (const child& c : children) {
    if (c.exit_code != 0 && c.exit_code != 1) {
      failures += "\n--- mode " + c.mode + " (exit code " + std::to_string(c.exit_code) + ") ---\n" + read_all(c.log_path);
      continue;
    }
    runs[c.mode] = nlohmann::ordered_json::parse(read_all(c.json_path));
    if (c.exit_code == 1) r.functional_ok = false;
  }
  if (!failures.empty()) throw std::runtime_error("compare: a mode failed to run:" + failures);
  // Ideal-GEMM-RS-Overlap from the sequential run, where the GEMM, reduce-scatter and all-gather ran alone.
  {
    nlohmann::ordered_json ideal = runs["sequential"];
    ideal["mode"] = "ideal-overlap";
    ideal["derived_from"] = "sequential";
    auto& t = ideal["time_ns"];
    t["total"] = std::max(t["gemm"].get<double>(), t["reduce_scatter"].get<double>()) + t["all_gather"].get<double>();
    ideal.erase("stats");
    runs["ideal-overlap"] = ideal;
  }
  const std::vector<std::string> order = {"sequential", "t3", "t3-mca", "ideal-overlap", "ideal-rs-nmc"};
  const double seq = runs["sequential"]["time_ns"]["total"].get<double>();
  nlohmann::ordered_json list = nlohmann::ordered_json::array(), speedup;
  for (const auto& m : order) {
    list.push_back(runs[m]);
    const double t = runs[m]["time_ns"]["total"].get<double>();
    speedup[m] = t > 0 ? seq / t : 0.0;
  }
  doc["runs"] = list;
  doc["speedup"] = speedup;
  r.json = doc.dump(2);

  std::ostringstream os;
  const auto& w = runs["sequential"]["workload"];
  os << w["model"].get<std::string>() << " " << w["sublayer"].get<std::string>() << " TP" << w["tp"].get<unsigned>()
     << ", GEMM " << w["gemm"]["m"] << "x" << w["gemm"]["n"] << "x" << w["gemm"]["k"] << " per GPU, "
     << runs["sequential"]["functional"]["mode"].get<std::string>() << " data\n\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-14s %10s %10s %10s %10s %8s | %9s %9s %9s %9s %9s %9s %9s %9s | %8s | %s\n",
                "mode", "total us", "gemm us", "rs us", "ag us", "speedup", "gemm_rd", "gemm_wr", "rs_rd", "rs_wr",
                "rs_upd", "ag_rd", "ag_wr", "DRAM MiB", "link MiB", "functional");
  os << line;
  const auto mib = [](const nlohmann::ordered_json& v) { return v.get<double>() / 1048576.0; };
  for (const auto& m : order) {
    const auto& d = runs[m];
    const auto& t = d["time_ns"];
    const auto& b = d["dram_bytes"];
    const auto& f = d["functional"];
    std::string func = f["mode"].get<std::string>() == "off"
                           ? "no data"
                           : std::to_string(f["mismatches"].get<std::uint64_t>()) + " mismatches of " +
                                 std::to_string(f["checked_elements"].get<std::uint64_t>());
    std::snprintf(line, sizeof line,
                  "%-14s %10.1f %10.1f %10.1f %10.1f %7.3fx | %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f | %8.1f | %s\n",
                  m.c_str(), t["total"].get<double>() / 1e3, t["gemm"].get<double>() / 1e3,
                  t["reduce_scatter"].get<double>() / 1e3, t["all_gather"].get<double>() / 1e3,
                  speedup[m].get<double>(), mib(b["gemm_read"]), mib(b["gemm_write"]), mib(b["rs_read"]),
                  mib(b["rs_write"]), mib(b["rs_update"]), mib(b["ag_read"]), mib(b["ag_write"]), mib(b["total"]),
                  mib(d["link_bytes"]), func.c_str());
    os << line;
  }
  os << "\nspeedup = sequential total / mode total; ideal-overlap = max(gemm, rs) + ag of the sequential run;\n"
        "ideal-rs-nmc = max(gemm, rs by DMA + NMC alone) + ag. DRAM and link bytes summed over all GPUs.\n";
  r.table = os.str();
  for (const child& c : children) std::remove(c.json_path.c_str()), std::remove(c.log_path.c_str());
  std::remove(config_path.c_str());
  rmdir(dir);
  return r;
}

}  // namespace t3vp
