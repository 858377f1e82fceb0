#include "tlm/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace t3vp {
namespace {
void walk(sc_core::sc_object* obj, std::vector<stat_record>& out) {
  if (auto* hs = dynamic_cast<has_stats*>(obj)) {
    stat_sink sink;
    hs->report_stats(sink);
    for (auto& v : sink.values) out.push_back({std::string(obj->name()) + "." + v.name, v});
  }
  for (auto* child : obj->get_child_objects()) walk(child, out);
}
}  // namespace

std::vector<stat_record> collect_stats(const std::vector<sc_core::sc_object*>& roots) {
  std::vector<stat_record> out;
  const auto& tops = roots.empty() ? sc_core::sc_get_top_level_objects() : roots;
  for (auto* obj : tops) walk(obj, out);
  return out;
}

std::string format_stats_table(const std::vector<stat_record>& records) {
  std::size_t w = 4;
  for (const auto& r : records) w = std::max(w, r.path.size());
  std::ostringstream os;
  char buf[64];
  for (const auto& r : records) {
    // Counts in full (2587650, not 2.58765e+06); other values to 6 significant digits.
    const double v = r.stat.value;
    if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%16.0f", v);
    else std::snprintf(buf, sizeof buf, "%16.6g", v);
    os << r.path << std::string(w - r.path.size() + 2, ' ') << buf << "  " << r.stat.unit << "\n";
  }
  return os.str();
}

}  // namespace t3vp
