#pragma once
// GEMM tiling: the M x N output is split into workgroup tiles of tile_m x tile_n (one workgroup each),
// every workgroup tile into wavefront sub-tiles of wave_m x wave_n, and the K loop into k-steps of k_step.
//
// Defaults: 128 x 128 workgroup tiles, 64 x 64 wavefront sub-tiles (4 wavefronts = 256 threads per
// workgroup on 64-wide wavefronts) and k_step 32 -- the canonical 128x128x32 / 64x64 configuration of
// CUTLASS and rocBLAS/Tensile FP16 macro tiles. A 64 x 64 FP16 wavefront tile is 8 KiB, the unit the
// tracker counts.
//
// Edge tiles: when M (or N) is not a multiple of tile_m (tile_n) the last row (column) of tiles is smaller:
// tile (r, c) covers rows [r.tile_m, min((r+1).tile_m, M)) and columns [c.tile_n, min((c+1).tile_n, N)).
// Wavefront sub-tiles are clipped the same way; in an edge tile, wavefronts that fall wholly outside the
// output are inactive (empty rect, store nothing). The last k-step is smaller when K % k_step != 0.
//
// Ids: workgroup id = tile id = row-major index tile_row . tile_cols + tile_col. Wavefront w of a tile is
// the row-major index in the tile's (tile_m/wave_m) x (tile_n/wave_n) wavefront grid; its global id is
// tile . wavefronts_per_tile + w (unique, dense for full tiles). All ids fit in int32 (producer_id).
#include <cstdint>

#include "workloads/sublayer.h"

namespace t3vp {

struct tiling_params {
  std::uint32_t tile_m = 128;  // workgroup tile rows
  std::uint32_t tile_n = 128;  // workgroup tile columns
  std::uint32_t wave_m = 64;   // wavefront sub-tile rows (divides tile_m)
  std::uint32_t wave_n = 64;   // wavefront sub-tile columns (divides tile_n)
  std::uint32_t k_step = 32;   // inner-dimension elements per k-step
};

// Limits checked by gemm_tiling (std::invalid_argument naming the field when violated).
constexpr std::uint32_t max_tile_dim = 1024;            // tile_m, tile_n
constexpr std::uint32_t max_k_step = 1024;
constexpr std::uint32_t max_wavefronts_per_tile = 16;   // 1024 threads of 64-wide wavefronts

// A rectangle of output elements: origin and extent.
struct tile_rect {
  std::uint64_t row = 0, col = 0;    // first row / column
  std::uint64_t rows = 0, cols = 0;  // extent
  std::uint64_t elements() const { return rows * cols; }
  bool empty() const { return rows == 0 || cols == 0; }
  bool operator==(const tile_rect& o) const {
    return row == o.row && col == o.col && rows == o.rows && cols == o.cols;
  }
};

// Validates tiling parameters alone (std::invalid_argument naming the field).
void validate_tiling_params(const tiling_params& p);

class gemm_tiling {
 public:
  // Throws std::invalid_argument for a zero-sized or oversized shape, bad parameters, or more tiles /
  // wavefronts than int32 ids can hold.
  explicit gemm_tiling(const gemm_shape& shape, const tiling_params& params = tiling_params{});

  const gemm_shape& shape() const { return shape_; }
  const tiling_params& params() const { return params_; }

  std::uint32_t tile_rows() const { return tile_rows_; }  // ceil(M / tile_m)
  std::uint32_t tile_cols() const { return tile_cols_; }  // ceil(N / tile_n)
  std::uint32_t tile_count() const { return tile_rows_ * tile_cols_; }

  // Row-major tile id <-> (tile row, tile column). Out-of-range arguments throw std::out_of_range.
  std::uint32_t tile_id(std::uint32_t tile_row, std::uint32_t tile_col) const;
  std::uint32_t tile_row_of(std::uint32_t tile) const;
  std::uint32_t tile_col_of(std::uint32_t tile) const;
  // Origin and extent of a tile (edge tiles are smaller).
  tile_rect tile(std::uint32_t tile) const;
  bool is_edge_tile(std::uint32_t tile) const;  // extent smaller than tile_m x tile_n
  // The tile holding output element (row, col).
  std::uint32_t tile_at(std::uint64_t row, std::uint64_t col) const;

  std::uint64_t k_steps() const;                        // ceil(K / k_step)
  std::uint32_t k_step_size(std::uint64_t step) const;  // k_step; the last one may be smaller

  std::uint32_t wavefronts_per_tile() const;  // (tile_m / wave_m) . (tile_n / wave_n)
  // Wavefront w's sub-tile, clipped to the output (empty when the wavefront is inactive).
  tile_rect wavefront(std::uint32_t tile, std::uint32_t w) const;
  std::uint32_t active_wavefronts(std::uint32_t tile) const;  // wavefronts with a non-empty sub-tile
  std::uint32_t wavefront_id(std::uint32_t tile, std::uint32_t w) const;  // tile . wavefronts_per_tile + w

 private:
  void check_tile(std::uint32_t tile) const;
  gemm_shape shape_;
  tiling_params params_;
  std::uint32_t tile_rows_ = 0, tile_cols_ = 0;
};

}  // namespace t3vp
