// slot_calendar (the DRAM and L2 reservation calendars) against a naive model with the same semantics:
// a set of busy cycles, a horizon of 2^h cycles that slides (in whole 64-cycle words) to fit the newest
// reservation, cycles before it busy when `past` and free otherwise, nothing reserved beyond it. Covers
// the summary bitmap (full words skipped by next_free), sliding the horizon, the
// one-word fast paths and calendars smaller than 64 words.
#include <catch2/catch.hpp>
#include <algorithm>
#include <random>
#include <set>
#include "models/hbm/slot_calendar.h"

namespace {
struct naive_calendar {
  std::uint64_t span, base = 0;
  std::set<std::uint64_t> busy;
  explicit naive_calendar(unsigned h) : span(1ull << h) {}
  void mark(std::uint64_t c, unsigned len) {
    if (c + len > base + span) {
      base = (c + len - span + 63) & ~63ull;
      busy.erase(busy.begin(), busy.lower_bound(base));
    }
    for (std::uint64_t x = std::max(c, base); x < c + len; ++x) busy.insert(x);
  }
  bool at(std::uint64_t x, bool past) const {
    if (x < base) return past;
    if (x >= base + span) return false;
    return busy.count(x) != 0;
  }
  std::uint64_t bits(std::uint64_t c, unsigned len, bool past) const {
    std::uint64_t m = 0;
    for (unsigned i = 0; i < len; ++i)
      if (at(c + i, past)) m |= 1ull << i;
    return m;
  }
  std::uint64_t next_free(std::uint64_t c) const {
    c = std::max(c, base);
    while (c < base + span && busy.count(c)) ++c;
    return c;
  }
};

template <unsigned h>
void agree_with_naive() {
  t3vp::basic_slot_calendar<h> cal;
  naive_calendar ref(h);
  std::mt19937_64 rng(1234 + h);
  std::uint64_t frontier = 0;
  const std::uint64_t span = 1ull << h;
  for (int step = 0; step < 40000; ++step) {
    const unsigned kind = unsigned(rng() % 100);
    std::uint64_t c;
    if (kind < 60) {  // near the frontier, often filling whole words
      c = frontier + rng() % 8;
    } else if (kind < 85) {  // gap filling behind the frontier (also before the horizon)
      c = frontier > span ? frontier - rng() % (span + span / 4) : rng() % (frontier + 1);
    } else if (kind < 95) {  // a jump ahead by up to twice the horizon
      c = frontier + rng() % (2 * span);
    } else {  // one word just past the horizon
      c = ref.base + span + rng() % 64;
    }
    const unsigned len = kind % 7 == 0 ? unsigned(1 + rng() % 100) : unsigned(1 + rng() % 8);
    cal.mark(c, len);
    ref.mark(c, len);
    frontier = std::max(frontier, c + len);
    REQUIRE(cal.base() == ref.base);
    for (int q = 0; q < 4; ++q) {
      const std::uint64_t lo = ref.base > span ? ref.base - span / 2 : 0;
      const std::uint64_t x = lo + rng() % (2 * span + 128);
      const unsigned n = unsigned(1 + rng() % 64);
      const bool past = (rng() & 1) != 0;
      INFO("h " << h << " step " << step << " query " << x << " len " << n << " past " << past);
      REQUIRE(cal.bits(x, n, past) == ref.bits(x, n, past));
      REQUIRE(cal.next_free(x) == ref.next_free(x));
    }
  }
}
}  // namespace

TEST_CASE("slot_calendar agrees with a naive calendar (bits, next_free, sliding horizon)", "[hbm][calendar]") {
  agree_with_naive<8>();
  agree_with_naive<10>();
  agree_with_naive<12>();
  agree_with_naive<14>();
}
