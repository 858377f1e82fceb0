#pragma once
// Geometry and timing of the HBM model. Plain data: platform/ fills it from the configuration.
// Timing values are in memory-clock cycles (tCK); defaults are the HBM2 figures of docs/blocks/hbm.md.
#include <cstdint>
#include <string>

namespace t3vp {

enum class refresh_mode { off, all_bank, per_bank };
// Order of the pseudo-channel-local address fields, most significant first (Ro row, Ba bank,
// Co column, Bg bank group). The burst offset is always the least significant field.
enum class pc_mapping { ro_ba_co_bg, ro_co_ba_bg, ro_ba_bg_co };

struct dram_timing {
  double tck_ns = 1.0;
  unsigned burst_cycles = 2;  // data-bus cycles of one burst (BL4, double data rate)
  unsigned cl = 14, cwl = 4;
  unsigned trcd = 14, trp = 14, tras = 34, trc = 48;
  unsigned tccd_s = 2, tccd_l = 4;
  unsigned trrd_s = 4, trrd_l = 6, tfaw = 16;
  unsigned twr = 16, twtr_s = 6, twtr_l = 8, trtp = 5;
  unsigned trtw = 3;  // extra bus turnaround cycles when a write follows a read
  refresh_mode refresh = refresh_mode::per_bank;
  unsigned trefi = 3900, trfc = 350, trfc_pb = 160;
  unsigned nmc_alu_cycles = 1;  // near-bank adder latency added to an update's bank-group occupancy
  // Timing granularity of the LT model: place each access's bursts as one block (fast) or each burst
  // on its own (finer). docs/blocks/hbm.md and docs/validation.md compare them.
  bool access_granularity = false;
};

struct hbm_geometry {
  unsigned stacks = 4;
  unsigned channels_per_stack = 8;
  unsigned pcs_per_channel = 2;
  unsigned bank_groups = 4;
  unsigned banks_per_group = 4;
  unsigned row_bytes = 1024;
  unsigned burst_bytes = 32;
  std::uint64_t pc_capacity_bytes = 512ull << 20;
  unsigned interleave_bytes = 256;  // consecutive bytes mapped to one pseudo-channel
  bool pc_hash = true;              // XOR higher address bits into the pseudo-channel index
  bool bank_hash = true;            // XOR low row bits into the bank and bank-group index
  pc_mapping mapping = pc_mapping::ro_ba_co_bg;

  unsigned pseudo_channels() const { return stacks * channels_per_stack * pcs_per_channel; }
  unsigned banks() const { return bank_groups * banks_per_group; }
  std::uint64_t capacity_bytes() const { return pc_capacity_bytes * pseudo_channels(); }
  std::uint64_t rows_per_bank() const { return pc_capacity_bytes / (std::uint64_t(row_bytes) * banks()); }
};

struct hbm_config {
  hbm_geometry geometry;
  dram_timing timing;
  // Peak data bandwidth of all pseudo-channels, bytes per second.
  double peak_bytes_per_s() const {
    return geometry.pseudo_channels() * double(geometry.burst_bytes) / (timing.burst_cycles * timing.tck_ns * 1e-9);
  }
};

// Where one burst lands inside a pseudo-channel.
struct dram_location {
  unsigned bank_group;
  unsigned bank;  // within its bank group
  std::uint32_t row;
  std::uint32_t column;  // burst index within the row
};

// Decodes a pseudo-channel-local byte address (burst aligned).
dram_location decode_pc_address(const hbm_geometry& g, std::uint64_t pc_addr);

// decode_pc_address with the field positions worked out once (the same result, for the hot path).
class pc_address_decoder {
 public:
  explicit pc_address_decoder(const hbm_geometry& g);
  dram_location operator()(std::uint64_t pc_addr) const {
    const std::uint64_t burst = pc_addr >> burst_shift_;
    dram_location loc{};
    loc.bank_group = unsigned(burst >> bg_shift_) & bg_mask_;
    loc.bank = unsigned(burst >> ba_shift_) & ba_mask_;
    loc.column = std::uint32_t(burst >> co_shift_) & co_mask_;
    loc.row = static_cast<std::uint32_t>(burst >> row_shift_);
    if (hash_) {
      const std::uint32_t h = (loc.row * 2654435761u) >> 16;
      loc.bank ^= h & ba_mask_;
      loc.bank_group ^= (h >> 8) & bg_mask_;
    }
    return loc;
  }

 private:
  unsigned burst_shift_, bg_shift_, ba_shift_, co_shift_, row_shift_;
  unsigned bg_mask_, ba_mask_, co_mask_;
  bool hash_;
};

}  // namespace t3vp

namespace t3vp {

// Which pseudo-channel a GPU-local byte address lives in, and its address inside that channel.
struct hbm_address {
  unsigned pc;
  std::uint64_t pc_addr;
};

inline hbm_address map_address(const hbm_geometry& g, std::uint64_t addr) {
  const unsigned pcs = g.pseudo_channels();
  const std::uint64_t unit = addr / g.interleave_bytes;
  const std::uint64_t upper = unit / pcs;
  unsigned pc = static_cast<unsigned>(unit % pcs);
  // The XOR hash permutes channels within each group of `pcs` units, so the mapping stays a bijection.
  if (g.pc_hash && (pcs & (pcs - 1)) == 0) pc ^= static_cast<unsigned>((upper ^ (upper / pcs)) % pcs);
  return {pc, upper * g.interleave_bytes + addr % g.interleave_bytes};
}

}  // namespace t3vp
