#include "platform/cli.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <systemc>
#include <unistd.h>
#include "platform/compare.h"
#include "platform/ctl.h"
#include "platform/gpu_node.h"
#include "platform/config.h"
#include "platform/memtest.h"
#include "platform/platform_config.h"
#include "platform/run.h"
#include "platform/serve.h"
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
    "run and serve options:\n"
    "  --mode M             sequential|t3|t3-mca|ideal-overlap|ideal-rs-nmc (default sequential)\n"
    "serve options (protocol: docs/serve.md):\n"
    "  --bind ADDR          listen on ADDR (default 127.0.0.1: loopback only)\n"
    "  --port N             TCP port (default 0: a free one); the first stdout line is `listening on ADDR:PORT`\n"
    "  --max-line-bytes N   longest request line (default 65536)\n"
    "compare options:\n"
    "  --jobs N             modes simulated at once (default 2)\n"
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
  bool stats = false;
  unsigned jobs = 2;
  serve_options serve;
};

class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
      "stats", po::bool_switch(&a.stats));
  if (a.command == "memtest") opts.add_options()("pattern", po::value(&a.pattern));
  else if (a.command == "run") opts.add_options()("mode", po::value(&a.mode));
  else if (a.command == "serve")
    opts.add_options()("mode", po::value(&a.mode))("bind", po::value(&a.serve.bind))("port", po::value(&a.serve.port))(
        "max-line-bytes", po::value(&a.serve.max_line_bytes));
  else if (a.command == "params") opts.add_options()("format", po::value(&a.format));
  else if (a.command == "compare") opts.add_options()("jobs", po::value(&a.jobs));
  else if (a.command == "registers") {}
  else throw usage_error("unknown command '" + a.command + "'");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc - 1, argv + 1).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  if (vm.count("help")) a.command = "help";
  return a;
}

config load_config(const cli_args& a) {
  config cfg;
  if (!a.config_file.empty()) cfg.load_file(a.config_file);
  for (const auto& s : a.sets) cfg.set_assignment(s);
  make_platform_config(cfg);  // cross-parameter checks before anything is built
  return cfg;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw usage_error("cannot write '" + path + "'");
  out << text << "\n";
  if (!out) throw usage_error("cannot write '" + path + "'");
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
  run_result r = run_sublayer(cfg, a.mode);
  std::fputs(r.table.c_str(), stdout);
  if (a.stats) std::fputs(r.stats_table.c_str(), stdout);
  if (!a.json_file.empty()) write_file(a.json_file, r.json);
  if (!r.functional_ok) {
    std::fprintf(stderr, "t3vp: run: the functional check failed\n");
    return 1;
  }
  return 0;
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
  if (a.jobs < 1 || a.jobs > 64) throw usage_error("--jobs: expected 1..64");
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) throw std::runtime_error("compare: cannot find the t3vp executable");
  exe[n] = 0;
  compare_result r = run_compare(cfg, exe, a.jobs);
  std::fputs(r.table.c_str(), stdout);
  if (!a.json_file.empty()) write_file(a.json_file, r.json);
  if (!r.functional_ok) {
    std::fprintf(stderr, "t3vp: compare: a functional check failed\n");
    return 1;
  }
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "ctl") return run_ctl(argc - 1, argv + 1);  // a client: no configuration
  try {
    cli_args a = parse_args(argc, argv);
    if (a.command == "help") {
      std::fputs(usage_text, stdout);
      return 0;
    }
    config cfg = load_config(a);
    set_log_level(parse_log_level(a.log_level.empty() ? cfg.get_string("sim.log_level") : a.log_level));
    if (a.command == "params") return cmd_params(a, cfg);
    if (a.command == "memtest") return cmd_memtest(a, cfg);
    if (a.command == "run") return cmd_run(a, cfg);
    if (a.command == "compare") return cmd_compare(a, cfg);
    if (a.command == "registers") return cmd_registers(cfg);
    if (a.command == "serve") {
      if (!a.json_file.empty() || a.stats)
        throw usage_error("serve: --json and --stats do not apply (the status and stats commands report live)");
      a.serve.mode = a.mode;
      return run_serve(cfg, a.serve);
    }
    throw usage_error("unknown command '" + a.command + "'");
  } catch (const usage_error& e) {
    std::fprintf(stderr, "t3vp: error: %s\n\n%s", e.what(), usage_text);
    return 2;
  } catch (const config_error& e) {
    std::fprintf(stderr, "t3vp: error: %s\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "t3vp: error: %s\n", e.what());
    return 2;
  } catch (const sc_core::sc_report& e) {
    std::fprintf(stderr, "t3vp: simulation error: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "t3vp: internal error: %s\n", e.what());
    return 3;
  }
}

}  // namespace t3vp
