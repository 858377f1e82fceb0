#pragma once
// A bitmap of busy cycles over a sliding horizon: the reservation calendar of one DRAM resource
// (data bus, column or row command slots). Lets a burst take the earliest free slot even when later
// slots are already taken, which is how the LT model keeps bank-level parallelism while serving
// accesses in arrival order. Cycles before the horizon count as busy.
// The horizon (2^HorizonLog2 cycles) is a compile-time constant: every calendar operation is on the
// hot path of the DRAM and L2 models, and fixed sizes let it run without loading sizes or pointers.
#include <algorithm>
#include <array>
#include <cstdint>

namespace t3vp {

template <unsigned HorizonLog2>
class basic_slot_calendar {
  static_assert(HorizonLog2 >= 6 && HorizonLog2 <= 20, "a horizon of 64 cycles to 1 M cycles");
  static constexpr std::uint64_t mask_ = (1ull << HorizonLog2) - 1;
  static constexpr std::size_t word_count = std::size_t(1) << (HorizonLog2 - 6);

 public:

  std::uint64_t base() const { return base_; }  // earliest cycle still tracked

  // Bitmap of cycles [c, c+len), len <= 64; bit i is cycle c+i. Cycles before the horizon read as
  // `past` (busy when looking for a free slot, empty when counting neighbours).
  [[gnu::always_inline]] std::uint64_t bits(std::uint64_t c, unsigned len, bool past) const {
    if (__builtin_expect(c >= base_, 1)) {  // at most two words
      const std::uint64_t end = base_ + mask_ + 1;
      if (c >= end) return 0;  // beyond the horizon: nothing reserved yet
      const std::size_t idx = (c & mask_) >> 6;
      const unsigned sh = unsigned(c & 63);
      std::uint64_t w = words_[idx] >> sh;
      if (sh + len > 64) w |= words_[(idx + 1) & (word_count - 1)] << (64 - sh);
      const unsigned n = c + len <= end ? len : unsigned(end - c);  // (cycles past the horizon read as free)
      return n >= 64 ? w : w & ((1ull << n) - 1);
    }
    return bits_slow(c, len, past);
  }
  bool is_free(std::uint64_t c, unsigned len) const { return bits(c, len, true) == 0; }
  unsigned count(std::uint64_t c, unsigned len) const { return unsigned(__builtin_popcountll(bits(c, len, false))); }
  bool any(std::uint64_t c, unsigned len) const { return bits(c, len, false) != 0; }
  [[gnu::always_inline]] void mark(std::uint64_t c, unsigned len) {
    const unsigned sh = unsigned(c & 63);
    if (__builtin_expect(c >= base_ && sh + len <= 64, 1)) {  // one word
      const std::uint64_t end = base_ + mask_ + 1;
      // Within one horizon past its end (sparse calendars jump a few words at a time), the horizon
      // slides here; longer jumps go through mark_slow.
      if (c + len > end) {
        if (c >= end + mask_ + 1) return mark_slow(c, len);
        advance(c + len);
      }
      const std::size_t idx = (c & mask_) >> 6;
      words_[idx] |= (len >= 64 ? ~0ull : ((1ull << len) - 1)) << sh;
      if (words_[idx] == ~0ull) full_[idx >> 6] |= 1ull << (idx & 63);
      high_ = std::max(high_, c + len);
      return;
    }
    mark_slow(c, len);
  }

  // The first cycle >= c that is free, skipping runs of whole busy words with the summary bitmap.
  std::uint64_t next_free(std::uint64_t c) const {
    c = std::max(c, base_);
    const std::uint64_t end = base_ + mask_ + 1;  // a multiple of 64, like base_
    while (c < end) {
      const unsigned sh = unsigned(c & 63);
      const std::uint64_t free = ~(words_[(c & mask_) >> 6] >> sh) & (sh ? (1ull << (64 - sh)) - 1 : ~0ull);
      if (free) return c + unsigned(__builtin_ctzll(free));
      c += 64 - sh;
      // c is word aligned: skip the full words that follow (the summary is exact inside the horizon).
      while (c < end) {
        const std::size_t idx = (c & mask_) >> 6;
        const unsigned b = unsigned(idx & 63);
        const std::uint64_t nonfull = ~(full_[idx >> 6] >> b);  // (bits shifted in from the top read as not full)
        const unsigned run = nonfull ? unsigned(__builtin_ctzll(nonfull)) : 64;
        c = std::min(end, c + 64 * std::uint64_t(run));
        if (run < 64 - b) break;  // a word that is not full
      }
    }
    return c;
  }


 private:
  [[gnu::noinline]] std::uint64_t bits_slow(std::uint64_t c, unsigned len, bool past) const {
    std::uint64_t out = 0;
    unsigned i = 0;
    if (c < base_) {
      const std::uint64_t n = std::min<std::uint64_t>(base_ - c, len);
      if (past) out = n >= 64 ? ~0ull : ((1ull << n) - 1);
      i = unsigned(n);
    }
    while (i < len) {
      const std::uint64_t x = c + i;
      if (x >= base_ + mask_ + 1) break;  // beyond the horizon: nothing reserved yet
      const unsigned sh = unsigned(x & 63);
      const unsigned take = std::min<unsigned>(64 - sh, len - i);
      std::uint64_t w = words_[(x & mask_) >> 6] >> sh;
      if (take < 64) w &= (1ull << take) - 1;
      out |= w << i;
      i += take;
    }
    return out;
  }
  [[gnu::noinline]] void mark_slow(std::uint64_t c, unsigned len) {
    advance(c + len);
    for (std::uint64_t x = std::max(c, base_); x < c + len;) {
      const unsigned sh = unsigned(x & 63);
      const unsigned take = unsigned(std::min<std::uint64_t>(64 - sh, c + len - x));
      const std::size_t idx = (x & mask_) >> 6;
      words_[idx] |= (take >= 64 ? ~0ull : ((1ull << take) - 1)) << sh;
      if (words_[idx] == ~0ull) full_[idx >> 6] |= 1ull << (idx & 63);
      x += take;
    }
    if (len) high_ = std::max(high_, c + len);
  }
  // Slide the horizon so that `end` fits, clearing the words that fall out of it. Words at or after
  // high_ (one past the latest reservation) are empty already.
  void advance(std::uint64_t end) {
    const std::uint64_t span = mask_ + 1;
    if (end <= base_ + span) return;
    const std::uint64_t new_base = (end - span + 63) & ~63ull;
    const std::uint64_t stop = std::min({new_base, base_ + span, std::uint64_t((high_ + 63) & ~63ull)});
    for (std::uint64_t c = base_; c < stop; c += 64) {  // base_ is a multiple of 64
      const std::size_t idx = (c & mask_) >> 6;
      words_[idx] = 0;
      full_[idx >> 6] &= ~(1ull << (idx & 63));
    }
    base_ = new_base;
  }

  std::array<std::uint64_t, word_count> words_{};
  std::array<std::uint64_t, (word_count + 63) / 64> full_{};  // bit i: words_[i] is all busy
  std::uint64_t base_ = 0;
  std::uint64_t high_ = 0;  // one past the latest cycle ever reserved
};

// The horizon of the DRAM and L2 calendars: 4096 cycles (docs/blocks/hbm.md, "Reservation calendars").
using slot_calendar = basic_slot_calendar<12>;

}  // namespace t3vp
