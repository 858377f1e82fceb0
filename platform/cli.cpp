#include "platform/cli.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <systemc>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include "platform/child_pool.h"
#include "platform/compare.h"
#include "platform/ctl.h"
#include "platform/gpu_node.h"
#include "platform/config.h"
#include "platform/memtest.h"
#include "platform/platform_config.h"
#include "platform/progress.h"
#include "platform/run.h"
#include "platform/serve.h"
#include "platform/study.h"
#include "platform/sweep.h"
#include "tlm/log.h"
#include "tlm/stats.h"

namespace po = boost::program_options;

namespace t3vp {
namespace {

const char* usage_text =
    "usage: t3vp <command> [options]\n"
    "\n"
    "commands:\n"
    "  compare  run every mode on the configured sublayer, side by side (the main job)\n"
    "  study    the paper's sublayer study: every mode on a grid of models, TP degrees, sublayers\n"
    "  sweep    run a grid of parameter points (JSON list of axes); JSON lines, shardable\n"
    "  merge    join sweep JSON-lines files into one table\n"
    "  run      run the configured sublayer on the N-GPU node in one mode; check the result\n"
    "  memtest  drive one GPU's memory system with a traffic pattern; report bandwidth\n"
    "  params   list every parameter: name, value, default, unit, range, description\n"
    "  registers  print the register maps of the command processor, tracker and DMA engine as JSON\n"
    "  serve    elaborate the platform `run` would and serve live control (newline-delimited JSON over TCP)\n"
    "  ctl      send one request to a running `serve` and print the reply (t3vp ctl --help)\n"
    "\n"
    "common options:\n"
    "  --config FILE        JSON configuration (nested objects or dotted keys)\n"
    "  --set KEY=VALUE      override one parameter (repeatable)\n"
    "  --json FILE          write the result document as JSON\n"
    "  --log-level LEVEL    error|warning|info|debug|trace (overrides sim.log_level)\n"
    "  --stats              also print every statistic as a table (run, memtest)\n"
    "  --quiet              no progress on stderr (shown only on a terminal, after 1 s)\n"
    "run and serve options:\n"
    "  --mode M             sequential|t3|t3-mca|ideal-overlap|ideal-rs-nmc (default sequential)\n"
    "  --trace FILE         (run) write a Chrome trace-event timeline (Perfetto); docs/trace.md\n"
    "serve options (protocol: docs/serve.md):\n"
    "  --bind ADDR          listen on ADDR (default 127.0.0.1: loopback only)\n"
    "  --port N             TCP port (default 0: a free one); the first stdout line is `listening on ADDR:PORT`\n"
    "  --max-line-bytes N   longest request line (default 65536)\n"
    "compare options:\n"
    "  --jobs N             modes simulated at once (default 2)\n"
    "  --trace FILE         one timeline per simulated mode: FILE with the mode before the extension\n"
    "  --svg FILE           chart: speedup per mode, DRAM bytes by category per mode\n"
    "study options (docs/study.md):\n"
    "  --large              add GPT-3, PaLM and MT-NLG at TP 32\n"
    "  --models A,B         only these models (mega-gpt-2, t-nlg, gpt-3, palm, mt-nlg)\n"
    "  --tp N,M             only these TP degrees (default: 8,16; 32 for the large models)\n"
    "  --sublayers S,T      only these sublayers (op, fc2, fc1, ip)\n"
    "  --jobs N             runs simulated at once, across points and modes (default 2)\n"
    "  --csv FILE           one row per point and mode\n"
    "  --svg DIR            charts: DIR/speedup.svg, DIR/dram.svg\n"
    "  --list               print the grid's points (model, TP, sublayer) and exit\n"
    "sweep options (docs/sweeps.md):\n"
    "  --grid FILE          JSON list of axes {\"key\": K, \"values\": [...]} (key \"mode\" selects modes)\n"
    "  --mode M             mode of every point when the grid has no mode axis (default: compare all)\n"
    "  --jobs N             points run at once (default 2)\n"
    "  --shard I/N          only the points whose index % N == I\n"
    "  --out FILE           JSON lines output (default stdout)\n"
    "merge options:\n"
    "  FILE...              JSON-lines files of sweep; --json FILE, --csv FILE write the merged table\n"
    "memtest options:\n"
    "  --pattern P          sequential|random|gemm-mix (default sequential)\n"
    "params options:\n"
    "  --format F           table|json (default table)\n";

struct cli_args {
  std::string command;
  std::string config_file;
  std::vector<std::string> sets;
  std::string json_file;
  std::string log_level;
  std::string pattern = "sequential";
  std::string mode = "sequential";
  std::string format = "table";
  bool stats = false, quiet = false, large = false, list = false;
  unsigned jobs = 2;
  std::string jobs_text, port_text, max_line_text;  // numbers parsed strictly (no sign, no wrap-around)
  std::string trace_file, svg, csv_file, grid_file, shard, out_file;
  std::vector<std::string> models, tps, sublayers, files;
  serve_options serve;
};

class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The comma-separated items of a repeatable list option. A list of separators only ("--tp ,") is an
// empty list, a mistake like an empty value; an empty item among others ("8,,16", "8,") is a typo.
std::vector<std::string> split_list(const std::vector<std::string>& items, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    // (one list of separators only is an empty list, below; among other items it is a typo as well)
    const bool separators_only = item.find_first_not_of(',') == std::string::npos && items.size() == 1;
    std::size_t start = 0;
    for (std::size_t end;; start = end + 1) {
      end = std::min(item.find(',', start), item.size());
      if (end > start) out.push_back(item.substr(start, end - start));
      else if (!separators_only) throw usage_error(name + ": an empty item in '" + item + "'");
      if (end == item.size()) break;
    }
  }
  if (!items.empty() && out.empty()) throw usage_error(name + ": empty list");
  return out;
}

// A decimal integer in [lo, hi] (no sign, no wrap-around), for option `name`.
std::uint64_t parse_uint(const std::string& text, const std::string& name, std::uint64_t lo, std::uint64_t hi) {
  const std::string expect = name + ": expected an integer " + std::to_string(lo) + ".." + std::to_string(hi) + " (got '" + text + "')";
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) throw usage_error(expect);
  const std::uint64_t v = std::stoull(text);
  if (v < lo || v > hi) throw usage_error(expect);
  return v;
}

