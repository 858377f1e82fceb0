// Documentation completeness, so that the docs cannot silently rot: every configuration parameter is
// listed in docs/configuration.md with its current type, default, unit and range, and every statistic a
// block reports is defined in its block's section of docs/statistics.md. The blocks are constructed
// directly (no kernel run: sc_start is never called).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/hbm/hbm.h"
#include "models/l2/l2_cache.h"
#include "models/memory_controller/memory_controller.h"
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

struct reported_block {
  const char* cls;  // the class name used in the section heading of docs/statistics.md
  const has_stats* block;
};

}  // namespace

TEST_CASE("docs - every parameter is listed in docs/configuration.md with its default, unit and range", "[docs]") {
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

  hbm_config cfg;
  cfg.geometry.stacks = 1;  // 16 pseudo-channels are plenty
  hbm_device hbm("docs_hbm", cfg, /*with_data=*/true);
  memory_controller mc("docs_mc", 0, mc_config{}, hbm.pc(0), hbm.storage());
  l2_cache l2("docs_l2", l2_config{});
  traffic_generator traffic("docs_traffic", {}, 1, sc_core::sc_time(1, sc_core::SC_NS), false);

  const std::vector<reported_block> blocks = {
      {"hbm_device", &hbm},
      {"pseudo_channel", &hbm.pc(0)},
      {"memory_controller", &mc},
      {"l2_cache", &l2},
      {"traffic_generator", &traffic},
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
