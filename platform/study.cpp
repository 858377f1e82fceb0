#include "platform/study.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include "platform/child_pool.h"
#include "platform/compare.h"
#include "platform/platform_config.h"
#include "platform/progress.h"
#include "platform/svg_chart.h"
#include "workloads/model_table.h"

namespace t3vp {
namespace {

const std::vector<std::string> paper_models = {"mega-gpt-2", "t-nlg"};
const std::vector<std::string> large_models = {"gpt-3", "palm", "mt-nlg"};
const std::vector<std::string> study_sublayers = {"op", "fc2", "fc1", "ip"};
// DRAM categories of the run document, and the paper's "GEMM + RS writes" (item 11 of section 5):
// the GEMM's output stores and the reduce-scatter's writes and near-memory updates.
const std::vector<std::string> dram_categories = {"gemm_read", "gemm_write", "rs_read", "rs_write",
                                                  "rs_update", "ag_read",    "ag_write"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// exp(mean(log x)) over the values; 0 when one is 0 (a category a mode removes entirely).
double geomean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) {
    if (!(x > 0)) return 0;
    s += std::log(x);
  }
  return std::exp(s / double(v.size()));
}

const nlohmann::ordered_json& run_of(const nlohmann::ordered_json& compare, const std::string& mode) {
  for (const auto& r : compare["runs"])
    if (r["mode"] == mode) return r;
  throw std::runtime_error("study: mode " + mode + " missing from a compare");
}

double dram(const nlohmann::ordered_json& run, const std::string& cat) {
  const auto& b = run["dram_bytes"];
  if (cat == "gemm_rs_writes")
    return b["gemm_write"].get<double>() + b["rs_write"].get<double>() + b["rs_update"].get<double>();
  return b[cat].get<double>();
}

std::string point_label(const study_point& p) { return p.model + " TP" + std::to_string(p.tp) + " " + p.sublayer; }

// Ratio statistics of one group of points (all of them, or one TP degree).
nlohmann::ordered_json group_summary(const std::vector<const nlohmann::ordered_json*>& pts) {
  nlohmann::ordered_json s;
  s["points"] = pts.size();
  nlohmann::ordered_json gm, mx, red, red_max, ratios, nmc_rs;
  for (const auto& m : compare_modes()) {
    std::vector<double> sp, dr;
    double best = 0, best_red = -1e300;
    for (const auto* p : pts) {
      const auto& c = (*p)["compare"];
      const double v = c["speedup"][m].get<double>();
      sp.push_back(v);
      best = std::max(best, v);
      const double r = dram(run_of(c, m), "total") / dram(run_of(c, "sequential"), "total");
      dr.push_back(r);
      best_red = std::max(best_red, 1 - r);
    }
    gm[m] = geomean(sp);
    mx[m] = pts.empty() ? 0.0 : best;
    red[m] = pts.empty() ? 0.0 : 1 - geomean(dr);
    red_max[m] = pts.empty() ? 0.0 : best_red;
    nlohmann::ordered_json cats;
    std::vector<std::string> all = dram_categories;
    all.push_back("gemm_rs_writes");
    all.push_back("total");
    for (const auto& cat : all) {
      std::vector<double> v;
      for (const auto* p : pts) {
        const double seq = dram(run_of((*p)["compare"], "sequential"), cat);
        if (seq > 0) v.push_back(dram(run_of((*p)["compare"], m), cat) / seq);
      }
      cats[cat] = v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(geomean(v));
    }
    ratios[m] = cats;
  }
  std::vector<double> rs;
  for (const auto* p : pts) {
    const auto& c = (*p)["compare"];
    const double a = run_of(c, "sequential")["time_ns"]["reduce_scatter"].get<double>();
    const double b = run_of(c, "ideal-rs-nmc")["time_ns"]["reduce_scatter"].get<double>();
    if (a > 0 && b > 0) rs.push_back(a / b);
  }
  s["speedup_geomean"] = gm;
  s["speedup_max"] = mx;
  s["dram_reduction_geomean"] = red;
  s["dram_reduction_max"] = red_max;
  s["dram_ratio_geomean"] = ratios;
  s["nmc_rs_speedup_geomean"] = rs.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(geomean(rs));
  return s;
}

std::string csv_number(const nlohmann::ordered_json& v) { return v.dump(); }

}  // namespace