// Each item once: a repeated one would run (and count) twice.
void check_distinct(const std::vector<std::string>& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (std::find(items.begin(), items.begin() + std::ptrdiff_t(i), items[i]) != items.begin() + std::ptrdiff_t(i))
      throw usage_error(name + ": '" + items[i] + "' is listed twice");
}

// The options of one command beyond the common ones, bound to `a`; false for an unknown command.
bool add_command_options(const std::string& command, cli_args& a, po::options_description& opts) {
  if (command == "memtest") opts.add_options()("pattern", po::value(&a.pattern));
  else if (command == "run") opts.add_options()("mode", po::value(&a.mode))("trace", po::value(&a.trace_file));
  else if (command == "serve")
    opts.add_options()("mode", po::value(&a.mode))("bind", po::value(&a.serve.bind))("port", po::value(&a.port_text))(
        "max-line-bytes", po::value(&a.max_line_text));
  else if (command == "params") opts.add_options()("format", po::value(&a.format));
  else if (command == "compare")
    opts.add_options()("jobs", po::value(&a.jobs_text))("trace", po::value(&a.trace_file))("svg", po::value(&a.svg));
  else if (command == "study")
    opts.add_options()("jobs", po::value(&a.jobs_text))("large", po::bool_switch(&a.large))(
        "models", po::value(&a.models)->composing())("tp", po::value(&a.tps)->composing())(
        "sublayers", po::value(&a.sublayers)->composing())("csv", po::value(&a.csv_file))("svg", po::value(&a.svg))(
        "list", po::bool_switch(&a.list));
  else if (command == "sweep") {
    a.mode.clear();
    opts.add_options()("grid", po::value(&a.grid_file))("jobs", po::value(&a.jobs_text))("shard", po::value(&a.shard))(
        "out", po::value(&a.out_file))("mode", po::value(&a.mode));
  } else if (command == "merge") {
    opts.add_options()("csv", po::value(&a.csv_file))("files", po::value(&a.files)->composing());
  } else if (command != "registers") {
    return false;
  }
  return true;
}

