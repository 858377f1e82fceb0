#pragma once
// Statistics: every block that keeps statistics implements has_stats and reports named values with
// a unit and a one-line description. One walker visits the sc_object hierarchy and writes them as
// nested JSON (keyed by hierarchical name) or as a readable table. Exact definitions: docs/statistics.md.
#include <cstdint>
#include <string>
#include <vector>
#include <systemc>

namespace t3vp {

struct stat_value {
  std::string name;  // leaf name, may contain '.' for sub-groups (e.g. "bytes.compute")
  double value;
  const char* unit;
  const char* description;
};

class stat_sink {
 public:
  void add(const std::string& name, double value, const char* unit, const char* description) {
    values.push_back({name, value, unit, description});
  }
  std::vector<stat_value> values;
};

class has_stats {
 public:
  virtual ~has_stats() = default;
  virtual void report_stats(stat_sink& sink) const = 0;
};

struct stat_record {
  std::string path;  // hierarchical object name + "." + stat name
  stat_value stat;
};

// Every statistic below the given roots (all top-level objects when empty), in hierarchy order.
std::vector<stat_record> collect_stats(const std::vector<sc_core::sc_object*>& roots = {});
// Aligned text table: path, value, unit.
std::string format_stats_table(const std::vector<stat_record>& records);


}  // namespace t3vp