std::vector<study_point> study_grid(const study_options& o) {
  std::vector<std::string> models = o.models;
  if (models.empty()) {
    models = paper_models;
    if (o.large) models.insert(models.end(), large_models.begin(), large_models.end());
  }
  for (const auto& m : models)
    if (m == "custom" || !is_known_model(m))
      throw config_error("--models: unknown model '" + m + "' (valid: " + join(paper_models) + ", " +
                         join(large_models) + ")");
  std::vector<std::string> subs = o.sublayers.empty() ? study_sublayers : o.sublayers;
  for (const auto& s : subs)
    if (!contains(study_sublayers, s))
      throw config_error("--sublayers: unknown sublayer '" + s + "' (valid: " + join(study_sublayers) + ")");
  for (unsigned t : o.tps)
    if (t < 2 || t > 64) throw config_error("--tp: expected TP degrees in 2..64 (got " + std::to_string(t) + ")");
  std::vector<study_point> grid;
  for (const auto& m : models) {
    std::string key = find_model(m).key;
    std::vector<unsigned> tps = o.tps;
    if (tps.empty()) tps = contains(large_models, key) ? std::vector<unsigned>{32} : std::vector<unsigned>{8, 16};
    for (unsigned t : tps)
      for (const auto& s : subs) grid.push_back({key, t, s});
  }
  return grid;
}

nlohmann::ordered_json study_summary(const nlohmann::ordered_json& points) {
  std::vector<const nlohmann::ordered_json*> all;
  std::map<unsigned, std::vector<const nlohmann::ordered_json*>> by_tp;
  for (const auto& p : points) {
    all.push_back(&p);
    by_tp[p["tp"].get<unsigned>()].push_back(&p);
  }
  nlohmann::ordered_json s = group_summary(all);
  nlohmann::ordered_json t = nlohmann::ordered_json::object();
  for (const auto& [tp, pts] : by_tp) t[std::to_string(tp)] = group_summary(pts);
  s["by_tp"] = t;
  return s;
}