// Does another command take --name?
bool option_of_another_command(const std::string& name) {
  for (const char* command : {"memtest", "run", "serve", "params", "compare", "study", "sweep", "merge"}) {
    cli_args scratch;
    po::options_description opts;
    add_command_options(command, scratch, opts);
    if (opts.find_nothrow(name, false) && name != "files") return true;
  }
  return false;
}

cli_args parse_args(int argc, char** argv) {
  if (argc < 2) throw usage_error("no command given");
  cli_args a;
  a.command = argv[1];
  if (a.command == "-h" || a.command == "--help" || a.command == "help") {
    a.command = "help";
    return a;
  }
  po::options_description opts;
  opts.add_options()("config", po::value(&a.config_file))("set", po::value(&a.sets)->composing())(
      "json", po::value(&a.json_file))("log-level", po::value(&a.log_level))("help,h", "")(
      "stats", po::bool_switch(&a.stats))("quiet", po::bool_switch(&a.quiet));
  po::positional_options_description positional;
  if (!add_command_options(a.command, a, opts)) throw usage_error("unknown command '" + a.command + "'");
  if (a.command == "merge") positional.add("files", -1);
  // A bare word where an option belongs is most often KEY=VALUE without --set.
  if (a.command != "merge") {
    for (int i = 2; i < argc; ++i) {
      const std::string w = argv[i];
      if (w.size() > 2 && w.rfind("--", 0) == 0) {
        const std::string name = w.substr(2, w.find('=') == std::string::npos ? std::string::npos : w.find('=') - 2);
        const auto* d = opts.find_nothrow(name, false);
        if (!d) break;  // (an unknown option: reported below, with its own hint)
        if (w.find('=') == std::string::npos && d->semantic()->max_tokens() > 0) ++i;  // its value follows
        continue;
      }
      if (w.size() > 1 && w[0] == '-') continue;  // (reported below)
      throw usage_error("unexpected argument '" + w + "'" +
                        (w.find('=') != std::string::npos ? " (parameters are set with --set: --set " + w + ")" : ""));
    }
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc - 1, argv + 1).options(opts).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    // An option of another command, or a parameter given as an option (--gpus 4).
    std::string name = e.get_option_name();
    name.erase(0, name.find_first_not_of('-'));
    if (name.find('=') != std::string::npos) name.erase(name.find('='));  // (--mode=t3)
    if (option_of_another_command(name))
      throw usage_error("--" + name + " does not apply to " + a.command +
                        (name == "mode" && (a.command == "compare" || a.command == "study") ? " (it runs every mode)"
                         : name == "tp" ? " (the TP degree of a single configuration is --set system.gpus=N)" : ""));
    std::string dashed = name;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    if (dashed != name && opts.find_nothrow(dashed, false))
      throw usage_error(std::string(e.what()) + " (did you mean --" + dashed + "?)");
    std::string key = name;
    std::replace(key.begin(), key.end(), '-', '_');
    std::string near;  // a parameter of that name; of the command's own group if there is one (memtest.seed)
    for (const auto& d : config::schema())
      if ((d.key == key || (d.key.size() > key.size() &&
                            d.key.compare(d.key.size() - key.size() - 1, std::string::npos, "." + key) == 0)) &&
          (near.empty() || d.key.rfind(a.command + ".", 0) == 0))
        near = d.key;
    throw usage_error(std::string(e.what()) +
                      (near.empty() ? "" : " (parameters are set with --set: --set " + near + "=VALUE)"));
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  if (vm.count("help")) {
    a.command = "help";
    return a;
  }
  // Names of modes, patterns, models and sublayers are lower case; what the user typed need not be.
  for (auto* name : {&a.mode, &a.pattern, &a.log_level, &a.format}) *name = lower_case(*name);
  for (auto* list : {&a.models, &a.sublayers})
    for (auto& item : *list) item = lower_case(item);
  // An option given with an empty value is a mistake (an unset shell variable), not "not given".
  for (const auto& [name, v] : vm) {
    const auto* text = boost::any_cast<std::string>(&v.value());
    const auto* list = boost::any_cast<std::vector<std::string>>(&v.value());
    if ((text && text->empty()) || (list && std::any_of(list->begin(), list->end(), [](const auto& x) { return x.empty(); })))
      throw usage_error("--" + name + ": empty value");
  }
  // Common options that mean nothing to some commands: refused rather than silently ignored.
  const std::vector<std::tuple<const char*, const char*, const char*>> not_for = {
      {"json", "params", " (use --format json)"},
      {"json", "registers", " (it prints its JSON on standard output)"},
      {"json", "sweep", " (its JSON lines go to --out FILE or standard output)"},
      {"config", "merge", " (merge reads results, not a configuration)"},
      {"set", "merge", " (merge reads results, not a configuration)"},
      {"log-level", "merge", " (merge simulates nothing)"}};
  for (const auto& [name, command, why] : not_for)
    if (a.command == command && vm.count(name) && !vm[name].defaulted())
      throw usage_error("--" + std::string(name) + " does not apply to " + a.command + why);
  if (a.stats && a.command != "run" && a.command != "memtest" && a.command != "serve")
    throw usage_error("--stats does not apply to " + a.command + " (it applies to run and memtest)");
  if (!a.jobs_text.empty()) a.jobs = unsigned(parse_uint(a.jobs_text, "--jobs", 1, 64));
  if (!a.port_text.empty()) a.serve.port = unsigned(parse_uint(a.port_text, "--port", 0, 65535));
  if (!a.max_line_text.empty()) a.serve.max_line_bytes = parse_uint(a.max_line_text, "--max-line-bytes", serve_min_line_bytes, serve_max_line_bytes);
  return a;
}

