#include "models/hbm/hbm_config.h"

namespace t3vp {

namespace {
unsigned log2u(std::uint64_t v) { return unsigned(63 - __builtin_clzll(v | 1)); }
}  // namespace

// Geometry fields are powers of two (checked by the configuration), so decoding is shifts and masks.
dram_location decode_pc_address(const hbm_geometry& g, std::uint64_t pc_addr) {
  const unsigned bg_bits = log2u(g.bank_groups), ba_bits = log2u(g.banks_per_group);
  const unsigned co_bits = log2u(g.row_bytes / g.burst_bytes);
  std::uint64_t burst = pc_addr >> log2u(g.burst_bytes);
  auto take = [&burst](unsigned bits) {
    const auto v = static_cast<unsigned>(burst & ((1ull << bits) - 1));
    burst >>= bits;
    return v;
  };
  dram_location loc{};
  switch (g.mapping) {
    case pc_mapping::ro_ba_co_bg:  // consecutive bursts alternate bank groups (tCCD_S streaming)
      loc.bank_group = take(bg_bits);
      loc.column = take(co_bits);
      loc.bank = take(ba_bits);
      break;
    case pc_mapping::ro_co_ba_bg:
      loc.bank_group = take(bg_bits);
      loc.bank = take(ba_bits);
      loc.column = take(co_bits);
      break;
    case pc_mapping::ro_ba_bg_co:  // a whole row in one bank before moving on
      loc.column = take(co_bits);
      loc.bank_group = take(bg_bits);
      loc.bank = take(ba_bits);
      break;
  }
  loc.row = static_cast<std::uint32_t>(burst);
  if (g.bank_hash) {  // spreads streams that start at aligned addresses over all banks
    const std::uint32_t h = (loc.row * 2654435761u) >> 16;  // all row bits matter, not just the lowest
    loc.bank ^= h & (g.banks_per_group - 1);
    loc.bank_group ^= (h >> 8) & (g.bank_groups - 1);
  }
  return loc;
}

pc_address_decoder::pc_address_decoder(const hbm_geometry& g) {
  const unsigned bg = log2u(g.bank_groups), ba = log2u(g.banks_per_group), co = log2u(g.row_bytes / g.burst_bytes);
  burst_shift_ = log2u(g.burst_bytes);
  switch (g.mapping) {
    case pc_mapping::ro_ba_co_bg:
      bg_shift_ = 0, co_shift_ = bg, ba_shift_ = bg + co;
      break;
    case pc_mapping::ro_co_ba_bg:
      bg_shift_ = 0, ba_shift_ = bg, co_shift_ = bg + ba;
      break;
    case pc_mapping::ro_ba_bg_co:
    default:
      co_shift_ = 0, bg_shift_ = co, ba_shift_ = co + bg;
      break;
  }
  row_shift_ = bg + ba + co;
  bg_mask_ = (1u << bg) - 1, ba_mask_ = (1u << ba) - 1, co_mask_ = (1u << co) - 1;
  hash_ = g.bank_hash;
}

}  // namespace t3vp
