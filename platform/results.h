#pragma once
// Shared helpers for result documents: statistics as nested JSON, wall-clock, peak memory.
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "tlm/stats.h"

namespace t3vp {

// {"system": {"gpu0": {"mc0": {"reads": 12, ...}}}} from hierarchical statistic paths.
nlohmann::ordered_json stats_to_json(const std::vector<stat_record>& records);
// Peak resident set size of this process, bytes (0 where unknown).
std::uint64_t peak_rss_bytes();

}  // namespace t3vp