config load_config(const cli_args& a) {
  config cfg;
  if (!a.config_file.empty()) cfg.load_file(a.config_file);
  for (const auto& s : a.sets) cfg.set_assignment(s);
  // Cross-parameter checks before anything is built; a sweep checks each point instead (its axes may
  // complete the base, e.g. workload.m of a custom GEMM).
  if (a.command != "sweep") make_platform_config(cfg);
  return cfg;
}

// Output paths are checked before anything runs, so that a long simulation does not end in "cannot
// write": a file that exists must be writable (and not a directory), a new one needs a writable
// directory; `prefix` paths only name the directory and stem of the files written (compare --trace).
enum class output_kind { file, directory, prefix };
void check_output_path(const std::string& option, const std::string& path, output_kind kind) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  std::error_code ec;
  const fs::path p(path);
  const bool exists = fs::exists(p, ec), is_dir = fs::is_directory(p, ec);
  if (kind == output_kind::directory && exists && !is_dir)
    throw config_error(option + ": '" + path + "' exists and is not a directory");
  if (kind == output_kind::file && is_dir) throw config_error(option + ": '" + path + "' is a directory");
  if (kind != output_kind::prefix && exists) {
    if (access(path.c_str(), W_OK) != 0) throw config_error(option + ": cannot write '" + path + "'");
    return;
  }
  const fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) throw config_error(option + ": directory '" + parent.string() + "' does not exist");
  if (access(parent.c_str(), W_OK) != 0) throw config_error(option + ": cannot write in directory '" + parent.string() + "'");
}

void check_output_paths(const cli_args& a) {
  check_output_path("--json", a.json_file, output_kind::file);
  check_output_path("--csv", a.csv_file, output_kind::file);
  check_output_path("--trace", a.trace_file, a.command == "compare" ? output_kind::prefix : output_kind::file);
  check_output_path("--out", a.out_file, output_kind::file);
  check_output_path("--svg", a.svg, a.command == "study" ? output_kind::directory : output_kind::file);
}

// Writes text, ending it with a newline if it has none.
void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw usage_error("cannot write '" + path + "'");
  out << text;
  if (text.empty() || text.back() != '\n') out << "\n";
  if (!out) throw usage_error("cannot write '" + path + "'");
}

// Exit code 1 when the run(s) finished but a functional check failed.
int functional_exit(bool ok, const char* command) {
  if (ok) return 0;
  std::fprintf(stderr, "t3vp: %s: a functional check failed\n", command);
  return 1;
}

