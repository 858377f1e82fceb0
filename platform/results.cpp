#include "platform/results.h"

#include <sys/resource.h>

namespace t3vp {

nlohmann::ordered_json stats_to_json(const std::vector<stat_record>& records) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& r : records) {
    nlohmann::ordered_json* node = &doc;
    std::size_t start = 0;
    for (std::size_t dot; (dot = r.path.find('.', start)) != std::string::npos; start = dot + 1)
      node = &(*node)[r.path.substr(start, dot - start)];
    (*node)[r.path.substr(start)] = r.stat.value;
  }
  return doc;
}

std::uint64_t peak_rss_bytes() {
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return std::uint64_t(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace t3vp
