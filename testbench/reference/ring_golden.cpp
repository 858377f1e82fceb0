#include "testbench/reference/ring_golden.h"

#include "testbench/reference/fp_golden.h"

namespace t3vp::golden {

unsigned ring_chunk_of_row(unsigned p, std::uint64_t rows, std::uint64_t row) {
  const std::uint64_t h = (rows + p - 1) / p;
  return unsigned(row / h);
}

void ring_reduce_row(unsigned p, std::uint64_t rows, std::uint64_t row, const std::uint16_t* const* partial,
                     std::size_t cols, std::uint16_t* out) {
  const unsigned c = ring_chunk_of_row(p, rows, row);
  const unsigned first = (c + p - 1) % p;
  for (std::size_t j = 0; j < cols; ++j) out[j] = partial[first][j];
  for (unsigned i = 2; i <= p; ++i) {  // devices c-2, ..., c
    const unsigned d = (c + p - i) % p;
    for (std::size_t j = 0; j < cols; ++j) out[j] = fp16_add(out[j], partial[d][j]);
  }
}

}  // namespace t3vp::golden
