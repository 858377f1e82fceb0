#include "workloads/tiling.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace t3vp {
namespace {
[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw std::invalid_argument("tiling parameter '" + field + "': " + what);
}

void check_range(const char* field, std::uint64_t v, std::uint64_t lo, std::uint64_t hi) {
  if (v < lo || v > hi)
    fail(field, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] (got " +
                    std::to_string(v) + ")");
}

void check_shape(const char* field, std::uint64_t v) {
  if (v < 1 || v > max_gemm_dimension)
    throw std::invalid_argument(std::string("GEMM shape '") + field + "': must be in [1, " +
                                std::to_string(max_gemm_dimension) + "] (got " + std::to_string(v) + ")");
}

constexpr std::uint64_t max_id = std::numeric_limits<std::int32_t>::max();
}  // namespace

void validate_tiling_params(const tiling_params& p) {
  check_range("tile_m", p.tile_m, 1, max_tile_dim);
  check_range("tile_n", p.tile_n, 1, max_tile_dim);
  check_range("wave_m", p.wave_m, 1, p.tile_m);
  check_range("wave_n", p.wave_n, 1, p.tile_n);
  if (p.tile_m % p.wave_m != 0)
    fail("wave_m", "must divide tile_m = " + std::to_string(p.tile_m) + " (got " + std::to_string(p.wave_m) + ")");
  if (p.tile_n % p.wave_n != 0)
    fail("wave_n", "must divide tile_n = " + std::to_string(p.tile_n) + " (got " + std::to_string(p.wave_n) + ")");
  const std::uint64_t waves = std::uint64_t(p.tile_m / p.wave_m) * (p.tile_n / p.wave_n);
  if (waves > max_wavefronts_per_tile)
    fail("wave_m/wave_n", "(tile_m/wave_m) . (tile_n/wave_n) = " + std::to_string(waves) +
                              " wavefronts per workgroup exceeds " + std::to_string(max_wavefronts_per_tile));
  check_range("k_step", p.k_step, 1, max_k_step);
}

gemm_tiling::gemm_tiling(const gemm_shape& shape, const tiling_params& params) : shape_(shape), params_(params) {
  check_shape("m", shape.m);
  check_shape("n", shape.n);
  check_shape("k", shape.k);
  validate_tiling_params(params);
  const std::uint64_t rows = ceil_div(shape.m, params.tile_m), cols = ceil_div(shape.n, params.tile_n);
  // rows, cols <= 2^31 each; the product fits in 64 bits.
  if (rows * cols > (max_id + 1) / wavefronts_per_tile())
    throw std::invalid_argument("GEMM shape " + std::to_string(shape.m) + " x " + std::to_string(shape.n) +
                                " with " + std::to_string(params.tile_m) + " x " + std::to_string(params.tile_n) +
                                " tiles has more tiles/wavefronts than 32-bit ids hold: use larger tiles");
  tile_rows_ = static_cast<std::uint32_t>(rows);
  tile_cols_ = static_cast<std::uint32_t>(cols);
}

void gemm_tiling::check_tile(std::uint32_t tile) const {
  if (tile >= tile_count())
    throw std::out_of_range("tile id " + std::to_string(tile) + " out of range [0, " +
                            std::to_string(tile_count()) + ")");
}

std::uint32_t gemm_tiling::tile_id(std::uint32_t tile_row, std::uint32_t tile_col) const {
  if (tile_row >= tile_rows_ || tile_col >= tile_cols_)
    throw std::out_of_range("tile (" + std::to_string(tile_row) + ", " + std::to_string(tile_col) +
                            ") outside the " + std::to_string(tile_rows_) + " x " + std::to_string(tile_cols_) +
                            " tile grid");
  return tile_row * tile_cols_ + tile_col;
}

std::uint32_t gemm_tiling::tile_row_of(std::uint32_t tile) const {
  check_tile(tile);
  return tile / tile_cols_;
}

std::uint32_t gemm_tiling::tile_col_of(std::uint32_t tile) const {
  check_tile(tile);
  return tile % tile_cols_;
}

tile_rect gemm_tiling::tile(std::uint32_t tile) const {
  check_tile(tile);
  tile_rect r;
  r.row = std::uint64_t(tile / tile_cols_) * params_.tile_m;
  r.col = std::uint64_t(tile % tile_cols_) * params_.tile_n;
  r.rows = std::min<std::uint64_t>(params_.tile_m, shape_.m - r.row);
  r.cols = std::min<std::uint64_t>(params_.tile_n, shape_.n - r.col);
  return r;
}

bool gemm_tiling::is_edge_tile(std::uint32_t t) const {
  const tile_rect r = tile(t);
  return r.rows < params_.tile_m || r.cols < params_.tile_n;
}

std::uint32_t gemm_tiling::tile_at(std::uint64_t row, std::uint64_t col) const {
  if (row >= shape_.m || col >= shape_.n)
    throw std::out_of_range("element (" + std::to_string(row) + ", " + std::to_string(col) + ") outside the " +
                            std::to_string(shape_.m) + " x " + std::to_string(shape_.n) + " output");
  return static_cast<std::uint32_t>(row / params_.tile_m) * tile_cols_ +
         static_cast<std::uint32_t>(col / params_.tile_n);
}

std::uint64_t gemm_tiling::k_steps() const { return ceil_div(shape_.k, params_.k_step); }

std::uint32_t gemm_tiling::k_step_size(std::uint64_t step) const {
  if (step >= k_steps())
    throw std::out_of_range("k-step " + std::to_string(step) + " out of range [0, " + std::to_string(k_steps()) + ")");
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(params_.k_step, shape_.k - step * params_.k_step));
}

std::uint32_t gemm_tiling::wavefronts_per_tile() const {
  return (params_.tile_m / params_.wave_m) * (params_.tile_n / params_.wave_n);
}

tile_rect gemm_tiling::wavefront(std::uint32_t t, std::uint32_t w) const {
  const tile_rect tr = tile(t);
  if (w >= wavefronts_per_tile())
    throw std::out_of_range("wavefront " + std::to_string(w) + " out of range [0, " +
                            std::to_string(wavefronts_per_tile()) + ")");
  const std::uint32_t grid_cols = params_.tile_n / params_.wave_n;
  const std::uint64_t r0 = std::uint64_t(w / grid_cols) * params_.wave_m;
  const std::uint64_t c0 = std::uint64_t(w % grid_cols) * params_.wave_n;
  tile_rect r;
  r.row = tr.row + r0;
  r.col = tr.col + c0;
  r.rows = r0 < tr.rows ? std::min<std::uint64_t>(params_.wave_m, tr.rows - r0) : 0;
  r.cols = c0 < tr.cols ? std::min<std::uint64_t>(params_.wave_n, tr.cols - c0) : 0;
  if (r.empty()) r.rows = r.cols = 0;
  return r;
}

std::uint32_t gemm_tiling::active_wavefronts(std::uint32_t t) const {
  const tile_rect tr = tile(t);
  const std::uint64_t wr = ceil_div(tr.rows, params_.wave_m), wc = ceil_div(tr.cols, params_.wave_n);
  return static_cast<std::uint32_t>(wr * wc);
}

std::uint32_t gemm_tiling::wavefront_id(std::uint32_t t, std::uint32_t w) const {
  check_tile(t);
  if (w >= wavefronts_per_tile())
    throw std::out_of_range("wavefront " + std::to_string(w) + " out of range [0, " +
                            std::to_string(wavefronts_per_tile()) + ")");
  return t * wavefronts_per_tile() + w;
}

}  // namespace t3vp
