#pragma once
// One statistic of a block by name, for unit tests; a missing name fails the test.
#include <string>
#include <catch2/catch.hpp>
#include "tlm/stats.h"

namespace t3vp::test {

inline double stat(const has_stats& block, const std::string& name) {
  stat_sink s;
  block.report_stats(s);
  for (const auto& v : s.values)
    if (v.name == name) return v.value;
  FAIL("no statistic " << name);
  return 0;
}

}  // namespace t3vp::test
