#pragma once
// The GEMM kernel as the command processor hands it to the SMs: C (M x N, FP16, row-major with ldc)
// = A (M x K) . B (K x N), FP16 inputs, FP32 accumulation. A and B are stored pre-packed in
// k-step fragments (as GEMM libraries pack operands), so that one workgroup loads one contiguous
// fragment of each per k-step; C is plain row-major because the collectives work on its rows.
#include <cstdint>

namespace t3vp {

enum class kernel_data { exact, synthetic, off };

struct gemm_kernel {
  std::uint64_t a = 0, b = 0, c = 0;  // GPU-local byte addresses
  std::uint32_t m = 0, n = 0, k = 0;
  std::uint32_t ldc = 0;              // elements
  std::uint32_t tile_m = 128, tile_n = 128, k_step = 32;
  kernel_data data = kernel_data::synthetic;
  std::int32_t gpu = 0;               // producer id carried in stores
  std::uint32_t seed = 0;
  // T3 (runtime calls of the driver): stores as near-memory FP16 updates (they bypass the L2), and
  // the tiles whose first row lies in [remote_row_begin, remote_row_end) stored into GPU remote_gpu's
  // memory at the same address (remote_map).
  std::uint32_t group_rows = 0;       // dispatch: tile rows per band of the grouped / T3 stage orders (0: row-major)
  bool serpentine = false;            // dispatch: every second band right to left
  bool store_update = false;
  std::uint32_t remote_row_begin = 0, remote_row_end = 0;
  std::int32_t remote_gpu = -1;

  std::uint32_t tiles_m() const { return (m + tile_m - 1) / tile_m; }
  std::uint32_t tiles_n() const { return (n + tile_n - 1) / tile_n; }
  std::uint32_t tiles() const { return tiles_m() * tiles_n(); }
  std::uint32_t k_steps() const { return (k + k_step - 1) / k_step; }
  // Packed operand layout: fragment (tile row i, k-step s) of A is tile_m x k_step elements (row-major,
  // zero padded at the edges); fragment (k-step s, tile column j) of B is k_step x tile_n.
  std::uint64_t a_fragment_bytes() const { return std::uint64_t(tile_m) * k_step * 2; }
  std::uint64_t b_fragment_bytes() const { return std::uint64_t(k_step) * tile_n * 2; }
  std::uint64_t a_fragment(std::uint32_t i, std::uint32_t s) const {
    return a + (std::uint64_t(i) * k_steps() + s) * a_fragment_bytes();
  }
  std::uint64_t b_fragment(std::uint32_t s, std::uint32_t j) const {
    return b + (std::uint64_t(s) * tiles_n() + j) * b_fragment_bytes();
  }
  std::uint64_t a_packed_bytes() const { return std::uint64_t(tiles_m()) * k_steps() * a_fragment_bytes(); }
  std::uint64_t b_packed_bytes() const { return std::uint64_t(k_steps()) * tiles_n() * b_fragment_bytes(); }
  std::uint64_t c_bytes() const { return std::uint64_t(m) * ldc * 2; }
  double flops() const { return 2.0 * m * n * k; }
};

}  // namespace t3vp
