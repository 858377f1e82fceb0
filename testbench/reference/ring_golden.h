#pragma once
// Golden ring reduction, written independently of the model (workloads/ring_collective.h): the value
// every device holds after a ring all-reduce of p partial T x H FP16 matrices in T3's ring order.
// Rows are split into p chunks of h = ceil(T / p) rows (the last ones shorter or empty); chunk c is
// reduced by the chain of devices c-1, c-2, ..., c+1, c (mod p): acc = P_{c-1}; acc = acc + P_{c-2};
// ...; acc = acc + P_c, each addition an FP16 round-to-nearest-even addition (golden::fp16_add).
#include <cstddef>
#include <cstdint>

namespace t3vp::golden {

// The chunk of row `row` of a `rows`-row matrix split over p devices.
unsigned ring_chunk_of_row(unsigned p, std::uint64_t rows, std::uint64_t row);

// acc[j] = fp16_add(acc[j], x[j]) for j < n: with the host's F16C conversions when it has them and
// allow_f16c is set (8 at a time, the same results), else golden::fp16_add element by element.
void add_fp16_rows(std::uint16_t* acc, const std::uint16_t* x, std::size_t n, bool allow_f16c = true);

// out[col] = the reduced value of (row, col), from the p devices' partial rows partial[d][0..cols).
void ring_reduce_row(unsigned p, std::uint64_t rows, std::uint64_t row, const std::uint16_t* const* partial,
                     std::size_t cols, std::uint16_t* out);

}  // namespace t3vp::golden