study_result run_study(const config& base, const std::string& exe, const study_options& o) {
  const std::vector<study_point> grid = study_grid(o);
  temp_dir dir("t3vp_study");
  std::vector<config> configs;
  std::vector<child_job> jobs;
  const std::size_t nsim = simulated_modes().size();
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const study_point& p = grid[i];
    config c = base;
    c.set("workload.model", p.model);
    c.set("system.gpus", std::to_string(p.tp));
    c.set("workload.sublayer", p.sublayer);
    try {
      make_platform_config(c);  // every point checked before anything runs
    } catch (const config_error& e) {
      throw config_error("study point " + point_label(p) + ": " + e.what());
    }
    const std::string path = dir.file("p" + std::to_string(i) + ".json");
    std::ofstream(path) << c.to_json(2) << "\n";
    for (const auto& m : simulated_modes())
      jobs.push_back(compare_mode_job(c, path, m, dir.path() + "/p" + std::to_string(i) + "_", ""));
    configs.push_back(std::move(c));
  }
  progress prog("study", o.quiet);
  std::size_t done = 0;
  const auto status = [&] {
    return std::to_string(done) + " of " + std::to_string(jobs.size()) + " runs done (" +
           std::to_string(grid.size()) + " points x " + std::to_string(nsim) + " simulated modes)";
  };
  prog.update(status());
  run_children(exe, jobs, o.jobs, [&](std::size_t) {
    ++done;
    prog.update(status());
  });

  study_result r;
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < grid.size(); ++i) {
    std::vector<child_job> mine(jobs.begin() + std::ptrdiff_t(i * nsim), jobs.begin() + std::ptrdiff_t((i + 1) * nsim));
    compare_result c;
    try {
      c = assemble_compare(configs[i], mine, dir.path() + "/p" + std::to_string(i) + "_");
    } catch (const config_error& e) {
      throw config_error("study point " + point_label(grid[i]) + ": " + e.what());
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("study point " + point_label(grid[i]) + ": " + e.what());
    }
    r.functional_ok &= c.functional_ok;
    points.push_back({{"model", grid[i].model}, {"tp", grid[i].tp}, {"sublayer", grid[i].sublayer}, {"compare", c.doc}});
  }
  nlohmann::ordered_json& doc = r.doc;
  doc["command"] = "study";
  {
    std::vector<std::string> models, subs;
    std::vector<unsigned> tps;
    for (const auto& p : grid) {
      if (!contains(models, p.model)) models.push_back(p.model);
      if (std::find(tps.begin(), tps.end(), p.tp) == tps.end()) tps.push_back(p.tp);
      if (!contains(subs, p.sublayer)) subs.push_back(p.sublayer);
    }
    doc["grid"] = {{"models", models}, {"tp", tps}, {"sublayers", subs}, {"points", grid.size()}};
  }
  doc["config"] = nlohmann::ordered_json::parse(base.to_json(-1));
  doc["points"] = points;
  doc["summary"] = study_summary(points);
  const auto& sum = doc["summary"];

  // The report: Fig. 16 (speedups) and Fig. 18 (DRAM traffic) as tables.
  std::ostringstream os;
  char line[512];
  os << "Sublayer study: " << grid.size() << " points, every mode; " << configs[0].get_int("workload.tokens")
     << " tokens, " << configs[0].get_string("data.mode") << " data"
     << (configs[0].get_bool("system.symmetric") ? ", symmetric execution (one GPU simulated)" : "") << "\n\n";
  std::snprintf(line, sizeof line, "%-24s %11s %11s %11s %11s %11s | %7s %7s %7s %7s %7s\n", "point", "seq us", "t3 us",
                "t3-mca us", "ideal us", "rs-nmc us", "t3", "t3-mca", "ideal", "rs-nmc", "func");
  os << "Time per mode and speedup over sequential (paper Fig. 16)\n" << line;
  const std::vector<std::string>& modes = compare_modes();
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const auto& c = points[i]["compare"];
    double t[5], s[5];
    bool ok = true, checked = false;
    for (std::size_t m = 0; m < 5; ++m) {
      const auto& run = run_of(c, modes[m]);
      t[m] = run["time_ns"]["total"].get<double>() / 1e3;
      s[m] = c["speedup"][modes[m]].get<double>();
      ok &= run["functional"]["mismatches"].get<std::uint64_t>() == 0 && run["functional"]["kernels_ok"].get<bool>();
      checked |= run["functional"]["checked_elements"].get<std::uint64_t>() > 0;
    }
    std::snprintf(line, sizeof line, "%-24s %11.1f %11.1f %11.1f %11.1f %11.1f | %6.3fx %6.3fx %6.3fx %6.3fx %7s\n",
                  point_label(grid[i]).c_str(), t[0], t[1], t[2], t[3], t[4], s[1], s[2], s[3], s[4], !ok ? "FAIL" : checked ? "ok" : "off");
    os << line;
  }
  const auto summary_row = [&](const char* label, const nlohmann::ordered_json& v) {
    std::snprintf(line, sizeof line, "%-24s %11s %11s %11s %11s %11s | %6.3fx %6.3fx %6.3fx %6.3fx\n", label, "", "", "",
                  "", "", v["t3"].get<double>(), v["t3-mca"].get<double>(), v["ideal-overlap"].get<double>(),
                  v["ideal-rs-nmc"].get<double>());
    os << line;
  };
  summary_row("geomean", sum["speedup_geomean"]);
  summary_row("max", sum["speedup_max"]);
  for (const auto& [tp, g] : sum["by_tp"].items()) summary_row(("geomean TP" + tp).c_str(), g["speedup_geomean"]);
  if (sum["nmc_rs_speedup_geomean"].is_number()) {
    os << "\nReduce-scatter by DMA + NMC alone vs the ring on SMs (geomean of sequential rs / ideal-rs-nmc rs):";
    for (const auto& [tp, g] : sum["by_tp"].items())
      if (g["nmc_rs_speedup_geomean"].is_number()) {
        std::snprintf(line, sizeof line, " TP%s %.3fx", tp.c_str(), g["nmc_rs_speedup_geomean"].get<double>());
        os << line;
      }
    os << "\n";
  }
  os << "\nDRAM traffic by category, summed over the points (GiB, all GPUs), and geomean ratio to sequential "
        "(paper Fig. 18)\n";
  std::snprintf(line, sizeof line, "%-14s %9s %9s %9s %9s %9s %9s %9s %9s | %9s %9s %9s %9s %9s\n", "mode", "gemm_rd",
                "gemm_wr", "rs_rd", "rs_wr", "rs_upd", "ag_rd", "ag_wr", "total", "x gemm_rd", "x gemm+rs_wr", "x rs_rd",
                "x total", "reduction");
  os << line;
  for (const auto& m : modes) {
    double v[8] = {};
    for (const auto& p : points) {
      const auto& run = run_of(p["compare"], m);
      for (std::size_t k = 0; k < dram_categories.size(); ++k) v[k] += dram(run, dram_categories[k]) / 1073741824.0;
      v[7] += dram(run, "total") / 1073741824.0;
    }
    const auto& rt = sum["dram_ratio_geomean"][m];
    const auto ratio = [&](const char* k) { return rt[k].is_number() ? rt[k].get<double>() : 0.0; };
    std::snprintf(line, sizeof line, "%-14s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f | %9.3f %9.3f %9.3f %9.3f %8.1f%%\n",
                  m.c_str(), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], ratio("gemm_read"), ratio("gemm_rs_writes"),
                  ratio("rs_read"), ratio("total"), 100 * sum["dram_reduction_geomean"][m].get<double>());
    os << line;
  }
  os << "\nspeedup = sequential total / mode total (1.30x = 30% faster); geomean and max over the points.\n"
        "x <cat> = geomean over the points of mode bytes / sequential bytes; reduction = 1 - geomean of total ratios.\n"
        "Definitions: docs/study.md.\n";
  r.table = os.str();

  // CSV: one row per point x mode.
  std::ostringstream csv;
  csv << "model,tp,sublayer,mode,time_total_ns,time_gemm_ns,time_reduce_scatter_ns,time_all_gather_ns,speedup";
  for (const auto& k : dram_categories) csv << ",dram_" << k;
  csv << ",dram_total,link_bytes,checked_elements,mismatches,simulated_gpus\n";
  for (std::size_t i = 0; i < grid.size(); ++i)
    for (const auto& m : modes) {
      const auto& c = points[i]["compare"];
      const auto& run = run_of(c, m);
      const auto& t = run["time_ns"];
      csv << grid[i].model << "," << grid[i].tp << "," << grid[i].sublayer << "," << m << "," << csv_number(t["total"])
          << "," << csv_number(t["gemm"]) << "," << csv_number(t["reduce_scatter"]) << ","
          << csv_number(t["all_gather"]) << "," << csv_number(c["speedup"][m]);
      for (const auto& k : dram_categories) csv << "," << csv_number(run["dram_bytes"][k]);
      csv << "," << csv_number(run["dram_bytes"]["total"]) << "," << csv_number(run["link_bytes"]) << ","
          << csv_number(run["functional"]["checked_elements"]) << "," << csv_number(run["functional"]["mismatches"]) << ","
          << csv_number(run["workload"]["simulated_gpus"])
          << "\n";
    }
  r.csv = csv.str();

  // Charts.
  {
    bar_chart_spec sp;
    sp.title = "Sublayer speedup over sequential, per point and mode";
    sp.x_label = "model, TP degree, sublayer";
    sp.y_label = "speedup over sequential (x)";
    sp.reference = 1.0;
    for (const auto& p : grid) sp.categories.push_back(point_label(p));
    sp.categories.push_back("geomean");
    for (const auto& m : modes) {
      if (m == "sequential") continue;
      bar_series s{m, {}};
      for (const auto& p : points) s.values.push_back(p["compare"]["speedup"][m].get<double>());
      s.values.push_back(sum["speedup_geomean"][m].get<double>());
      sp.series.push_back(s);
    }
    r.charts.push_back({"speedup.svg", svg_document({bar_chart(sp)})});
    bar_chart_spec dr;
    dr.title = "DRAM traffic by category per mode, summed over " + std::to_string(grid.size()) + " points";
    dr.x_label = "mode";
    dr.y_label = "DRAM bytes, all GPUs (GiB)";
    dr.stacked = true;
    dr.categories = modes;
    for (const auto& k : dram_categories) {
      bar_series s{k, {}};
      for (const auto& m : modes) {
        double v = 0;
        for (const auto& p : points) v += dram(run_of(p["compare"], m), k) / 1073741824.0;
        s.values.push_back(v);
      }
      dr.series.push_back(s);
    }
    r.charts.push_back({"dram.svg", svg_document({bar_chart(dr)})});
  }
  return r;
}

}  // namespace t3vp
