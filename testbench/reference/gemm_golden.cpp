// Golden GEMM (see gemm_golden.h). Deliberately simple and independent of models/sm/gemm_math.*:
// _Float16 conversions (fp_golden.h), an i-j-k loop with a scalar float accumulator. The k loop is a sequential
// float reduction, which GCC neither reorders nor vectorises without -ffast-math (rejected below).
#include "testbench/reference/gemm_golden.h"

#include "testbench/reference/fp_golden.h"

#if defined(__FAST_MATH__)
#error "the golden GEMM must not be compiled with -ffast-math"
#endif

namespace t3vp::golden {
void gemm_fp16(const std::uint16_t* a, std::size_t lda, const std::uint16_t* b, std::size_t ldb, std::uint16_t* c,
               std::size_t ldc, unsigned m, unsigned n, unsigned k) {
  // Widen once: A row-major, B transposed (column j contiguous) so the dot products stream.
  std::vector<float> af(std::size_t(m) * k), bt(std::size_t(n) * k);
  for (unsigned i = 0; i < m; ++i)
    for (unsigned kk = 0; kk < k; ++kk) af[std::size_t(i) * k + kk] = fp16_to_float(a[i * lda + kk]);
  for (unsigned kk = 0; kk < k; ++kk)
    for (unsigned j = 0; j < n; ++j) bt[std::size_t(j) * k + kk] = fp16_to_float(b[kk * ldb + j]);

  for (unsigned i = 0; i < m; ++i) {
    const float* x = af.data() + std::size_t(i) * k;
    for (unsigned j = 0; j < n; ++j) {
      const float* y = bt.data() + std::size_t(j) * k;
      float sum = 0.0f;
      for (unsigned kk = 0; kk < k; ++kk) {
        const float product = x[kk] * y[kk];
        sum = sum + product;
      }
      c[i * ldc + j] = float_to_fp16(sum);
    }
  }
}

std::vector<std::uint16_t> gemm_fp16(const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b,
                                     unsigned m, unsigned n, unsigned k) {
  std::vector<std::uint16_t> c(std::size_t(m) * n);
  gemm_fp16(a.data(), k, b.data(), n, c.data(), n, m, n, k);
  return c;
}

std::uint16_t reduce_fp16_in_order(const std::vector<std::uint16_t>& values) {
  if (values.empty()) return 0;
  std::uint16_t sum = values[0];
  for (std::size_t i = 1; i < values.size(); ++i) sum = fp16_add(sum, values[i]);
  return sum;
}

}  // namespace t3vp::golden