int cmd_params(const cli_args& a, const config& cfg) {
  if (a.format == "json") {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& d : config::schema())
      list.push_back({{"name", d.key}, {"value", cfg.value_text(d.key)}, {"default", d.default_value}, {"unit", d.unit},
                      {"type", to_string(d.type)}, {"range", d.range_text()}, {"description", d.description}});
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  if (a.format != "table") throw usage_error("--format: expected table or json, got '" + a.format + "'");
  std::printf("%-36s %-12s %-12s %-10s %-28s %s\n", "name", "value", "default", "unit", "range", "description");
  for (const auto& d : config::schema()) {
    std::string v = cfg.value_text(d.key);
    if (!cfg.is_default(d.key)) v += "*";
    std::printf("%-36s %-12s %-12s %-10s %-28s %s\n", d.key.c_str(), v.c_str(), d.default_value.c_str(), d.unit.c_str(),
                d.range_text().c_str(), d.description.c_str());
  }
  std::printf("(* differs from the default)\n");
  return 0;
}

int cmd_memtest(const cli_args& a, const config& cfg) {
  const memtest_pattern p = parse_memtest_pattern(a.pattern);
  memtest_result r = run_memtest(cfg, p);
  std::fputs(r.table.c_str(), stdout);
  if (a.stats) std::fputs(r.stats_table.c_str(), stdout);
  if (!a.json_file.empty()) write_file(a.json_file, r.json);
  if (r.errors) {
    std::fprintf(stderr, "t3vp: memtest: %llu accesses failed\n", static_cast<unsigned long long>(r.errors));
    return 1;
  }
  return 0;
}

int cmd_run(const cli_args& a, const config& cfg) {
  run_result r = run_sublayer(cfg, a.mode, a.trace_file);
  std::fputs(r.table.c_str(), stdout);
  if (a.stats) std::fputs(r.stats_table.c_str(), stdout);
  if (!a.json_file.empty()) write_file(a.json_file, r.json);
  return functional_exit(r.functional_ok, "run");
}

// The blocks are built standalone (never simulated) just to read their register tables.
int cmd_registers(const config& cfg) {
  const platform_config pc = make_platform_config(cfg);
  sm_array sms("sms", pc.sms);
  collective_engine ccl("ccl", pc.collective, 0);
  command_processor cp("cp", sms, &ccl, kernel_dispatch_order, pc.hbm.geometry.capacity_bytes(), 0);
  dma_engine dma("dma", pc.dma, 0);
  tracker trk("tracker", pc.tracker, dma);
  nlohmann::ordered_json doc;
  doc["command_processor"] = {{"base", "gpu_base(g) + 0xFF00000000"}, {"registers", nlohmann::json::parse(cp.registers().describe_json())}};
  doc["tracker"] = {{"base", "gpu_base(g) + 0xFF00001000"}, {"registers", nlohmann::json::parse(trk.registers().describe_json())}};
  doc["dma_engine"] = {{"base", "gpu_base(g) + 0xFF00002000"}, {"registers", nlohmann::json::parse(dma.registers().describe_json())}};
  std::cout << doc.dump(2) << "\n";
  return 0;
}

int cmd_compare(const cli_args& a, const config& cfg) {
  compare_options o;
  o.jobs = a.jobs;
  o.trace_path = a.trace_file;
  o.quiet = a.quiet;
  compare_result r = run_compare(cfg, self_exe(), o);
  std::fputs(r.table.c_str(), stdout);
  if (!o.trace_path.empty()) {  // one file per simulated mode: say which
    std::string files;
    for (const auto& run : r.doc["runs"])
      if (!run.contains("derived_from"))  // (a mode taken from another run simulated nothing)
        files += (files.empty() ? "" : ", ") + mode_trace_path(o.trace_path, run["mode"].get<std::string>());
    std::printf("timelines (Chrome trace-event JSON, open in ui.perfetto.dev): %s\n", files.c_str());
  }
  if (!a.json_file.empty()) write_file(a.json_file, r.json);
  if (!a.svg.empty()) write_file(a.svg, compare_svg(r.doc));
  return functional_exit(r.functional_ok, "compare");
}

