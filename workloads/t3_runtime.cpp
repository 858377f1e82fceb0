#include "workloads/t3_runtime.h"

#include <stdexcept>
#include <string>
#include "workloads/workgroup_order.h"

namespace t3vp {

t3_program make_t3_program(std::uint64_t rows, std::uint32_t tile_m, unsigned p, unsigned g) {
  if (p < 2) throw std::invalid_argument("T3 needs at least 2 GPUs (got " + std::to_string(p) + ")");
  if (g >= p) throw std::invalid_argument("rank " + std::to_string(g) + " out of range");
  const std::uint64_t h = chunk_height(rows, p);
  if (h % tile_m != 0 && h < rows)
    throw std::invalid_argument("parameter 'gemm.tile_m': T3 tracks whole tiles per chunk, so the tile rows (" +
                                std::to_string(tile_m) + ") must divide the chunk height ceil(M / N) = " +
                                std::to_string(h) + " (the GEMM's M = " + std::to_string(rows) +
                                " rows: workload.tokens, or workload.m of a custom GEMM; N = system.gpus); M = " +
                                std::to_string((rows + std::uint64_t(p) * tile_m - 1) / (std::uint64_t(p) * tile_m) *
                                               (std::uint64_t(p) * tile_m)) +
                                ", the next multiple of N x tile rows, would do");
  t3_program t;
  const unsigned down = (g + p - 1) % p;
  const row_range stage1 = chunk_rows(rows, p, (g + 1) % p);
  t.remote = {stage1.first, stage1.end(), down};
  const row_range own = chunk_rows(rows, p, g);
  t.final_row_begin = own.first;
  t.final_row_end = own.end();
  for (unsigned c = 0; c < p; ++c) {
    const row_range r = chunk_rows(rows, p, c);
    t.dma.push_back({r.first, r.end(), down, c != g && c != (g + 1) % p});
  }
  return t;
}

t3_program make_nmc_reduce_scatter_program(std::uint64_t rows, std::uint32_t tile_m, unsigned p, unsigned g) {
  t3_program t = make_t3_program(rows, tile_m, p, g);
  t.remote = {};
  t.threshold = 1;
  const unsigned stage1 = (g + 1) % p;
  t.dma[stage1].update = true;
  t.kick_region = int(stage1);
  return t;
}

}  // namespace t3vp
