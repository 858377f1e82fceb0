#pragma once
// Golden GEMM and reduction for the SM's GEMM data path (models/sm/gemm_math.h), written
// independently of the model: conversions by GCC's _Float16 (via fp_golden.h), a plain i-j-k triple
// loop, FP16 additions by the host FPU (golden::fp16_add). Assumes the default FP environment.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace t3vp::golden {

// C[i][j] = fp16( sum_{kk=0..k-1, increasing} float(A[i][kk]) * float(B[kk][j]) ), one float
// accumulator per element starting at +0.0f, one round-to-nearest-even conversion at the end
// (NaN -> 0x7E00). Row-major with leading dimensions in elements.
void gemm_fp16(const std::uint16_t* a, std::size_t lda, const std::uint16_t* b, std::size_t ldb, std::uint16_t* c,
               std::size_t ldc, unsigned m, unsigned n, unsigned k);

// Dense convenience form: a is m x k, b is k x n, the result m x n (leading dimensions = widths).
std::vector<std::uint16_t> gemm_fp16(const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b,
                                     unsigned m, unsigned n, unsigned k);

// ((v[0] + v[1]) + v[2]) + ... with each addition an FP16 round-to-nearest-even addition
// (golden::fp16_add), in the order given. One value is returned unchanged; an empty list gives +0.
std::uint16_t reduce_fp16_in_order(const std::vector<std::uint16_t>& values);

}  // namespace t3vp::golden