int cmd_study(const cli_args& a, const config& cfg) {
  study_options o;
  o.large = a.large;
  o.models = split_list(a.models, "--models");
  o.sublayers = split_list(a.sublayers, "--sublayers");
  check_distinct(o.models, "--models");
  check_distinct(o.sublayers, "--sublayers");
  std::vector<std::string> tps;  // as numbers: 8 and 08 are the same TP degree
  for (const auto& t : split_list(a.tps, "--tp")) {
    o.tps.push_back(unsigned(parse_uint(t, "--tp", 1, 4096)));
    tps.push_back(std::to_string(o.tps.back()));
  }
  check_distinct(tps, "--tp");
  o.jobs = a.jobs;
  o.quiet = a.quiet;
  if (a.list) {  // the points, without running them
    for (const auto& p : study_grid(o)) std::printf("%s %u %s\n", p.model.c_str(), p.tp, p.sublayer.c_str());
    return 0;
  }
  if (!a.svg.empty() && mkdir(a.svg.c_str(), 0755) != 0 && errno != EEXIST)
    throw usage_error("--svg: cannot create directory '" + a.svg + "'");
  // The study measures time and traffic, which do not depend on the data: unless asked otherwise it
  // moves none (same timing, a quarter less CPU) and, like the paper, simulates one GPU of the
  // symmetric ring (system.symmetric; within 1% of the full node, 8-16x faster; docs/study.md).
  config study_cfg = cfg;
  const auto asked = [&](const std::string& key) {
    return !cfg.is_default(key) || std::any_of(a.sets.begin(), a.sets.end(), [&](const std::string& s) {
             return s.rfind(key + "=", 0) == 0;
           });
  };
  if (!asked("data.mode")) study_cfg.set("data.mode", "off");
  for (const char* key : {"workload.m", "workload.n", "workload.k"})
    if (study_cfg.get_int(key) != 0)
      throw config_error(std::string("parameter '") + key +
                         "' does not apply to study: it runs the paper's models, whose shapes follow from their "
                         "hidden size, the sublayer, workload.tokens and the TP degree");
  const auto grid = study_grid(o);
  const bool chunks_even = std::all_of(grid.begin(), grid.end(), [&](const auto& p) {
    return symmetric_chunks(std::uint64_t(study_cfg.get_int("workload.tokens")), p.tp,
                            unsigned(study_cfg.get_int("gemm.tile_m")));
  });
  if (!asked("system.symmetric") && study_cfg.get_string("data.mode") == "off" && chunks_even)
    study_cfg.set("system.symmetric", "true");
  study_result r = run_study(study_cfg, self_exe(), o);
  std::fputs(r.table.c_str(), stdout);
  if (!a.json_file.empty()) write_file(a.json_file, r.doc.dump(2));
  if (!a.csv_file.empty()) write_file(a.csv_file, r.csv);
  if (!a.svg.empty())
    for (const auto& [name, text] : r.charts) write_file(a.svg + "/" + name, text);
  return functional_exit(r.functional_ok, "study");
}

int cmd_sweep(const cli_args& a, const config& cfg) {
  if (a.grid_file.empty()) throw usage_error("sweep: --grid FILE is required");
  const sweep_grid grid = load_sweep_grid(a.grid_file);
  sweep_options o;
  o.jobs = a.jobs;
  o.mode = a.mode;
  o.quiet = a.quiet;
  if (!a.shard.empty()) o.shard = parse_shard(a.shard);
  if (o.shard.index >= grid.size())
    std::fprintf(stderr, "t3vp: sweep: warning: shard %zu/%zu holds none of the grid's %zu points\n", o.shard.index,
                 o.shard.count, grid.size());
  if (a.out_file.empty()) return run_sweep(cfg, self_exe(), grid, o, std::cout);
  check_sweep_points(cfg, grid, o);  // before --out replaces an earlier sweep's results
  std::ofstream out(a.out_file, std::ios::binary);
  if (!out) throw usage_error("cannot write '" + a.out_file + "'");
  const int code = run_sweep(cfg, self_exe(), grid, o, out);
  if (!out.flush()) throw config_error("cannot write '" + a.out_file + "' (the results are lost)");
  return code;
}

