#include "platform/compare.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include "platform/progress.h"
#include "platform/svg_chart.h"

namespace t3vp {

const std::vector<std::string>& compare_modes() {
  static const std::vector<std::string> m = {"sequential", "t3", "t3-mca", "ideal-overlap", "ideal-rs-nmc"};
  return m;
}

// t3 last, after t3-mca: when MCA held nothing back, t3 would repeat t3-mca's run exactly and is not
// run (assemble_compare derives it).
const std::vector<std::string>& simulated_modes() {
  static const std::vector<std::string> m = {"t3-mca", "sequential", "ideal-rs-nmc", "t3"};
  return m;
}

std::string mode_trace_path(const std::string& trace_path, const std::string& mode) {
  const std::size_t dot = trace_path.rfind('.'), slash = trace_path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return trace_path + "." + mode;
  return trace_path.substr(0, dot) + "." + mode + trace_path.substr(dot);
}

namespace {
// ideal-rs-nmc's child runs the reduce-scatter alone and assemble_compare takes the GEMM from the
// sequential run, unless the data is exact (its partials are the GEMM's own output) or a trace was
// asked for (it shows the whole mode).
bool ideal_rs_runs_alone(const config& cfg, const std::string& trace_path) {
  return trace_path.empty() && cfg.get_string("workload.producer") == "gemm" && cfg.get_string("data.mode") != "exact";
}

// An ideal mode's total: perfect overlap of the GEMM and the reduce-scatter, then the all-gather.
void set_ideal_total(nlohmann::ordered_json& t) {
  t["total"] = std::max(t["gemm"].get<double>(), t["reduce_scatter"].get<double>()) + t["all_gather"].get<double>();
}

// Completes an ideal mode whose child ran the reduce-scatter alone with the GEMM of the sequential
// run (the same kernel on the same inputs, before any collective): docs/statistics.md.
void take_gemm_from(const nlohmann::ordered_json& seq, nlohmann::ordered_json& d) {
  d["config"] = seq["config"];
  d["workload"] = seq["workload"];
  auto& t = d["time_ns"];
  t["gemm"] = seq["time_ns"]["gemm"];
  set_ideal_total(t);
  auto take_bytes = [](nlohmann::ordered_json& to, const nlohmann::ordered_json& from) {
    for (const char* k : {"gemm_read", "gemm_write"}) to[k] = from[k];
  };
  take_bytes(d["dram_bytes"], seq["dram_bytes"]);
  std::uint64_t total = 0;
  for (const auto& [k, v] : d["dram_bytes"].items())
    if (k != "total") total += v.get<std::uint64_t>();
  d["dram_bytes"]["total"] = total;
  for (std::size_t g = 0; g < d["per_gpu"].size() && g < seq["per_gpu"].size(); ++g)
    take_bytes(d["per_gpu"][g]["dram_bytes"], seq["per_gpu"][g]["dram_bytes"]);
  d["gemm"] = seq["gemm"];
  if (d.contains("sizing") && seq.contains("sizing")) {
    d["sizing"]["mc_queue_max"] =
        std::max(d["sizing"]["mc_queue_max"].get<std::uint64_t>(), seq["sizing"]["mc_queue_max"].get<std::uint64_t>());
    d["sizing"]["mc_queue_full_stalls"] = std::max(d["sizing"]["mc_queue_full_stalls"].get<std::uint64_t>(),
                                                   seq["sizing"]["mc_queue_full_stalls"].get<std::uint64_t>());
  }
  d["gemm_from"] = "sequential";
}

// A mode's document made from the run of another (`derived_from` names it).
nlohmann::ordered_json derived_run(const nlohmann::ordered_json& from, const std::string& mode,
                                   const std::string& from_mode) {
  nlohmann::ordered_json d = from;
  d["mode"] = mode;
  d["derived_from"] = from_mode;
  return d;
}
}  // namespace

child_job compare_mode_job(const config& cfg, const std::string& config_path, const std::string& mode,
                           const std::string& out_prefix, const std::string& trace_path) {
  child_job j;
  j.args = {"run", "--quiet", "--config", config_path, "--mode", mode, "--json", out_prefix + mode + ".json"};
  if (mode == "ideal-rs-nmc" && ideal_rs_runs_alone(cfg, trace_path))
    j.args.insert(j.args.end(), {"--set", "workload.producer=none"});
  if (!trace_path.empty()) j.args.insert(j.args.end(), {"--trace", mode_trace_path(trace_path, mode)});
  j.log_path = out_prefix + mode + ".log";
  if (mode == "t3" && trace_path.empty()) {
    // MCA only changes when a request may start; a t3-mca run in which it held no request back made
    // every decision FR-FCFS makes, so t3's run would be the same simulation (docs/statistics.md).
    const auto& modes = simulated_modes();
    j.depends_back = std::size_t(std::find(modes.begin(), modes.end(), "t3") - std::find(modes.begin(), modes.end(), "t3-mca"));
    const std::string mca_json = out_prefix + "t3-mca.json";
    j.skip = [mca_json] {
      try {
        const auto d = nlohmann::ordered_json::parse(read_text_file(mca_json));
        return d.contains("mca") && d["mca"]["held_requests"].get<std::uint64_t>() == 0;
      } catch (const std::exception&) {
        return false;  // t3-mca failed: t3 runs on its own
      }
    };
  }
  return j;
}

compare_result assemble_compare(const config& cfg, const std::vector<child_job>& jobs, const std::string& out_prefix) {
  compare_result r;
  std::map<std::string, nlohmann::ordered_json> runs;
  std::string failures;
  bool bad_input = false;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string& mode = simulated_modes().at(i);
    const child_job& c = jobs[i];
    if (c.skipped) continue;
    if (c.exit_code != 0 && c.exit_code != 1) {
      bad_input |= c.exit_code == 2;
      failures += "\n--- mode " + mode + " (" + describe_end(c) + ") ---\n" +
                  read_text_file(c.log_path);
      continue;
    }
    runs[mode] = nlohmann::ordered_json::parse(read_text_file(out_prefix + mode + ".json"));
    if (c.exit_code == 1) r.functional_ok = false;
  }
  // A mode that refuses the configuration (exit code 2) is bad input, as it is for `run`.
  if (bad_input) throw config_error("compare: a mode rejected the configuration:" + failures);
  if (!failures.empty()) throw std::runtime_error("compare: a mode failed to run:" + failures);
  if (!runs.count("t3")) {
    runs["t3"] = derived_run(runs["t3-mca"], "t3", "t3-mca");
    runs["t3"].erase("mca");
  }
  if (runs["ideal-rs-nmc"]["workload"]["producer"] == "none" && runs["sequential"]["workload"]["producer"] == "gemm")
    take_gemm_from(runs["sequential"], runs["ideal-rs-nmc"]);
  // Ideal-GEMM-RS-Overlap from the sequential run, where the GEMM, reduce-scatter and all-gather ran alone.
  {
    nlohmann::ordered_json ideal = derived_run(runs["sequential"], "ideal-overlap", "sequential");
    set_ideal_total(ideal["time_ns"]);
    ideal.erase("stats");
    runs["ideal-overlap"] = ideal;
  }
  nlohmann::ordered_json& doc = r.doc;
  doc["command"] = "compare";
  doc["config"] = nlohmann::ordered_json::parse(cfg.to_json(-1));
  const double seq = runs["sequential"]["time_ns"]["total"].get<double>();
  nlohmann::ordered_json list = nlohmann::ordered_json::array(), speedup;
  for (const auto& m : compare_modes()) {
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
     << runs["sequential"]["functional"]["mode"].get<std::string>() << " data"
     << (w.value("simulated_gpus", 0u) == 1 && w["tp"].get<unsigned>() > 1
             ? ", symmetric execution (GPU 0 simulated; DRAM and link bytes are its own x N)"
             : "")
     << "\n\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-14s %10s %10s %10s %10s %8s | %9s %9s %9s %9s %9s %9s %9s %9s | %8s | %s\n",
                "mode", "total us", "gemm us", "rs us", "ag us", "speedup", "gemm_rd", "gemm_wr", "rs_rd", "rs_wr",
                "rs_upd", "ag_rd", "ag_wr", "DRAM MiB", "link MiB", "functional");
  os << line;
  const auto mib = [](const nlohmann::ordered_json& v) { return v.get<double>() / 1048576.0; };
  for (const auto& m : compare_modes()) {
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
        "ideal-rs-nmc = max(gemm of the sequential run, rs by DMA + NMC alone) + ag. t3, t3-mca: gemm = the fused\n"
        "GEMM and reduce-scatter up to the GEMM's end, rs = only the reduce-scatter left after it. DRAM and link\n"
        "bytes summed over all GPUs.\n";
  r.table = os.str();
  return r;
}

compare_result run_compare(const config& cfg, const std::string& exe, const compare_options& o) {
  temp_dir dir("t3vp_compare");
  const std::string config_path = dir.file("config.json");
  {
    std::ofstream out(config_path);
    out << cfg.to_json(2) << "\n";
  }
  const std::string prefix = dir.path() + "/";
  std::vector<child_job> jobs;
  for (const auto& m : simulated_modes()) jobs.push_back(compare_mode_job(cfg, config_path, m, prefix, o.trace_path));
  progress prog("compare", o.quiet);
  std::size_t done = 0;
  prog.update("0 of " + std::to_string(jobs.size()) + " modes done");
  run_children(exe, jobs, o.jobs, [&](std::size_t) {
    prog.update(std::to_string(++done) + " of " + std::to_string(jobs.size()) + " modes done");
  });
  return assemble_compare(cfg, jobs, prefix);
}

// DRAM categories in the order of the result document, and the chart's panels.
std::string compare_svg(const nlohmann::ordered_json& doc) {
  const auto& w = doc["runs"][0]["workload"];
  const std::string what = w["model"].get<std::string>() + " " + w["sublayer"].get<std::string>() + " TP" +
                           std::to_string(w["tp"].get<unsigned>());
  bar_chart_spec speed;
  speed.title = "Sublayer speedup, " + what;
  speed.x_label = "mode";
  speed.y_label = "speedup over sequential (x)";
  speed.reference = 1.0;
  bar_chart_spec dram;
  dram.title = "DRAM traffic by category, " + what;
  dram.x_label = "mode";
  dram.y_label = "DRAM bytes, all GPUs (MiB)";
  dram.stacked = true;
  bar_series s{"speedup", {}};
  for (const auto& run : doc["runs"]) {
    const std::string m = run["mode"].get<std::string>();
    speed.categories.push_back(m);
    dram.categories.push_back(m);
    s.values.push_back(doc["speedup"][m].get<double>());
  }
  speed.series.push_back(s);
  for (const auto& [cat, v] : doc["runs"][0]["dram_bytes"].items()) {
    if (cat == "total") continue;
    bar_series c{cat, {}};
    for (const auto& run : doc["runs"]) c.values.push_back(run["dram_bytes"][cat].get<double>() / 1048576.0);
    dram.series.push_back(c);
  }
  return svg_document({bar_chart(speed), bar_chart(dram)});
}

}  // namespace t3vp
