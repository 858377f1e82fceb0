#pragma once
// Ring collectives as the baseline runs them (RCCL/NCCL-like kernels on SMs), as per-device step
// programs that the collective engine (models/collective) executes.
//
// The tensor: rows x cols FP16, row-major, the same local address `buffer` on every GPU (symmetric
// allocation). Chunk c is the row range chunk_rows(rows, p, c) (workgroup_order.h): a contiguous byte
// range, possibly empty. The ring sends from device g to device g-1 (mod p), as in T3 (reference/t3.md
// section 2), so that chunk c accumulates the partials of devices c-1, c-2, ..., c+1, c in that order:
//
// reduce-scatter, device g, steps s = 1..p, chunk c = (g + s) mod p:
//   s = 1:        read own partial of c, send it into device g-1's receive buffer (at the chunk's offset);
//   1 < s < p:    wait for c in the receive buffer (sent by g+1), read it and own partial, add (FP16, RNE),
//                 send the sum into device g-1's receive buffer;
//   s = p (c=g):  as above but write the sum into own buffer: chunk g is reduced.
// all-gather, device g, steps s = 1..p-1:
//   s = 1:        read own (reduced) chunk g, send it into device g-1's buffer at chunk g;
//   s > 1:        wait for chunk c = (g + s - 1) mod p in own buffer (sent by g+1), read it, send it on.
//   Device g receives every chunk but g into its buffer.
// A step waits for the WHOLE incoming chunk before it starts (step-synchronous, like the alpha-beta
// model of reference/t3.md section 6); within a step the chunk's slices are spread over the SMs.
#include <cstdint>
#include <string>
#include <vector>

namespace t3vp {

enum class ring_op : std::uint8_t { reduce_scatter, all_gather };
const char* to_string(ring_op op);

struct ring_step {
  unsigned step = 0;          // 1-based
  std::uint32_t chunk = 0;
  std::uint64_t offset = 0;   // byte offset of the chunk in the tensor (and in the receive buffer)
  std::uint64_t bytes = 0;    // chunk bytes (0: nothing to do)
  bool wait_incoming = false; // the chunk must first arrive from device g+1
  bool add = false;           // reduce: own partial + received
  bool send = true;           // to device `to`; otherwise the result is written locally
  std::uint64_t src = 0;      // where the data read first lives (own partial or own copy)
  std::uint64_t recv = 0;     // the received data (when add)
  std::uint64_t dst = 0;      // local address at the destination (remote when send, own otherwise)
};

struct ring_program {
  ring_op op = ring_op::reduce_scatter;
  unsigned devices = 1, rank = 0, to = 0, from = 0;  // ring neighbours: send to `to`, receive from `from`
  std::vector<ring_step> steps;
  // Chunks this device receives (reduce-scatter: into the receive buffer; all-gather: into the tensor)
  // and their bytes: the kernel is complete only when all have landed.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> incoming;
};

struct ring_tensor {
  std::uint64_t rows = 0, cols = 0;
  unsigned element_bytes = 2;
  std::uint64_t buffer = 0;  // local address of the tensor (symmetric on every GPU)
  std::uint64_t recv = 0;    // local address of the receive buffer (reduce-scatter; as large as the tensor)
  std::uint64_t bytes() const { return rows * cols * element_bytes; }
};

// Byte range of chunk c.
std::uint64_t ring_chunk_offset(const ring_tensor& t, unsigned devices, std::uint32_t c);
std::uint64_t ring_chunk_bytes(const ring_tensor& t, unsigned devices, std::uint32_t c);

// The program of device `rank` of `devices` (>= 2). Throws std::invalid_argument for devices < 2 or
// rank >= devices.
ring_program make_ring_program(ring_op op, const ring_tensor& t, unsigned devices, unsigned rank);

// Analytic DRAM bytes of one device for one collective (docs/blocks/collective_engine.md):
//   reduce-scatter: read = |c_{g+1}| + 2 sum_{s=2..p} |c_{g+s}|, write = sum_{s=2..p} |c_{g+s}| (arriving) + |c_g|;
//   all-gather:     read = |c_g| + sum_{s=2..p-1} |c_{g+s-1}|, write = sum_{c != g} |c|.
struct ring_dram_bytes {
  std::uint64_t read = 0, write = 0;
};
ring_dram_bytes ring_dram_traffic(ring_op op, const ring_tensor& t, unsigned devices, unsigned rank);
// Payload bytes device `rank` sends over its link.
std::uint64_t ring_link_bytes(ring_op op, const ring_tensor& t, unsigned devices, unsigned rank);

}  // namespace t3vp