int cmd_merge(const cli_args& a) {
  if (a.files.empty()) throw usage_error("merge: give the JSON-lines files of a sweep");
  merge_result r = merge_sweep(a.files);
  std::fputs(r.table.c_str(), stdout);
  if (!r.missing.empty())
    std::fprintf(stderr, "t3vp: merge: warning: %zu of %llu points missing (first: index %zu)\n", r.missing.size(),
                 (unsigned long long)r.doc["points"].get<std::uint64_t>(), r.missing.front());
  if (!a.json_file.empty()) write_file(a.json_file, r.doc.dump(2));
  if (!a.csv_file.empty()) write_file(a.csv_file, r.csv);
  return 0;
}

// A configuration within every range can still need more memory than the host has.
int out_of_memory() {
  std::fprintf(stderr,
               "t3vp: error: out of host memory (std::bad_alloc): this configuration needs more memory than the host "
               "gives; memory grows with system.gpus, the workload's size and the data it stores (data.mode=off "
               "stores none)\n");
  return 3;
}

// Ends the process by `sig` with its default action, as a shell expects of an interrupted command.
int end_by_signal(int sig) {
  std::fflush(nullptr);
  std::signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  std::raise(sig);
  return 128 + sig;
}

int run_command(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "ctl") return run_ctl(argc - 1, argv + 1);  // a client: no configuration
  try {
    cli_args a = parse_args(argc, argv);
    if (a.command == "help") {
      std::fputs(usage_text, stdout);
      return 0;
    }
    set_progress_quiet(a.quiet);
    check_output_paths(a);
    if (a.command == "merge") return cmd_merge(a);
    config cfg = load_config(a);
    set_log_level(parse_log_level(a.log_level.empty() ? cfg.get_string("sim.log_level") : a.log_level));
    if (a.command == "params") return cmd_params(a, cfg);
    if (a.command == "memtest") return cmd_memtest(a, cfg);
    if (a.command == "run") return cmd_run(a, cfg);
    if (a.command == "compare") return cmd_compare(a, cfg);
    if (a.command == "study") return cmd_study(a, cfg);
    if (a.command == "sweep") return cmd_sweep(a, cfg);
    if (a.command == "registers") return cmd_registers(cfg);
    if (a.command == "serve") {
      if (!a.json_file.empty() || a.stats)
        throw usage_error("serve: --json and --stats do not apply (the status and stats commands report live)");
      a.serve.mode = a.mode;
      return run_serve(cfg, a.serve);
    }
    throw usage_error("unknown command '" + a.command + "'");
  } catch (const usage_error& e) {
    // The whole usage only when there is nothing else to go on; otherwise it would push the error
    // off the screen.
    if (argc < 2) std::fprintf(stderr, "t3vp: error: %s\n\n%s", e.what(), usage_text);
    else std::fprintf(stderr, "t3vp: error: %s\n(t3vp help lists the commands and their options)\n", e.what());
    return 2;
  } catch (const config_error& e) {
    std::fprintf(stderr, "t3vp: error: %s\n", e.what());
    return 2;
  } catch (const interrupted& e) {
    // The scratch directory went with the stack.
    std::fprintf(stderr, "t3vp: %s\n", e.what());
    return end_by_signal(e.signal);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "t3vp: error: %s\n", e.what());
    return 2;
  } catch (const sc_core::sc_report& e) {
    // (SystemC wraps an exception thrown inside a process, e.g. bad_alloc, into a report.)
    if (std::strstr(e.what(), "std::bad_alloc")) return out_of_memory();
    std::fprintf(stderr, "t3vp: simulation error: %s\n", e.what());
    return 3;
  } catch (const std::bad_alloc&) {
    return out_of_memory();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "t3vp: internal error: %s\n", e.what());
    return 3;
  }
}
}  // namespace

int run_cli(int argc, char** argv) {
  const int code = run_command(argc, argv);
  // A termination signal held back while scratch files existed acts now that they are gone.
  if (const int sig = deferred_termination_signal()) {
    std::fprintf(stderr, "t3vp: interrupted by signal %d (%s)\n", sig, strsignal(sig));
    return end_by_signal(sig);
  }
  // What went to standard output must have arrived (a full disk, a closed pipe): not exit 0 silently.
  std::cout.flush();
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout) {
    std::fprintf(stderr, "t3vp: error: cannot write standard output\n");
    return code == 0 || code == 1 ? 2 : code;
  }
  return code;
}

}  // namespace t3vp
