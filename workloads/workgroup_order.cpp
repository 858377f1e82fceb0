#include "workloads/workgroup_order.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace t3vp {
namespace {
void check_n(std::uint32_t n) {
  if (n < 1) throw std::invalid_argument("parameter 'system.gpus': the number of GPUs/chunks must be >= 1 (got 0)");
}

void check_g(std::uint32_t n, std::uint32_t g) {
  check_n(n);
  if (g >= n)
    throw std::invalid_argument("GPU index " + std::to_string(g) + " out of range [0, " + std::to_string(n) + ")");
}

void check_chunk(std::uint32_t n, std::uint32_t c) {
  check_n(n);
  if (c >= n)
    throw std::invalid_argument("chunk " + std::to_string(c) + " out of range [0, " + std::to_string(n) + ")");
}
}  // namespace

const char* to_string(workgroup_order o) {
  switch (o) {
    case workgroup_order::row_major: return "row-major";
    case workgroup_order::column_major: return "column-major";
    case workgroup_order::t3_stage: return "t3-stage";
    case workgroup_order::grouped: return "grouped";
  }
  return "?";
}

workgroup_order parse_workgroup_order(const std::string& s) {
  std::string l(s);
  for (char& ch : l) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (workgroup_order o : {workgroup_order::row_major, workgroup_order::column_major, workgroup_order::t3_stage,
                            workgroup_order::grouped})
    if (l == to_string(o)) return o;
  throw std::invalid_argument("unknown workgroup order '" + s + "' (valid: row-major, column-major, t3-stage, grouped)");
}

std::uint64_t chunk_height(std::uint64_t rows, std::uint32_t n_chunks) {
  check_n(n_chunks);
  return ceil_div(rows, n_chunks);
}

row_range chunk_rows(std::uint64_t rows, std::uint32_t n_chunks, std::uint32_t c) {
  check_chunk(n_chunks, c);
  const std::uint64_t h = chunk_height(rows, n_chunks);
  row_range r;
  r.first = std::min(rows, std::uint64_t(c) * h);
  r.count = std::min(rows, r.first + h) - r.first;
  return r;
}

row_range chunk_rows(const gemm_tiling& tiling, std::uint32_t n_chunks, std::uint32_t c) {
  return chunk_rows(tiling.shape().m, n_chunks, c);
}

std::uint32_t chunk_of_row(std::uint64_t rows, std::uint32_t n_chunks, std::uint64_t row) {
  check_n(n_chunks);
  if (row >= rows)
    throw std::out_of_range("row " + std::to_string(row) + " out of range [0, " + std::to_string(rows) + ")");
  return static_cast<std::uint32_t>(row / chunk_height(rows, n_chunks));
}

std::uint32_t chunk_of_tile(const gemm_tiling& tiling, std::uint32_t n_chunks, std::uint32_t tile) {
  return chunk_of_row(tiling.shape().m, n_chunks, tiling.tile(tile).row);
}

bool chunks_tile_aligned(const gemm_tiling& tiling, std::uint32_t n_chunks) {
  check_n(n_chunks);
  const std::uint64_t m = tiling.shape().m, h = chunk_height(m, n_chunks);
  for (std::uint32_t c = 1; c < n_chunks; ++c) {
    const std::uint64_t boundary = std::uint64_t(c) * h;
    if (boundary >= m) break;
    if (boundary % tiling.params().tile_m != 0) return false;
  }
  return true;
}

std::vector<std::uint32_t> tiles_of_chunk(const gemm_tiling& tiling, std::uint32_t n_chunks, std::uint32_t c) {
  check_chunk(n_chunks, c);
  // Tile row tr starts at row tr . tile_m, so it belongs to chunk c iff c.h <= tr.tile_m < (c+1).h:
  // tr in [ceil(c.h / tile_m), ceil((c+1).h / tile_m)), clipped to the tile grid.
  std::vector<std::uint32_t> out;
  const std::uint64_t h = chunk_height(tiling.shape().m, n_chunks), tm = tiling.params().tile_m;
  const std::uint64_t rows = tiling.tile_rows(), cols = tiling.tile_cols();
  const std::uint64_t first = std::min(rows, ceil_div(std::uint64_t(c) * h, tm));
  const std::uint64_t last = std::min(rows, ceil_div((std::uint64_t(c) + 1) * h, tm));
  out.reserve((last - first) * cols);
  for (std::uint64_t t = first * cols; t < last * cols; ++t) out.push_back(static_cast<std::uint32_t>(t));
  return out;
}

