#pragma once
// T3's runtime calls (reference/t3.md section 2) for the fused GEMM -> reduce-scatter of GPU g of N
// on a T x H output, as data the host driver turns into register writes:
//   remote_map: the chunk GPU g produces at stage 1, (g+1) mod N, is stored into GPU g-1's memory;
//   dma_map:    every other chunk c != g is, once a tile has its local and its incoming contribution,
//               sent as an update of that tile to GPU g-1; chunk g is final at GPU g.
// Chunks are the row ranges of workgroup_order.h; a tile belongs to the chunk of its first row, so T3
// needs every chunk boundary on a tile boundary (tile_m | ceil(T / N)).
#include <cstdint>
#include <vector>

namespace t3vp {

struct remote_map_call {
  std::uint64_t row_begin = 0, row_end = 0;  // rows whose tiles are stored remotely
  unsigned gpu = 0;                          // into this GPU's memory, same addresses
};

struct dma_map_call {
  std::uint64_t row_begin = 0, row_end = 0;
  unsigned dst_gpu = 0;
  bool update = true;  // false: no transfer (the region is final here, or never receives anything)
};

struct t3_program {
  remote_map_call remote;
  std::vector<dma_map_call> dma;  // one region per chunk
  std::uint64_t final_row_begin = 0, final_row_end = 0;
  unsigned threshold = 2;  // contributions per tile: the local GEMM's and the one from GPU g+1
  int kick_region = -1;    // a region the driver starts by hand (DMA KICK), -1 none
};

// Throws std::invalid_argument for devices < 2, rank >= devices, or chunk boundaries that are not tile
// boundaries (naming gemm.tile_m and workload.tokens).
t3_program make_t3_program(std::uint64_t rows, std::uint32_t tile_m, unsigned devices, unsigned rank);

// The reduce-scatter of Ideal-RS+NMC, run alone on partials already in memory: the driver kicks the
// DMA of chunk (g+1) mod N into GPU g-1, where the NMC adds it onto g-1's own partial; every tile that
// then has its one incoming contribution is sent on by the tracker and DMA like T3's; chunk g is final.
t3_program make_nmc_reduce_scatter_program(std::uint64_t rows, std::uint32_t tile_m, unsigned devices, unsigned rank);

}  // namespace t3vp
