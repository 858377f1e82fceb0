#include "testbench/reference/ring_golden.h"

#include <immintrin.h>
#include "testbench/reference/fp_golden.h"

namespace t3vp::golden {

unsigned ring_chunk_of_row(unsigned p, std::uint64_t rows, std::uint64_t row) {
  const std::uint64_t h = (rows + p - 1) / p;
  return unsigned(row / h);
}

namespace {
// acc[j] = acc[j] + x[j] in FP16 with the host's F16C conversions: FP16 -> float is exact, the float
// sum of two FP16 values rounded once to binary16 is the correctly rounded FP16 sum (24 >= 2*11+2,
// so the float rounding is innocuous), and every NaN becomes the canonical 0x7E00 as in fp16_add.
// It is the same arithmetic as golden::fp16_add, 8 elements at a time (a test compares them).
__attribute__((target("avx,f16c"))) void add_rows_f16c(std::uint16_t* acc, const std::uint16_t* x, std::size_t n) {
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 a = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(acc + j)));
    const __m256 b = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + j)));
    const __m256 s = _mm256_add_ps(a, b);
    __m128i h = _mm256_cvtps_ph(s, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // The compare mask is 32 bits per lane; pack it to 16 bits per lane.
    const __m256i m32 = _mm256_castps_si256(_mm256_cmp_ps(s, s, _CMP_UNORD_Q));
    const __m128i m16 = _mm_packs_epi32(_mm256_castsi256_si128(m32), _mm256_extractf128_si256(m32, 1));
    h = _mm_blendv_epi8(h, _mm_set1_epi16(0x7E00), m16);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(acc + j), h);
  }
  for (; j < n; ++j) acc[j] = fp16_add(acc[j], x[j]);
}

void add_rows_portable(std::uint16_t* acc, const std::uint16_t* x, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) acc[j] = fp16_add(acc[j], x[j]);
}

bool host_has_f16c() {
  static const bool yes = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
  return yes;
}
}  // namespace

void add_fp16_rows(std::uint16_t* acc, const std::uint16_t* x, std::size_t n, bool allow_f16c) {
  if (allow_f16c && host_has_f16c())
    add_rows_f16c(acc, x, n);
  else
    add_rows_portable(acc, x, n);
}

void ring_reduce_row(unsigned p, std::uint64_t rows, std::uint64_t row, const std::uint16_t* const* partial,
                     std::size_t cols, std::uint16_t* out) {
  const unsigned c = ring_chunk_of_row(p, rows, row);
  const unsigned first = (c + p - 1) % p;
  for (std::size_t j = 0; j < cols; ++j) out[j] = partial[first][j];
  for (unsigned i = 2; i <= p; ++i) add_fp16_rows(out, partial[(c + p - i) % p], cols);  // devices c-2, ..., c
}

}  // namespace t3vp::golden
