// Documentation completeness, so that the docs cannot silently rot: every configuration parameter is
// listed in docs/configuration.md with its current type, default, unit and range, and every statistic a
// block reports is defined in its block's section of docs/statistics.md. The blocks are constructed
// directly (no kernel run: sc_start is never called).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/collective/collective_engine.h"
#include "models/nic/nic.h"
#include "models/dma/dma_engine.h"
#include "models/tracker/tracker.h"
#include "models/command_processor/command_processor.h"
#include "models/hbm/hbm.h"
#include "models/l2/l2_cache.h"
#include "models/memory_controller/memory_controller.h"
#include "models/sm/sm_array.h"
#include "models/traffic_generator/traffic_generator.h"
#include "platform/config.h"
#include "tlm/stats.h"

using namespace t3vp;

namespace {

// The source tree's root, with a trailing '/'.
std::string source_dir() {
#ifdef T3VP_SOURCE_DIR
  std::string dir = T3VP_SOURCE_DIR;
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return dir;
#else
  const std::string file = __FILE__;
  const std::string suffix = "testbench/unit/test_docs.cpp";
  REQUIRE(file.size() >= suffix.size());
  REQUIRE(file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0);
  return file.substr(0, file.size() - suffix.size());
#endif
}

std::string read_doc(const std::string& relative) {
  const std::string path = source_dir() + relative;
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Markdown table cells escape '|' as "\|".
std::string escape_pipes(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// Every table row that starts with "| `key` |".
std::vector<std::string> rows_of(const std::string& doc, const std::string& key) {
  const std::string start = "| `" + key + "` |";
  std::vector<std::string> rows;
  for (std::size_t pos = 0; (pos = doc.find(start, pos)) != std::string::npos; pos += start.size()) {
    if (pos != 0 && doc[pos - 1] != '\n') continue;
    const std::size_t end = doc.find('\n', pos);
    rows.push_back(doc.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
  }
  return rows;
}

// The section of a markdown document whose "## " heading names `cls` in backticks, up to the next
// "## " heading; "" if there is none.
std::string section_of(const std::string& doc, const std::string& cls) {
  const std::string tag = "`" + cls + "`";
  std::size_t pos = 0;
  while ((pos = doc.find("## ", pos)) != std::string::npos) {
    const bool at_line_start = pos == 0 || doc[pos - 1] == '\n';
    const std::size_t eol = doc.find('\n', pos);
    const std::string heading = doc.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    if (at_line_start && heading.find(tag) != std::string::npos) {
      const std::size_t next = doc.find("\n## ", pos + 3);
      return doc.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    }
    pos += 3;
  }
  return "";
}

// A target that answers every access with TLM_OK_RESPONSE.
struct ok_target : sc_core::sc_module {
  tlm_utils::simple_target_socket<ok_target> socket;
  explicit ok_target(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &ok_target::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) { gp.set_response_status(tlm::TLM_OK_RESPONSE); }
};

// An initiator that never sends anything (target sockets must be bound).
struct idle_initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<idle_initiator> socket;
  explicit idle_initiator(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {}
};

// One instance of every block that reports statistics, fully bound. Built once and never destroyed:
// modules with processes must outlive the kernel's process table, and another test case in the same
// process may still elaborate and run the kernel (these blocks then stay idle).
struct docs_blocks : sc_core::sc_module {
  static hbm_config one_stack() {
    hbm_config c;
    c.geometry.stacks = 1;  // 16 pseudo-channels are plenty
    return c;
  }
  hbm_device hbm{"hbm", one_stack(), /*with_data=*/true};
  memory_controller mc{"mc", 0, mc_config{}, hbm.pc(0), hbm.storage()};
  l2_cache l2{"l2", l2_config{}};
  traffic_generator traffic{"traffic", {}, 1, sc_core::sc_time(1, sc_core::SC_NS), false};
  sm_array sms{"sms", sm_config{1, 1.4, 1024}};
  command_processor cp{"cp", sms, nullptr,
                       [](const gemm_kernel&, dispatch_kind, unsigned, unsigned) { return std::vector<std::uint32_t>{}; },
                       hbm.config().geometry.capacity_bytes(), 0};
  collective_engine ccl{"ccl", collective_config{1, 256, 1, 1.0}, 0};
  dma_engine dma{"dma", dma_config{1, 1}, 0};
  tracker trk{"trk", tracker_config{}, dma};
  nic net{"net", 0, 2, link_config{}, {1}};
  ok_target l2_memory{"l2_memory"}, traffic_target{"traffic_target"}, sm_target{"sm_target"};
  ok_target ccl_memory{"ccl_memory"}, ccl_net{"ccl_net"}, nic_memory{"nic_memory"}, sm_net{"sm_net"};
  ok_target dma_memory{"dma_memory"}, dma_net{"dma_net"};
  idle_initiator mc_host{"mc_host"}, cp_host{"cp_host"}, l2_host{"l2_host"}, nic_host{"nic_host"};
  idle_initiator dma_host{"dma_host"}, trk_host{"trk_host"};
  sc_core::sc_signal<bool> trk_irq{"trk_irq"};
  sc_core::sc_signal<bool> irq{"irq"};

  explicit docs_blocks(const sc_core::sc_module_name& n) : sc_module(n) {
    l2.memory_socket.bind(l2_memory.socket);
    traffic.socket.bind(traffic_target.socket);
    for (auto& s : sms.sms) {
      s->socket.bind(sm_target.socket);
      s->net_socket.bind(sm_net.socket);
    }
    cp.irq.bind(irq);
    mc_host.socket.bind(mc.target_socket);
    cp_host.socket.bind(cp.socket);
    l2_host.socket.bind(l2.target_socket);
    ccl.mem_socket.bind(ccl_memory.socket);
    ccl.net_socket.bind(ccl_net.socket);
    net.mem_socket.bind(nic_memory.socket);
    nic_host.socket.bind(net.out_socket);
    dma.mem_socket.bind(dma_memory.socket);
    dma.net_socket.bind(dma_net.socket);
    dma_host.socket.bind(dma.socket);
    trk_host.socket.bind(trk.socket);
    trk.irq.bind(trk_irq);
  }
  static docs_blocks& instance() {
    static docs_blocks* blocks = new docs_blocks("docs_blocks");  // intentionally never deleted
    return *blocks;
  }
};

struct reported_block {
  const char* cls;  // the class name used in the section heading of docs/statistics.md
  const has_stats* block;
};

}  // namespace

TEST_CASE("docs - every parameter is listed in docs/configuration.md with its type default unit and range", "[docs]") {
  const std::string doc = read_doc("docs/configuration.md");
  REQUIRE(!config::schema().empty());
  for (const param_def& d : config::schema()) {
    // The parameter table row: "| `key` | type | default | unit | range | meaning |".
    const std::string type = "| " + std::string(to_string(d.type)) + " |";
    const std::string def = "| " + d.default_value + " |";
    const std::string unit = "| " + d.unit + " |";
    const std::string range = "| " + escape_pipes(d.range_text()) + " |";
    bool found = false;
    for (const std::string& row : rows_of(doc, d.key)) {
      found = found || (row.find(type) != std::string::npos && row.find(def) != std::string::npos &&
                        (d.unit.empty() || row.find(unit) != std::string::npos) && row.find(range) != std::string::npos);
    }
    INFO("docs/configuration.md needs the row | `" << d.key << "` " << type << " " << d.default_value << " " << unit << " "
                                                    << escape_pipes(d.range_text()) << " | <meaning> |");
    CHECK(found);
  }
}

TEST_CASE("docs - every statistic a block reports is defined in docs/statistics.md", "[docs]") {
  const std::string doc = read_doc("docs/statistics.md");
  // Modules can only be built before the kernel's elaboration ends (once per process). CTest runs every
  // test case in its own process; in a run of several test cases, another one may have started the
  // kernel already.
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION) {
    WARN("the SystemC kernel already ran in this process: run this test case on its own to check statistics");
    return;
  }

  docs_blocks& d = docs_blocks::instance();
  const std::vector<reported_block> blocks = {
      {"hbm_device", &d.hbm},
      {"pseudo_channel", &d.hbm.pc(0)},
      {"memory_controller", &d.mc},
      {"l2_cache", &d.l2},
      {"traffic_generator", &d.traffic},
      {"sm", d.sms.sms.at(0).get()},
      {"sm_array", &d.sms},
      {"command_processor", &d.cp},
      {"collective_engine", &d.ccl},
      {"nic", &d.net},
      {"link_direction", d.net.links().at(0).get()},
      {"tracker", &d.trk},
      {"dma_engine", &d.dma},
  };
  for (const auto& b : blocks) {
    INFO("block " << b.cls);
    const std::string section = section_of(doc, b.cls);
    REQUIRE(!section.empty());
    stat_sink sink;
    b.block->report_stats(sink);
    REQUIRE(!sink.values.empty());
    for (const stat_value& v : sink.values) {
      INFO("statistic " << v.name);
      CHECK(section.find("`" + v.name + "`") != std::string::npos);
      CHECK(v.unit != nullptr);
      CHECK(std::string(v.unit ? v.unit : "").size() > 0);
      CHECK(std::string(v.description ? v.description : "").size() > 0);
    }
  }
}