std::uint32_t chunk_of_stage(std::uint32_t n_gpus, std::uint32_t g, std::uint32_t stage) {
  check_g(n_gpus, g);
  if (stage < 1 || stage > n_gpus)
    throw std::invalid_argument("stage " + std::to_string(stage) + " out of range [1, " + std::to_string(n_gpus) + "]");
  return static_cast<std::uint32_t>((std::uint64_t(g) + stage) % n_gpus);
}

std::uint32_t stage_of_chunk(std::uint32_t n_gpus, std::uint32_t g, std::uint32_t chunk) {
  check_g(n_gpus, g);
  check_chunk(n_gpus, chunk);
  const std::uint32_t s = static_cast<std::uint32_t>((std::uint64_t(chunk) + n_gpus - g) % n_gpus);
  return s == 0 ? n_gpus : s;
}

std::uint32_t stage_of_tile(const gemm_tiling& tiling, std::uint32_t n_gpus, std::uint32_t g, std::uint32_t tile) {
  return stage_of_chunk(n_gpus, g, chunk_of_tile(tiling, n_gpus, tile));
}

namespace {
// Tile rows [first, last) appended in bands of `group` rows, column by column within a band (row-major
// when group is 0); with `serpentine`, odd bands of the sequence (counted in `bands`) right to left.
void append_rows(std::vector<std::uint32_t>& out, std::uint32_t first, std::uint32_t last, std::uint32_t cols,
                 std::uint32_t group, bool serpentine, std::uint32_t& bands) {
  if (group == 0) {
    for (std::uint32_t tr = first; tr < last; ++tr)
      for (std::uint32_t tc = 0; tc < cols; ++tc) out.push_back(tr * cols + tc);
    return;
  }
  for (std::uint32_t band = first; band < last; band += group) {
    const std::uint32_t end = std::min(last, band + group);
    const bool reverse = serpentine && bands++ % 2 == 1;
    for (std::uint32_t i = 0; i < cols; ++i) {
      const std::uint32_t tc = reverse ? cols - 1 - i : i;
      for (std::uint32_t tr = band; tr < end; ++tr) out.push_back(tr * cols + tc);
    }
  }
}
}  // namespace

std::vector<std::uint32_t> dispatch_order(workgroup_order order, const gemm_tiling& tiling, std::uint32_t n_gpus,
                                          std::uint32_t g, std::uint32_t group_rows, bool serpentine) {
  check_g(n_gpus, g);
  const std::uint32_t rows = tiling.tile_rows(), cols = tiling.tile_cols();
  std::vector<std::uint32_t> out;
  out.reserve(tiling.tile_count());
  std::uint32_t bands = 0;
  switch (order) {
    case workgroup_order::row_major:
      for (std::uint32_t t = 0; t < tiling.tile_count(); ++t) out.push_back(t);
      break;
    case workgroup_order::column_major:
      for (std::uint32_t tc = 0; tc < cols; ++tc)
        for (std::uint32_t tr = 0; tr < rows; ++tr) out.push_back(tr * cols + tc);
      break;
    case workgroup_order::grouped:
      append_rows(out, 0, rows, cols, std::max<std::uint32_t>(1, group_rows), serpentine, bands);
      break;
    case workgroup_order::t3_stage:
      for (std::uint32_t s = 1; s <= n_gpus; ++s) {
        const std::vector<std::uint32_t> tiles = tiles_of_chunk(tiling, n_gpus, chunk_of_stage(n_gpus, g, s));
        if (tiles.empty()) continue;
        append_rows(out, tiles.front() / cols, tiles.back() / cols + 1, cols, group_rows, serpentine, bands);
      }
      break;
  }
  return out;
}

}  // namespace t3vp
