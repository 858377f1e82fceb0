#pragma once
// Dispatch orders of workgroup tiles, and T3's chunk/stage schedule.
//
// Chunks. For the ring reduce-scatter the per-device T x H output is split into N chunks, one owned by each
// device. A chunk is a contiguous range of output ROWS (tokens), so that in the row-major output buffer it
// is one contiguous address range (one remote_map / dma_map region per chunk): chunk c holds rows
// [c.h, min((c+1).h, M)) with h = ceil(M / N). The last chunk may be smaller; when (N-1).h >= M trailing
// chunks are empty (e.g. M = 9, N = 4: 3, 3, 3, 0 rows).
//
// Tiles and chunks. A workgroup tile belongs to the chunk of its FIRST row (chunk_of_tile). Chunk boundaries
// need not align with tile rows; a tile that straddles a boundary is produced with the chunk of its first
// row, so some rows of the next chunk are then produced one stage early (their tracking is no longer
// per-chunk exact) and a chunk may own no tile at all. Alignment holds -- every tile lies wholly in one
// chunk -- iff every interior chunk boundary is a multiple of tile_m, i.e. tile_m divides h = ceil(M/N)
// (or N = 1); chunks_tile_aligned() reports it. For T3, choose T and tile_m so that tile_m | T/N.
//
// Orders (dispatch_order returns tile ids, each exactly once):
//   row_major    : 0, 1, 2, ... (tile rows top to bottom, columns left to right);
//   column_major : tile columns left to right, rows top to bottom within a column;
//   t3_stage     : GPU g of N runs stages s = 1..N; stage s produces chunk (g + s) mod N (stage 1: the chunk
//                  its ring neighbour g-1 needs first; stage N: chunk g, the one g owns); within a stage,
//                  that chunk's tiles in row-major order, or grouped (below) when group_rows > 0.
//   grouped      : bands of group_rows tile rows, top to bottom; within a band, column by column (each
//                  column top to bottom), so that a band's A rows and one B column stay in the L2 while the
//                  band is produced (the "GROUP_M" swizzle of GEMM libraries).
// serpentine (grouped and t3_stage with group_rows > 0): every second band of the dispatch sequence
// runs its columns right to left, so a band starts on the B columns the previous one ended with,
// while they are still in the L2. The parity counts bands in dispatch order (not by position), so
// GPU g+1's order is GPU g's one chunk on, as symmetric execution needs.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/tiling.h"

namespace t3vp {

enum class workgroup_order : std::uint8_t { row_major, column_major, t3_stage, grouped };
const char* to_string(workgroup_order o);  // "row-major", "column-major", "t3-stage", "grouped"
// Case-insensitive; accepts '-' or '_' ("row_major" == "row-major"). Throws std::invalid_argument listing
// the valid values.
workgroup_order parse_workgroup_order(const std::string& s);

// A range of output rows.
struct row_range {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::uint64_t end() const { return first + count; }
  bool empty() const { return count == 0; }
};

// The nominal chunk height h = ceil(rows / n_chunks).
std::uint64_t chunk_height(std::uint64_t rows, std::uint32_t n_chunks);
// The rows of chunk c (0 <= c < n_chunks) of an output with `rows` rows; may be empty (see above).
row_range chunk_rows(std::uint64_t rows, std::uint32_t n_chunks, std::uint32_t c);
row_range chunk_rows(const gemm_tiling& tiling, std::uint32_t n_chunks, std::uint32_t c);
// The chunk holding output row `row`.
std::uint32_t chunk_of_row(std::uint64_t rows, std::uint32_t n_chunks, std::uint64_t row);
// The chunk of a tile: the chunk of its first row.
std::uint32_t chunk_of_tile(const gemm_tiling& tiling, std::uint32_t n_chunks, std::uint32_t tile);
// Whether every tile lies wholly inside one chunk.
bool chunks_tile_aligned(const gemm_tiling& tiling, std::uint32_t n_chunks);
// The tiles assigned to chunk c (by chunk_of_tile), ascending (row-major).
std::vector<std::uint32_t> tiles_of_chunk(const gemm_tiling& tiling, std::uint32_t n_chunks, std::uint32_t c);

// T3 stage schedule of GPU g of n_gpus: stage s in [1, n_gpus] produces chunk (g + s) mod n_gpus.
std::uint32_t chunk_of_stage(std::uint32_t n_gpus, std::uint32_t g, std::uint32_t stage);
std::uint32_t stage_of_chunk(std::uint32_t n_gpus, std::uint32_t g, std::uint32_t chunk);  // in [1, n_gpus]
std::uint32_t stage_of_tile(const gemm_tiling& tiling, std::uint32_t n_gpus, std::uint32_t g, std::uint32_t tile);

// The order in which GPU g of n_gpus dispatches its workgroup tiles: a permutation of [0, tile_count).
// n_gpus and g are validated for every order but only t3_stage depends on them. Throws
// std::invalid_argument for n_gpus < 1 or g >= n_gpus.
std::vector<std::uint32_t> dispatch_order(workgroup_order order, const gemm_tiling& tiling, std::uint32_t n_gpus,
                                          std::uint32_t g, std::uint32_t group_rows = 0, bool serpentine = false);

}  // namespace t3vp
