#include "models/hbm/pseudo_channel.h"

#include <algorithm>

namespace t3vp {

pseudo_channel::pseudo_channel(const sc_core::sc_module_name& name, const hbm_geometry& g, const dram_timing& t)
    : sc_module(name),
      g_(g),
      t_(t),
      banks_(g.banks()),
      col_group_(g.bank_groups),
      act_group_(g.bank_groups),
      window_(16) {
  // Every column command puts a burst on the data bus. When a burst lasts at least tCCD_S and both
  // turnarounds are at least tCCD_S apart, any two columns that respect the bus and turnaround rules
  // are tCCD_S apart already, and the channel's column calendar adds nothing (access blocks, which
  // reserve column spans of their own, keep it).
  spacing_from_bus_ = !t.access_granularity && t.tccd_s <= t.burst_cycles &&
                      t.cl + t.burst_cycles + t.trtw >= t.cwl + t.tccd_s && t.cwl + t.burst_cycles + t.twtr_s >= t.tccd_s;
  const unsigned n = g.banks();
  if (t.refresh != refresh_mode::off) {
    refresh_period_ = t.trefi;
    refresh_duration_ = t.refresh == refresh_mode::per_bank ? t.trfc_pb : t.trfc;
    for (unsigned i = 0; i < n; ++i) {
      banks_[i].refresh_offset = t.refresh == refresh_mode::per_bank ? std::uint64_t(i) * t.trefi / n : 0;
      banks_[i].next_refresh = banks_[i].refresh_offset;
    }
  }
}

void pseudo_channel::set_reorder_window(unsigned w) { window_.assign(std::max(1u, w), window_entry{}); }

// A refresh due since the bank's last use closed its row and kept the bank busy for the refresh time.
// Applied lazily when the bank is next used; a refresh falling inside an access already placed is ignored
// (documented approximation).
void pseudo_channel::apply_refresh(bank_state& b, std::uint64_t t) {
  if (t < b.next_refresh) return;  // (~0 with refresh off)
  const std::int64_t epoch = std::int64_t((t - b.refresh_offset) / refresh_period_);
  if (epoch <= b.refresh_epoch) return;
  const std::uint64_t due = b.refresh_offset + std::uint64_t(epoch) * refresh_period_;
  std::uint64_t start = std::max(due, b.pre_ok);
  if (b.open_row >= 0) start += t_.trp;  // precharge first
  b.open_row = -1;
  b.act_ok = std::max(b.act_ok, start + refresh_duration_);
  refreshes_ += std::uint64_t(epoch - b.refresh_epoch);
  b.refresh_epoch = epoch;
  b.next_refresh = due + refresh_period_;
}


namespace {
// The last busy cycle of cal in [lo, lo+len) (any length), or -1. Cycles before the calendar's horizon
// count as busy when `past` (looking for a free slot) and as empty otherwise (counting neighbours).
inline __attribute__((always_inline)) std::int64_t last_busy(const slot_calendar& cal, std::uint64_t lo,
                                                               std::uint64_t len, bool past) {
  if (len <= 64) {  // the common case: one word window
    const std::uint64_t m = len ? cal.bits(lo, unsigned(len), past) : 0;
    return m ? std::int64_t(lo + 63 - unsigned(__builtin_clzll(m))) : -1;
  }
  std::int64_t found = -1;
  for (std::uint64_t off = 0; off < len; off += 64) {
    const unsigned n = unsigned(std::min<std::uint64_t>(64, len - off));
    const std::uint64_t m = cal.bits(lo + off, n, past);
    if (m) found = std::int64_t(lo + off + 63 - unsigned(__builtin_clzll(m)));
  }
  return found;
}

// Read/write turnaround: bursts of the other direction may not have data in [c + lo_off, c + hi_off).
// On a conflict, moves c so that the window starts just past the last conflicting cycle.
inline bool turnaround_conflict(const slot_calendar& other, std::int64_t lo_off, std::int64_t hi_off, std::uint64_t& c) {
  const std::int64_t lo = std::max<std::int64_t>(0, std::int64_t(c) + lo_off);
  const std::int64_t hi = std::int64_t(c) + hi_off;
  const std::int64_t q = hi > lo ? last_busy(other, std::uint64_t(lo), std::uint64_t(hi - lo), false) : -1;
  if (q < 0) return false;
  c = std::max<std::uint64_t>(c + 1, std::uint64_t(q - lo_off + 1));
  return true;
}

// Bit i of the result: any of bits i .. i+len-1 of m is set (len >= 1).
inline std::uint64_t spread(std::uint64_t m, unsigned len) {
  unsigned have = 1;
  while (2 * have <= len) {
    m |= m >> have;
    have *= 2;
  }
  if (have < len) m |= m >> (len - have);
  return m;
}

// Bits of cal over cycles [c - before, c - before + n) (n <= 64); cycles before 0 hold nothing.
inline std::uint64_t bits_from(const slot_calendar& cal, std::uint64_t c, unsigned before, unsigned n) {
  if (c >= before) return cal.bits(c - before, n, false);
  const unsigned skip = unsigned(before - c);
  return skip < n ? cal.bits(0, n - skip, false) << skip : 0;
}

// Given the ACTs f (bit p: an ACT at cycle base + p), bit j of the result is set when the window
// [base + j, base + j + faw) holds four of them: for four consecutive ACTs p0 < .. < p3, the windows
// starting in [p3 - faw + 1, p0].
inline std::uint64_t four_act_windows(std::uint64_t f, unsigned faw) {
  if (__builtin_popcountll(f) < 4) return 0;
  unsigned p[3];
  for (unsigned& x : p) {
    x = unsigned(__builtin_ctzll(f));
    f &= f - 1;
  }
  std::uint64_t bad = 0;
  for (; f; f &= f - 1) {
    const unsigned p3 = unsigned(__builtin_ctzll(f));
    const unsigned lo = p3 + 1 > faw ? p3 + 1 - faw : 0;
    if (lo <= p[0]) bad |= (p[0] >= 63 ? ~0ull : (2ull << p[0]) - 1) & ~((1ull << lo) - 1);
    p[0] = p[1], p[1] = p[2], p[2] = p3;
  }
  return bad;
}
}  // namespace

// The earliest ACT cycle >= t in bank group bg: tRRD_S / tRRD_L from every other ACT, and at most four
// ACTs in any tFAW window.
std::uint64_t pseudo_channel::place_act(unsigned bg, std::uint64_t t) {
  const std::uint64_t rs = t_.trrd_s, rl = t_.trrd_l, faw = t_.tfaw;
  constexpr unsigned W = 32;  // candidate cycles examined at once
  if (rs <= 17 && rl <= 17 && faw <= 17) {
    // The common case first: t itself is legal when no ACT lies within tRRD of it and no tFAW window
    // containing t (those starting at t - tFAW + 1 .. t) already holds four.
    if (bits_from(act_any_, t, unsigned(rs - 1), unsigned(2 * rs - 1)) == 0 &&
        bits_from(act_group_[bg], t, unsigned(rl - 1), unsigned(2 * rl - 1)) == 0 &&
        (four_act_windows(bits_from(act_any_, t, unsigned(faw - 1), unsigned(2 * faw - 1)), unsigned(faw)) &
         ((1ull << faw) - 1)) == 0) {
      act_any_.mark(t, 1);
      act_group_[bg].mark(t, 1);
      return t;
    }
    // All rules at once for the candidates t .. t+31 (bit i of `blocked`: t+i breaks one), as in
    // place_column; the same answer as the loop below, without walking conflict by conflict.
    for (;;) {
      std::uint64_t blocked = spread(bits_from(act_any_, t, unsigned(rs - 1), unsigned(W + 2 * rs - 2)), unsigned(2 * rs - 1));
      blocked |= spread(bits_from(act_group_[bg], t, unsigned(rl - 1), unsigned(W + 2 * rl - 2)), unsigned(2 * rl - 1));
      const std::uint64_t bad = four_act_windows(bits_from(act_any_, t, unsigned(faw - 1), unsigned(W + 2 * faw - 2)), unsigned(faw));
      if (bad) blocked |= spread(bad, unsigned(faw));
      const std::uint64_t free = ~blocked & 0xffffffffull;
      if (free) {
        t += unsigned(__builtin_ctzll(free));
        break;
      }
      t += W;
    }
    act_any_.mark(t, 1);
    act_group_[bg].mark(t, 1);
    return t;
  }
  const std::uint64_t faw_mask = faw >= 64 ? ~0ull : (1ull << faw) - 1;
  // Each rule moves t just past its latest conflict; repeat until all hold at once.
  for (;;) {
    const std::uint64_t t0 = t;
    for (const auto& [cal, gap] : {std::pair<const slot_calendar*, std::uint64_t>{&act_any_, rs}, {&act_group_[bg], rl}}) {
      const std::uint64_t lo = t >= gap - 1 ? t - (gap - 1) : 0;
      const std::uint64_t m = cal->bits(lo, unsigned(t - lo + gap), false);
      if (m) t = std::max(t, lo + (63 - unsigned(__builtin_clzll(m))) + gap);
    }
    if (faw <= 32) {  // every tFAW window holding t may have at most three other ACTs
      const std::uint64_t lo = t >= faw - 1 ? t - (faw - 1) : 0;
      const std::uint64_t m = act_any_.bits(lo, unsigned(t - lo + faw), false);
      for (unsigned w = 0; __builtin_popcountll(m) >= 4 && w <= t - lo; ++w) {
        const std::uint64_t in = (m >> w) & faw_mask;
        if (__builtin_popcountll(in) >= 4) {  // wait until the window's first ACT leaves it
          t = std::max(t, lo + w + unsigned(__builtin_ctzll(in)) + faw);
          break;
        }
      }
    }
    if (t == t0) break;
  }
  act_any_.mark(t, 1);
  act_group_[bg].mark(t, 1);
  return t;
}

// The earliest column command cycle >= c: column spacing (tCCD_S in the channel, the bank group's
// occupancy), a free data-bus slot, and read/write turnaround against bursts on either side.
// Both searches below return the smallest such cycle (every rule only rules out cycles that break it).
std::uint64_t pseudo_channel::place_column(unsigned bg, bool is_write, unsigned occupancy, std::uint64_t c,
                                           std::uint64_t limit) {
  const std::uint64_t bc = t_.burst_cycles, lat = is_write ? t_.cwl : t_.cl;
  const std::uint64_t wtr = t_.twtr_s, rtw = t_.trtw, cl = t_.cl;
  // Read/write turnaround: bursts of the other direction may not have data in [c + lo_off, c + hi_off).
  const std::int64_t lo_off = is_write ? std::int64_t(lat) - std::int64_t(rtw) : -std::int64_t(wtr);
  const std::int64_t hi_off = std::int64_t(is_write ? lat + bc + wtr + cl : cl + bc + rtw);
  // The data bus: bursts of the same direction here; a burst of the other direction on this one's data
  // cycles breaks the turnaround rule, whose window covers them.
  const slot_calendar& same = is_write ? bus_write_ : bus_read_;
  const slot_calendar& other = is_write ? bus_read_ : bus_write_;
  slot_calendar& group = col_group_[bg];
  const std::uint64_t bus_base = std::max(bus_read_.base(), bus_write_.base());  // (bus_'s, were it marked)
  c = std::max({c, col_any_.base(), group.base(), bus_base > lat ? bus_base - lat : 0});
  // Calendars only fill up (a cycle that falls out of a horizon reads as busy, except for the
  // turnaround check, hence its condition): cycles the last search of this kind ruled out stay ruled
  // out, so a search starting inside that range continues from where the last one ended.
  column_hint& hint = hints_[bg * 2 + (is_write ? 1 : 0)];
  std::uint64_t start = c;
  if (hint.occupancy == occupancy && c >= hint.start && c <= hint.answer &&
      (other.base() == 0 || std::int64_t(hint.start) + lo_off >= std::int64_t(other.base()))) {
    start = hint.start;
    c = hint.answer;
  }
  const unsigned ta_len = hi_off > lo_off ? unsigned(hi_off - lo_off) : 0;
  constexpr unsigned W = 32;  // candidate cycles examined at once
  if (bc <= W + 1 && t_.tccd_s <= W + 1 && occupancy <= W + 1 && ta_len <= W + 1) {
    // All rules at once for the 32 candidates c .. c+31: bit i of `blocked` is set when c+i breaks one.
    for (;;) {
      std::uint64_t blocked = spread(same.bits(c + lat, unsigned(W + bc - 1), true), unsigned(bc));
      if ((blocked & 0xffffffffull) == 0xffffffffull) {  // the bus is busy throughout: skip to its next free cycle
        c = std::max(c + W, same.next_free(c + lat + W) - lat);
        continue;
      }
      if (!spacing_from_bus_) blocked |= spread(col_any_.bits(c, W + t_.tccd_s - 1, true), t_.tccd_s);
      blocked |= spread(group.bits(c, W + occupancy - 1, true), occupancy);
      if (ta_len) {
        const unsigned n = W + ta_len - 1;
        const std::int64_t lo = std::int64_t(c) + lo_off;
        std::uint64_t m = 0;
        if (lo >= 0) {
          m = other.bits(std::uint64_t(lo), n, false);
        } else if (std::uint64_t(-lo) < n) {  // (cycles before 0 hold nothing)
          m = other.bits(0, unsigned(n - std::uint64_t(-lo)), false) << std::uint64_t(-lo);
        }
        blocked |= spread(m, ta_len);
      }
      const std::uint64_t free = ~blocked & 0xffffffffull;
      if (free) {
        c += unsigned(__builtin_ctzll(free));
        break;
      }
      c += W;
    }
  } else {
    // Long windows (configurations far from the defaults): move c just past the latest conflict of
    // whichever rule fails, until all hold at once.
    for (;;) {
      std::int64_t q;
      if ((q = last_busy(same, c + lat, bc, true)) >= 0) {
        c = same.next_free(std::uint64_t(q) + 1) - lat;
        continue;
      }
      if ((q = last_busy(col_any_, c, t_.tccd_s, true)) >= 0) {
        c = std::uint64_t(q) + 1;
        continue;
      }
      if ((q = last_busy(group, c, occupancy, true)) >= 0) {
        c = std::uint64_t(q) + 1;
        continue;
      }
      if (turnaround_conflict(other, lo_off, hi_off, c)) continue;
      break;
    }
  }
  hint = {start, c, occupancy};  // every cycle in [start, c) breaks a rule
  if (c > limit) return ~0ull;
  if (!spacing_from_bus_) col_any_.mark(c, t_.tccd_s);
  group.mark(c, occupancy);
  if (t_.access_granularity) bus_.mark(c + lat, unsigned(bc));  // (only access blocks read bus_)
  (is_write ? bus_write_ : bus_read_).mark(c + lat, unsigned(bc));
  return c;
}

// Closes the bank's row (if any) and opens `row`: PRE when allowed, ACT at the earliest legal cycle.
std::uint64_t pseudo_channel::open_row_for(bank_state& b, unsigned bg, std::uint32_t row, std::uint64_t earliest,
                                           std::uint64_t col_floor, std::uint64_t& first_cmd) {
  if (b.open_row >= 0) {
    const std::uint64_t pre = std::max(earliest, b.pre_ok);
    b.act_ok = std::max(b.act_ok, pre + t_.trp);
    first_cmd = std::min(first_cmd, pre);
  }
  // An ACT, too, stays within the reorder window (tRCD ahead of the window's first column slot).
  const std::uint64_t act_floor = col_floor > t_.trcd ? col_floor - t_.trcd : 0;
  const std::uint64_t act = place_act(bg, std::max({earliest, b.act_ok, act_floor}));
  if (b.open_row >= 0) {
    b.history[b.history_pos] = {b.open_row, b.col_ok, act - t_.trp};  // the latest legal PRE
    b.history_pos = (b.history_pos + 1) % unsigned(b.history.size());
  }
  first_cmd = std::min(first_cmd, act);
  b.act_ok = act + t_.trc;
  b.col_ok = act + t_.trcd;
  b.pre_ok = act + t_.tras;
  b.open_row = row;
  return act;
}

access_timing pseudo_channel::schedule(mem_op op, std::uint64_t pc_addr, std::uint64_t bytes, std::uint64_t earliest,
                                       bool in_order) {
  const bool is_write = op != mem_op::read;
  const std::uint64_t bc = t_.burst_cycles;
  const std::uint64_t lat = is_write ? t_.cwl : t_.cl;
  const unsigned occupancy = op == mem_op::update ? 2 * t_.tccd_l + t_.nmc_alu_cycles : t_.tccd_l;
  // The reorder window: this access's data may not precede the first data of the access
  // `window` places before it (with in_order, the end of the previous access).
  window_entry& slot = window_[accesses_ % window_.size()];
  // Only an access that arrived no later than this one bounds it (arrival order can differ from call
  // order under temporal decoupling).
  const std::uint64_t not_before = in_order ? last_data_end_ : (slot.arrival <= earliest ? slot.first_data : 0);
  const std::uint64_t col_floor = not_before > lat ? not_before - lat : 0;
  if (t_.access_granularity && bytes > g_.burst_bytes) {
    const access_timing at = schedule_block(op, pc_addr, bytes, earliest, col_floor);
    if (at.done != ~0ull) {  // (~0: the access spans too many rows for one block)
      slot = {earliest, at.first_data};
      ++accesses_;
      last_data_end_ = std::max(last_data_end_, at.done);
      return at;
    }
  }
  access_timing at{~0ull, ~0ull, 0, 0};
  for (std::uint64_t off = 0; off < bytes; off += g_.burst_bytes) {
    const dram_location loc = decoder_(pc_addr + off);
    bank_state& b = banks_[loc.bank_group * g_.banks_per_group + loc.bank];
    apply_refresh(b, std::max(earliest, b.col_ok));
    std::uint64_t first_cmd = ~0ull;
    std::uint64_t col = ~0ull;
    if (b.open_row != std::int64_t(loc.row)) {
      // A hit in an earlier interval of this row, before the precharge that closed it?
      const std::uint64_t close_gap = is_write ? lat + bc + t_.twr : t_.trtp;
      for (const auto& h : b.history) {
        if (h.row != std::int64_t(loc.row) || h.pre < close_gap) continue;
        const std::uint64_t from = std::max({earliest, h.col_ok, col_floor});
        if (from + close_gap > h.pre) continue;
        col = place_column(loc.bank_group, is_write, occupancy, from, h.pre - close_gap);
        if (col != ~0ull) {
          ++past_hits_;
          break;
        }
      }
    }
    if (col != ~0ull) {
      ++row_hits_;
    } else if (b.open_row != std::int64_t(loc.row)) {
      ++row_misses_;
      open_row_for(b, loc.bank_group, loc.row, earliest, col_floor, first_cmd);
    } else {
      ++row_hits_;
    }
    if (col == ~0ull)
      col = place_column(loc.bank_group, is_write, occupancy, std::max({earliest, b.col_ok, col_floor}));
    const std::uint64_t end = col + lat + bc;
    if (col >= b.col_ok) {  // (a hit in a closed interval already fits before that interval's precharge)
      if (is_write) b.pre_ok = std::max(b.pre_ok, end + t_.twr);
      else b.pre_ok = std::max(b.pre_ok, col + t_.trtp);
    }
    if (col + lat < last_data_end_) ++overtakes_;
    at.first_command = std::min({at.first_command, first_cmd, col});
    at.last_column = std::max(at.last_column, col);
    at.done = std::max(at.done, end);
    at.first_data = std::min(at.first_data, col + lat);
    ++bursts_;
    busy_cycles_ += bc;
  }
  slot = {earliest, at.first_data};
  ++accesses_;
  last_data_end_ = std::max(last_data_end_, at.done);
  return at;
}

// Reserves a block: data bus [c+lat, c+lat+bus_len), column slots [c, c+span), and bank group g for
// [c+group_begin[g], c+group_end[g]) (group_end 0: untouched); read/write turnaround against the whole block. Returns c, or ~0
// (nothing reserved) if c would exceed limit.
std::uint64_t pseudo_channel::place_block(bool is_write, std::uint64_t c, std::uint64_t bus_len, std::uint64_t span,
                                          const std::uint64_t* group_begin, const std::uint64_t* group_end,
                                          std::uint64_t limit) {
  const std::uint64_t lat = is_write ? t_.cwl : t_.cl;
  const std::uint64_t wtr = t_.twtr_s, rtw = t_.trtw, cl = t_.cl;
  const std::int64_t lo_off = is_write ? std::int64_t(lat) - std::int64_t(rtw) : -std::int64_t(wtr);
  const std::int64_t hi_off = std::int64_t(is_write ? lat + span + wtr + cl : cl + span + rtw);
  const slot_calendar& other = is_write ? bus_read_ : bus_write_;
  c = std::max({c, col_any_.base(), bus_.base() > lat ? bus_.base() - lat : 0});
  for (;;) {
    if (c > limit) return ~0ull;
    std::int64_t q = last_busy(bus_, c + lat, bus_len, true);
    if (q >= 0) {
      c = std::uint64_t(q) + 1 - lat;
      continue;
    }
    if ((q = last_busy(col_any_, c, span, true)) >= 0) {
      c = std::uint64_t(q) + 1;
      continue;
    }
    bool moved = false;
    for (unsigned bg = 0; bg < g_.bank_groups && !moved; ++bg) {
      if (!group_end[bg]) continue;
      if ((q = last_busy(col_group_[bg], c + group_begin[bg], group_end[bg] - group_begin[bg], true)) >= 0) {
        c = std::uint64_t(q) + 1 - group_begin[bg];
        moved = true;
      }
    }
    if (moved) continue;
    if (turnaround_conflict(other, lo_off, hi_off, c)) continue;
    break;
  }
  if (c > limit) return ~0ull;
  col_any_.mark(c, unsigned(span));
  for (unsigned bg = 0; bg < g_.bank_groups; ++bg)
    if (group_end[bg]) col_group_[bg].mark(c + group_begin[bg], unsigned(group_end[bg] - group_begin[bg]));
  bus_.mark(c + lat, unsigned(bus_len));
  (is_write ? bus_write_ : bus_read_).mark(c + lat, unsigned(bus_len));
  return c;
}

// Access granularity: the access's bursts rotate over the bank groups it touches and are placed as one
// block on the data bus, after opening the rows of all its banks. One calendar search per access
// instead of one per burst; docs/blocks/hbm.md states what this gives up.
access_timing pseudo_channel::schedule_block(mem_op op, std::uint64_t pc_addr, std::uint64_t bytes,
                                             std::uint64_t earliest, std::uint64_t col_floor) {
  const bool is_write = op != mem_op::read;
  const std::uint64_t bc = t_.burst_cycles;
  const std::uint64_t lat = is_write ? t_.cwl : t_.cl;
  const unsigned occupancy = op == mem_op::update ? 2 * t_.tccd_l + t_.nmc_alu_cycles : t_.tccd_l;
  const std::uint64_t n = bytes / g_.burst_bytes;

  struct touch {
    unsigned bank;  // flat index
    std::uint32_t row;
    unsigned bursts;
    unsigned first, last;  // index of its first and last burst in the access
    int history;  // index into the bank's history when served as a hit in a closed interval, else -1
  };
  touch touches[64];
  unsigned nt = 0, per_group[8] = {}, first_in_group[8] = {}, last_in_group[8] = {};
  for (std::uint64_t i = 0; i < n; ++i) {
    const dram_location loc = decoder_(pc_addr + i * g_.burst_bytes);
    const unsigned bank = loc.bank_group * g_.banks_per_group + loc.bank;
    if (!per_group[loc.bank_group]++) first_in_group[loc.bank_group] = unsigned(i);
    last_in_group[loc.bank_group] = unsigned(i) + 1;
    unsigned k = 0;
    while (k < nt && !(touches[k].bank == bank && touches[k].row == loc.row)) ++k;
    if (k == nt) {
      if (nt == 64) return {~0ull, ~0ull, ~0ull, ~0ull};  // too many rows for one block: burst path
      touches[nt++] = {bank, loc.row, 0, unsigned(i), unsigned(i), -1};
    }
    ++touches[k].bursts;
    touches[k].last = unsigned(i);
  }
  unsigned max_per_group = 0;
  for (unsigned x : per_group) max_per_group = std::max(max_per_group, x);
  const std::uint64_t span = std::max<std::uint64_t>(n * t_.tccd_s, std::uint64_t(max_per_group) * occupancy);
  const std::uint64_t bus_len = n * bc;
  // Burst i of the block issues at c + i*span/n; a bank group is held until its last burst's
  // column plus its occupancy.
  std::uint64_t group_begin[8] = {}, group_end[8] = {};
  for (unsigned bg = 0; bg < g_.bank_groups; ++bg) {
    if (!last_in_group[bg]) continue;
    group_begin[bg] = first_in_group[bg] * span / n;
    group_end[bg] = (last_in_group[bg] - 1) * span / n + occupancy;
  }
  // A bank's bursts issue between c + off(first) and c + off(last): it must be ready (tRCD) by the
  // first, and a closed interval must still be open (before its PRE) after the last.
  auto off = [&](unsigned i) { return std::uint64_t(i) * span / n; };
  const std::uint64_t close_gap = is_write ? lat + bc + t_.twr : t_.trtp;
  auto ready_for = [&](std::uint64_t col_ok, const touch& tc) { return col_ok > off(tc.first) ? col_ok - off(tc.first) : 0; };

  access_timing at{~0ull, ~0ull, 0, 0};
  std::uint64_t ready = std::max(earliest, col_floor), limit = ~0ull;
  unsigned plain_misses = 0;  // banks whose row is neither open nor in a usable closed interval
  for (unsigned k = 0; k < nt; ++k) {
    touch& tc = touches[k];
    bank_state& b = banks_[tc.bank];
    apply_refresh(b, std::max(earliest, b.col_ok));
    if (b.open_row == std::int64_t(tc.row)) {
      ready = std::max(ready, ready_for(b.col_ok, tc));
      continue;
    }
    for (unsigned h = 0; h < b.history.size(); ++h) {
      const auto& hist = b.history[h];
      if (hist.row != std::int64_t(tc.row)) continue;
      const std::uint64_t need = off(tc.last) + close_gap;
      const std::uint64_t from = std::max(ready, ready_for(hist.col_ok, tc));
      if (hist.pre >= from + need) {
        tc.history = int(h);
        ready = from;
        limit = std::min(limit, hist.pre - need);
        break;
      }
    }
    if (tc.history < 0) ++plain_misses;
  }
  std::uint64_t c = ~0ull;
  // Closed-interval hits only when no bank needs a new ACT (which would delay the block past them).
  if (limit != ~0ull && plain_misses == 0 && ready <= limit) c = place_block(is_write, ready, bus_len, span, group_begin, group_end, limit);
  if (c != ~0ull)
    for (unsigned k = 0; k < nt; ++k) past_hits_ += touches[k].history >= 0 ? touches[k].bursts : 0;
  for (unsigned k = 0; k < nt; ++k) {
    touch& tc = touches[k];
    bank_state& b = banks_[tc.bank];
    const bool open = b.open_row == std::int64_t(tc.row);
    if (open || (c != ~0ull && tc.history >= 0)) {
      row_hits_ += tc.bursts;
      continue;
    }
    tc.history = -1;
    ++row_misses_;
    row_hits_ += tc.bursts - 1;
    open_row_for(b, tc.bank / g_.banks_per_group, tc.row, earliest, col_floor, at.first_command);
    ready = std::max(ready, ready_for(b.col_ok, tc));
  }
  if (c == ~0ull) c = place_block(is_write, ready, bus_len, span, group_begin, group_end, ~0ull);
  const std::uint64_t last_col = c + off(unsigned(n - 1));
  const std::uint64_t done = c + lat + std::max(span, bus_len);
  for (unsigned k = 0; k < nt; ++k) {
    const touch& tc = touches[k];
    bank_state& b = banks_[tc.bank];
    if (tc.history >= 0 || b.open_row != std::int64_t(tc.row)) continue;  // (closed-interval hits fit already)
    b.pre_ok = std::max(b.pre_ok, c + off(tc.last) + close_gap);
  }
  if (c + lat < last_data_end_) overtakes_ += n;
  at.first_command = std::min(at.first_command, c);
  at.first_data = c + lat;
  at.last_column = last_col;
  at.done = done;
  bursts_ += n;
  busy_cycles_ += bus_len;
  return at;
}

void pseudo_channel::report_stats(stat_sink& s) const {
  s.add("bursts", double(bursts_), "bursts", "data bursts transferred (read, write and update)");
  s.add("row_hits", double(row_hits_), "bursts", "bursts whose row was already open");
  s.add("row_misses", double(row_misses_), "bursts", "bursts that needed an ACT (and a PRE if another row was open)");
  s.add("row_hit_rate", bursts_ ? double(row_hits_) / double(bursts_) : 0.0, "ratio", "row_hits / bursts");
  s.add("busy_ns", double(busy_cycles_) * t_.tck_ns, "ns", "time the data bus carried data");
  s.add("refreshes", double(refreshes_), "refreshes", "refresh operations applied to banks");
  s.add("past_row_hits", double(past_hits_), "bursts",
        "row hits served in an earlier open interval of their row, placed before its precharge (LT reordering)");
  s.add("overtakes", double(overtakes_), "bursts",
        "bursts whose data went on the bus before data of an older access (first-ready reordering)");
}

}  // namespace t3vp
