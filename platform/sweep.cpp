#include "platform/sweep.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include "platform/child_pool.h"
#include "platform/compare.h"
#include "platform/json_strict.h"
#include "platform/platform_config.h"
#include "platform/progress.h"

namespace t3vp {
namespace {

// A value as --set takes it: strings bare, numbers and booleans as JSON writes them.
std::string set_text(const nlohmann::ordered_json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// What a sweep line keeps of a run document: the figures, not the configuration and statistics.
nlohmann::ordered_json run_summary(const nlohmann::ordered_json& run) {
  nlohmann::ordered_json s;
  for (const char* k : {"mode", "workload", "time_ns", "dram_bytes", "link_bytes", "functional", "sizing"})
    if (run.contains(k)) s[k] = run[k];
  return s;
}

std::string last_lines(const std::string& text, std::size_t n) {
  // After the (n+1)-th newline from the end (the first one found ends the last line), or all of it.
  std::size_t pos = text.size();
  for (std::size_t i = 0; i <= n; ++i) {
    if (pos == 0 || (pos = text.rfind('\n', pos - 1)) == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

std::size_t sweep_grid::size() const {
  std::size_t n = 1;
  for (const auto& a : axes) n *= a.values.size();  // (load_sweep_grid keeps this within max_sweep_points)
  return axes.empty() ? 0 : n;
}

std::vector<std::pair<std::string, nlohmann::ordered_json>> sweep_grid::point(std::size_t i) const {
  std::vector<std::pair<std::string, nlohmann::ordered_json>> p(axes.size());
  for (std::size_t a = axes.size(); a-- > 0;) {  // the last axis varies fastest
    p[a] = {axes[a].key, axes[a].values[i % axes[a].values.size()]};
    i /= axes[a].values.size();
  }
  return p;
}

sweep_grid load_sweep_grid(const std::string& path) {
  const std::string file_text = read_input_file(path, "--grid file");
  nlohmann::ordered_json doc;
  std::string duplicate;
  try {
    doc = parse_json_strict<nlohmann::ordered_json>(file_text, /*ignore_comments=*/true, duplicate);
  } catch (const nlohmann::json::exception& e) {
    throw config_error("--grid '" + path + "': not valid JSON: " + e.what());
  }
  if (!duplicate.empty()) throw config_error("--grid '" + path + "': key '" + duplicate + "' appears twice in one object");
  const std::string where = "--grid '" + path + "': ";
  if (!doc.is_array() || doc.empty())
    throw config_error(where + "expected a non-empty JSON list of axes {\"key\": ..., \"values\": [...]}");
  sweep_grid g;
  std::set<std::string> seen;
  std::size_t points = 1;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& a = doc[i];
    const std::string ax = where + "axis " + std::to_string(i) + ": ";
    if (!a.is_object() || !a.contains("key") || !a["key"].is_string() || !a.contains("values") || !a["values"].is_array())
      throw config_error(ax + "expected {\"key\": \"dotted.key\", \"values\": [...]}");
    for (const auto& [k, v] : a.items())
      if (k != "key" && k != "values") throw config_error(ax + "unknown field '" + k + "'");
    sweep_axis axis;
    axis.key = a["key"].get<std::string>();
    if (!seen.insert(axis.key).second) throw config_error(ax + "key '" + axis.key + "' appears twice");
    if (a["values"].empty()) throw config_error(ax + "'" + axis.key + "' has no values");
    std::vector<std::string> canonical;  // each value as the parameter holds it: 14, "14" and "0xe" are one value
    for (nlohmann::ordered_json v : a["values"]) {
      if (!v.is_primitive() || v.is_null()) throw config_error(ax + "'" + axis.key + "': values must be numbers, strings or booleans");
      // Names in their canonical (lower-case) spelling, so that "T3" and "t3" are one value.
      std::string text;
      if (axis.key == "mode") {
        const auto& m = compare_modes();
        if (v.is_string()) v = lower_case(v.get<std::string>());
        if (!v.is_string() || std::find(m.begin(), m.end(), v.get<std::string>()) == m.end())
          throw config_error(ax + "unknown mode " + v.dump() + " (sequential, t3, t3-mca, ideal-overlap, ideal-rs-nmc)");
        text = v.get<std::string>();
      } else {
        config probe;  // the key and the value's type and range, checked as --set checks them
        try {
          probe.set(axis.key, set_text(v));
        } catch (const config_error& e) {
          throw config_error(ax + e.what());
        }
        const param_type type = config::find_def(axis.key)->type;
        if (v.is_string() && type == param_type::string) v = probe.get_string(axis.key);
        text = type == param_type::real ? nlohmann::json(probe.get_real(axis.key) + 0.0).dump()  // (reals exactly; -0 is 0)
                                        : probe.value_text(axis.key);
      }
      const auto same = std::find(canonical.begin(), canonical.end(), text);
      if (same != canonical.end()) {
        const nlohmann::ordered_json& first = axis.values[std::size_t(same - canonical.begin())];
        throw config_error(ax + "'" + axis.key + "': value " + v.dump() + " appears twice" +
                           (first == v ? std::string() : " (" + first.dump() + " is the same value)"));
      }
      canonical.push_back(text);
      axis.values.push_back(v);
    }
    if (points > max_sweep_points / axis.values.size())
      throw config_error(where + "more than " + std::to_string(max_sweep_points) + " points (the product of the axes' value counts)");
    points *= axis.values.size();
    g.axes.push_back(std::move(axis));
  }
  return g;
}

shard_spec parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  shard_spec s;
  try {
    if (slash == std::string::npos) throw std::invalid_argument(text);
    std::size_t u1 = 0, u2 = 0;
    const std::string a = text.substr(0, slash), b = text.substr(slash + 1);
    if (a.empty() || b.empty() || !std::isdigit((unsigned char)a[0]) || !std::isdigit((unsigned char)b[0]))
      throw std::invalid_argument(text);
    const unsigned long long i = std::stoull(a, &u1), n = std::stoull(b, &u2);  // (out_of_range past 2^64 - 1)
    if (u1 != a.size() || u2 != b.size()) throw std::invalid_argument(text);
    s.index = std::size_t(i);
    s.count = std::size_t(n);
  } catch (const std::logic_error&) {
    throw config_error("--shard: expected I/N with integers 0 <= I < N (got '" + text + "')");
  }
  if (s.count == 0 || s.index >= s.count)
    throw config_error("--shard: expected I/N with 0 <= I < N (got '" + text + "')");
  return s;
}

namespace {
// The shard's point indices.
std::vector<std::size_t> shard_indices(const sweep_grid& grid, const shard_spec& shard) {
  std::vector<std::size_t> indices;
  const std::size_t total = grid.size();
  for (std::size_t i = shard.index; i < total; i += shard.count) {
    indices.push_back(i);
    if (shard.count >= total - i) break;  // (i + count would pass total, or wrap around for a huge count)
  }
  return indices;
}

// Point i's configuration (checked) and mode.
config point_config(const config& base, const sweep_grid& grid, std::size_t i, std::string& mode) {
  config c = base;
  bool model_axis = false;
  for (const auto& [k, v] : grid.point(i)) {
    if (k == "mode") mode = v.get<std::string>();
    else c.set(k, set_text(v));  // (load_sweep_grid checked each value)
    model_axis |= k == "workload.model";
  }
  // A grid of custom and named models: the custom shape applies to the custom points only (axes
  // combine, so m/n/k cannot be given to those alone).
  if (model_axis && c.get_string("workload.model") != "custom")
    for (const char* key : {"workload.m", "workload.n", "workload.k"}) c.set(key, "0");
  try {
    make_platform_config(c);
  } catch (const config_error& e) {
    throw config_error("sweep point " + std::to_string(i) + ": " + e.what());
  }
  return c;
}
}  // namespace

void check_sweep_points(const config& base, const sweep_grid& grid, const sweep_options& o) {
  for (std::size_t i : shard_indices(grid, o.shard)) {
    std::string mode = o.mode;
    point_config(base, grid, i, mode);
  }
}

int run_sweep(const config& base, const std::string& exe, const sweep_grid& grid, const sweep_options& o,
              std::ostream& out) {
  const std::size_t total = grid.size();
  const std::vector<std::size_t> indices = shard_indices(grid, o.shard);
  temp_dir dir("t3vp_sweep");
  std::vector<child_job> jobs;
  std::vector<std::string> modes, json_paths;
  for (std::size_t i : indices) {  // every point checked before anything runs
    std::string mode = o.mode;
    const config c = point_config(base, grid, i, mode);
    const std::string stem = dir.file("p" + std::to_string(i));
    std::ofstream(stem + ".config.json") << c.to_json(2) << "\n";
    child_job j;
    if (mode.empty())
      j.args = {"compare", "--quiet", "--jobs", "1", "--config", stem + ".config.json", "--json", stem + ".json"};
    else
      j.args = {"run", "--quiet", "--config", stem + ".config.json", "--mode", mode, "--json", stem + ".json"};
    j.log_path = stem + ".log";
    jobs.push_back(j);
    modes.push_back(mode);
    json_paths.push_back(stem + ".json");
  }
  progress prog("sweep", o.quiet);
  std::size_t done = 0, written = 0;
  std::vector<bool> finished(jobs.size(), false);
  int exit_code = 0;
  const auto line_of = [&](std::size_t n) {
    const child_job& j = jobs[n];
    nlohmann::ordered_json line;
    line["index"] = indices[n];
    line["points"] = total;
    nlohmann::ordered_json ov = nlohmann::ordered_json::object();
    for (const auto& [k, v] : grid.point(indices[n])) ov[k] = v;
    line["overrides"] = ov;
    line["command"] = modes[n].empty() ? "compare" : "run";
    line["exit_code"] = j.exit_code;
    if (j.exit_code == 0 || j.exit_code == 1) {
      const auto doc = nlohmann::ordered_json::parse(read_text_file(json_paths[n]));
      nlohmann::ordered_json result;
      if (modes[n].empty()) {
        result["speedup"] = doc["speedup"];
        nlohmann::ordered_json runs = nlohmann::ordered_json::array();
        for (const auto& r : doc["runs"]) runs.push_back(run_summary(r));
        result["runs"] = runs;
      } else {
        result = run_summary(doc);
      }
      line["result"] = result;
      if (j.exit_code == 1) exit_code = std::max(exit_code, 1);
    } else {
      const std::string log = last_lines(read_text_file(j.log_path), 8);
      line["error"] = j.term_signal ? describe_end(j) + (log.empty() ? "" : "\n" + log) : log;
      exit_code = 3;
    }
    line["wall_s"] = j.wall_s;
    return line.dump();
  };
  const auto status = [&] {
    return std::to_string(done) + " of " + std::to_string(jobs.size()) + " points done (shard " +
           std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count) + " of " + std::to_string(total) + ")";
  };
  prog.update(status());
  run_children(exe, jobs, o.jobs, [&](std::size_t n) {
    finished[n] = true;
    ++done;
    // Lines go out in index order, each as soon as every earlier point has finished.
    while (written < jobs.size() && finished[written]) {
      out << line_of(written++) << "\n";
      out.flush();
    }
    prog.update(status());
  });
  return exit_code;
}

namespace {
// j[path...], or null when a step is missing or not an object.
const nlohmann::ordered_json& field(const nlohmann::ordered_json& j, std::initializer_list<const char*> path) {
  static const nlohmann::ordered_json none;
  const nlohmann::ordered_json* p = &j;
  for (const char* k : path) {
    if (!p->is_object()) return none;
    const auto it = p->find(k);
    if (it == p->end()) return none;
    p = &*it;
  }
  return *p;
}

// A line that lacks what merge reads is not a line of sweep.
void sweep_need(bool ok, const std::string& where, const std::string& what) {
  if (!ok) throw config_error(where + ": not a line of t3vp sweep (" + what + ")");
}

// The fields of one run summary that merge's table reads.
void check_run_summary(const nlohmann::ordered_json& run, const std::string& where) {
  const auto need = [&](bool ok, const std::string& what) { sweep_need(ok, where, what); };
  need(run.is_object(), "a run summary is not an object");
  need(field(run, {"mode"}).is_string(), "a run has no mode");
  need(field(run, {"time_ns", "total"}).is_number(), "a run has no time_ns.total");
  need(field(run, {"dram_bytes", "total"}).is_number(), "a run has no dram_bytes.total");
  need(field(run, {"functional", "mismatches"}).is_number(), "a run has no functional.mismatches");
  for (const char* t : {"gemm", "reduce_scatter", "all_gather"}) {
    const auto& v = field(run, {"time_ns", t});
    need(v.is_null() || v.is_number(), std::string("time_ns.") + t + " is not a number");
  }
  const auto& link = field(run, {"link_bytes"});
  need(link.is_null() || link.is_number(), "link_bytes is not a number");
}

// Everything merge reads of a line, with its type.
void check_line(const nlohmann::ordered_json& line, const std::string& where) {
  const auto need = [&](bool ok, const std::string& what) { sweep_need(ok, where, what); };
  need(line.is_object() && line.contains("index") && line["index"].is_number_unsigned() && line.contains("points") &&
           line["points"].is_number_unsigned(),
       "no index/points");
  const auto n = line["points"].get<std::uint64_t>();
  need(n >= 1 && n <= max_sweep_points, "points must be 1.." + std::to_string(max_sweep_points));
  need(line["index"].get<std::uint64_t>() < n, "index must be below points");
  const auto& command = field(line, {"command"});
  need(command == "run" || command == "compare", "command must be \"run\" or \"compare\"");
  need(field(line, {"exit_code"}).is_number_integer(), "no integer exit_code");
  const auto& ov = field(line, {"overrides"});
  need(ov.is_object(), "no overrides object");
  for (const auto& [k, v] : ov.items()) need(v.is_primitive() && !v.is_null(), "override '" + k + "' is not a scalar");
  if (!line.contains("result")) return;
  const auto& result = line["result"];
  if (command == "run") return check_run_summary(result, where);
  need(field(result, {"runs"}).is_array() && field(result, {"speedup"}).is_object(), "a compare result needs runs and speedup");
  for (const auto& run : result["runs"]) {
    check_run_summary(run, where);
    const auto& sp = field(result, {"speedup", run["mode"].get<std::string>().c_str()});
    need(sp.is_null() || sp.is_number(), "a speedup is not a number");
  }
}
}  // namespace

merge_result merge_sweep(const std::vector<std::string>& files) {
  std::map<std::size_t, nlohmann::ordered_json> by_index;
  std::size_t total = 0;
  // What every line of one grid shares: its axes (override keys, in order) and command.
  std::vector<std::string> grid_axes;
  std::string grid_command, grid_from;
  for (const auto& f : files) {
    std::ifstream in = open_input_file(f, "merge input");
    std::string text;
    for (std::size_t ln = 1; std::getline(in, text); ++ln) {
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = "merge: " + f + ":" + std::to_string(ln);
      nlohmann::ordered_json line;
      try {
        line = nlohmann::ordered_json::parse(text);
      } catch (const nlohmann::json::exception& e) {
        throw config_error(where + ": not a JSON line of sweep: " + e.what());
      }
      check_line(line, where);
      line.erase("wall_s");  // wall clock: not a result
      const std::size_t i = line["index"].get<std::size_t>(), n = line["points"].get<std::size_t>();
      std::vector<std::string> axes;
      for (const auto& [k, v] : line["overrides"].items()) axes.push_back(k);
      const std::string command = line["command"].get<std::string>();
      if (total && (n != total || axes != grid_axes || command != grid_command)) {
        std::string all;
        for (const auto& k : axes) all += (all.empty() ? "" : ", ") + k;
        throw config_error(where + ": from another grid (" + std::to_string(n) + " points, axes " + all + ", " + command +
                           ") than " + grid_from + " (" + std::to_string(total) + " points)");
      }
      if (!total) grid_from = f + ":" + std::to_string(ln);
      total = n;
      grid_axes = axes;
      grid_command = command;
      auto it = by_index.find(i);
      if (it != by_index.end() && it->second != line)
        throw config_error("merge: two different results for point " + std::to_string(i) + " (" + f + ":" +
                           std::to_string(ln) + ")");
      by_index[i] = line;
    }
    if (in.bad()) throw config_error("merge: cannot read '" + f + "'");
  }
  if (by_index.empty()) throw config_error("merge: no lines of t3vp sweep in the files given");
  merge_result r;
  for (std::size_t i = 0; i < total; ++i)
    if (!by_index.count(i)) r.missing.push_back(i);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::vector<std::string> keys;  // axis keys in first-seen order
  for (const auto& [i, line] : by_index) {
    results.push_back(line);
    for (const auto& [k, v] : line["overrides"].items())  // (a mode axis is the table's mode column)
      if (k != "mode" && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  r.doc["command"] = "merge";
  r.doc["points"] = total;
  r.doc["missing"] = r.missing;
  r.doc["results"] = results;

  // Rows: one per point, or per point and mode for compare points.
  std::ostringstream csv, table;
  csv << "index";
  for (const auto& k : keys) csv << "," << k;
  csv << ",mode,exit_code,time_total_ns,time_gemm_ns,time_reduce_scatter_ns,time_all_gather_ns,speedup,dram_total,"
         "link_bytes,mismatches\n";
  char line[512];
  std::snprintf(line, sizeof line, "%6s  %-40s %-14s %4s %12s %9s %11s %10s\n", "index", "overrides", "mode", "exit",
                "total us", "speedup", "DRAM MiB", "mismatch");
  table << line;
  for (const auto& [i, l] : by_index) {
    std::string ov;
    for (const auto& [k, v] : l["overrides"].items()) ov += (ov.empty() ? "" : " ") + k + "=" + set_text(v);
    std::vector<std::pair<nlohmann::ordered_json, nlohmann::ordered_json>> rows;  // run summary, speedup
    if (!l.contains("result")) rows.push_back({nullptr, nullptr});
    else if (l["command"] == "compare")
      for (const auto& run : l["result"]["runs"])
        rows.push_back({run, field(l, {"result", "speedup", run["mode"].get<std::string>().c_str()})});
    else
      rows.push_back({l["result"], nullptr});
    for (const auto& [run, sp] : rows) {
      const auto num = [&](const nlohmann::ordered_json& v) { return v.is_null() ? std::string() : v.dump(); };
      csv << i;
      for (const auto& k : keys) csv << "," << (l["overrides"].contains(k) ? set_text(l["overrides"][k]) : "");
      const bool ok = !run.is_null();
      const std::string mode = ok ? run["mode"].get<std::string>()
                                  : l["overrides"].contains("mode") ? set_text(l["overrides"]["mode"]) : std::string();
      csv << "," << mode << "," << l["exit_code"].dump();
      for (const char* t : {"total", "gemm", "reduce_scatter", "all_gather"}) csv << "," << (ok ? num(field(run, {"time_ns", t})) : "");
      csv << "," << num(sp) << "," << (ok ? num(field(run, {"dram_bytes", "total"})) : "") << ","
          << (ok ? num(field(run, {"link_bytes"})) : "") << "," << (ok ? num(field(run, {"functional", "mismatches"})) : "")
          << "\n";
      std::snprintf(line, sizeof line, "%6zu  %-40s %-14s %4d %12s %9s %11s %10s\n", i, ov.c_str(),
                    mode.empty() ? "-" : mode.c_str(), l["exit_code"].get<int>(),
                    ok ? fmt("%.1f", run["time_ns"]["total"].get<double>() / 1e3).c_str() : "-",
                    sp.is_null() ? "" : fmt("%.3fx", sp.get<double>()).c_str(),
                    ok ? fmt("%.1f", run["dram_bytes"]["total"].get<double>() / 1048576.0).c_str() : "-",
                    ok ? run["functional"]["mismatches"].dump().c_str() : "-");
      table << line;
    }
  }
  if (!r.missing.empty()) table << r.missing.size() << " of " << total << " points missing\n";
  r.csv = csv.str();
  r.table = table.str();
  return r;
}

}  // namespace t3vp
