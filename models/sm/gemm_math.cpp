// GEMM data-path arithmetic (see gemm_math.h and docs/blocks/gemm_math.md).
//
// Floating-point build requirements, checked where the preprocessor can:
//  - no -ffast-math / -fassociative-math: the k-sum must not be reassociated or vectorised as a
//    reduction (the loops below only vectorise across output columns, each lane keeping its own
//    sequential k order);
//  - FLT_EVAL_METHOD == 0: float operations round to float (no x87 excess precision);
//  - no FP contraction: GCC's default for ISO C++ (-std=c++17, as CMake's CMAKE_CXX_EXTENSIONS OFF
//    gives) is -ffp-contract=off, while -std=gnu++17 would default to -ffp-contract=fast. GCC ignores
//    `#pragma STDC FP_CONTRACT`, and the mode is not visible to the preprocessor, so it is checked at
//    run time through fp_contract_probe() (test_gemm_math.cpp). The GEMM results do not depend on it
//    anyway: an FP16 x FP16 product is exact in FP32, so fma(a, b, acc) == a * b + acc.
#include "models/sm/gemm_math.h"
#include "tlm/host_cpu.h"

#include <algorithm>
#include <cfloat>
#include <vector>

#if defined(__FAST_MATH__)
#error "models/sm/gemm_math.cpp must not be compiled with -ffast-math (the k-summation order is part of the contract)"
#endif
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "models/sm/gemm_math.cpp needs FLT_EVAL_METHOD == 0 (float arithmetic rounded to float)"
#endif

namespace t3vp {
namespace {

// acc[i][j] += sum_kk A[i][kk] * bf[kk][j] (bf: k x n floats, dense), kk increasing, one FP32
// rounding per product-add. i-k-j order: the j loop is independent per column and vectorises.
void accumulate_rows(const std::uint16_t* a, std::size_t lda, const float* bf, float* acc, std::size_t ldacc,
                     unsigned m, unsigned n, unsigned k) {
  for (unsigned i = 0; i < m; ++i) {
    float* __restrict__ row = acc + std::size_t(i) * ldacc;
    const std::uint16_t* arow = a + std::size_t(i) * lda;
    for (unsigned kk = 0; kk < k; ++kk) {
      const float av = fp16_to_float(arow[kk]);
      const float* __restrict__ brow = bf + std::size_t(kk) * n;
      for (unsigned j = 0; j < n; ++j) {
        const float p = av * brow[j];
        row[j] = row[j] + p;
      }
    }
  }
}

// B's k x n block widened to a dense float array (each element converted once, not once per row of A).
std::vector<float> widen(const std::uint16_t* b, std::size_t ldb, unsigned n, unsigned k) {
  std::vector<float> bf(std::size_t(n) * k);
  for (unsigned kk = 0; kk < k; ++kk) {
    const std::uint16_t* src = b + std::size_t(kk) * ldb;
    float* dst = bf.data() + std::size_t(kk) * n;
    for (unsigned j = 0; j < n; ++j) dst[j] = fp16_to_float(src[j]);
  }
  return bf;
}

}  // namespace

void gemm_tile_fp16_accumulate(const std::uint16_t* a, std::size_t lda, const std::uint16_t* b, std::size_t ldb,
                               float* acc, std::size_t ldacc, unsigned m, unsigned n, unsigned k) {
  if (m == 0 || n == 0 || k == 0) return;
  const std::vector<float> bf = widen(b, ldb, n, k);
  accumulate_rows(a, lda, bf.data(), acc, ldacc, m, n, k);
}

void round_tile(const float* acc, std::size_t ldacc, std::uint16_t* c, std::size_t ldc, unsigned m, unsigned n) {
  for (unsigned i = 0; i < m; ++i) {
    const float* src = acc + std::size_t(i) * ldacc;
    std::uint16_t* dst = c + std::size_t(i) * ldc;
    for (unsigned j = 0; j < n; ++j) dst[j] = float_to_fp16_rne(src[j]);
  }
}

void gemm_tile_fp16(const std::uint16_t* a, std::size_t lda, const std::uint16_t* b, std::size_t ldb,
                    std::uint16_t* c, std::size_t ldc, unsigned m, unsigned n, unsigned k) {
  if (m == 0 || n == 0) return;
  const std::vector<float> bf = widen(b, ldb, n, k);
  // One accumulator row at a time (n floats stay in L1 while B streams by).
  std::vector<float> acc(n);
  for (unsigned i = 0; i < m; ++i) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    accumulate_rows(a + std::size_t(i) * lda, lda, bf.data(), acc.data(), n, 1, n, k);
    round_tile(acc.data(), n, c + std::size_t(i) * ldc, ldc, 1, n);
  }
}

float fp_contract_probe(float a, float b, float c) { return a * b + c; }

namespace {

// The FP16 encodings of input_value() and synthetic_partial() from an element hash.
std::uint16_t input_from_hash(std::uint64_t h) {
  const std::uint32_t sign = std::uint32_t(h >> 63);
  const std::uint32_t e = std::uint32_t(h >> 61) & 3u;
  const std::uint32_t man = std::uint32_t(h >> 51) & 0x3FFu;
  return static_cast<std::uint16_t>((sign << 15) | ((14u - e) << 10) | man);
}

std::uint16_t partial_from_hash(std::uint64_t h) {
  const std::uint32_t sign = std::uint32_t(h >> 63);
  const std::uint32_t e = std::uint32_t(h >> 60) & 7u;
  const std::uint32_t man = std::uint32_t(h >> 50) & 0x3FFu;
  return static_cast<std::uint16_t>((sign << 15) | ((16u - e) << 10) | man);
}

// out[c] = Encode(mix64(hr ^ (col0 + c))) for c < cols: one row of a tile. Synthetic data fills every
// partial the GEMM stores and the golden the check compares with (a tenth of a collective run's
// instructions), so the host's vector units do it where it has them: the integer operations give
// the same bits at any width, and AVX-512DQ has the 64-bit multiply that mix64 needs.
template <std::uint16_t (*Encode)(std::uint64_t)>
inline void hash_row(std::uint64_t hr, std::uint64_t col0, std::size_t cols, std::uint16_t* out) {
  for (std::size_t c = 0; c < cols; ++c) out[c] = Encode(mix64(hr ^ (col0 + c)));
}
template <std::uint16_t (*Encode)(std::uint64_t)>
[[gnu::target("avx512f,avx512dq,avx512vl,avx512bw")]] void hash_row_avx512(std::uint64_t hr, std::uint64_t col0,
                                                                            std::size_t cols, std::uint16_t* out) {
  hash_row<Encode>(hr, col0, cols, out);
}
const bool host_has_avx512dq = host_cpu().avx512_dq_vl_bw;

// dst[r*ld + c] = Encode(element_hash(seed, row0 + r, col0 + c)), the row part of the hash hoisted.
template <std::uint16_t (*Encode)(std::uint64_t)>
void fill_tile(std::uint64_t seed, std::uint64_t row0, std::uint64_t col0, std::size_t rows, std::size_t cols,
               std::uint16_t* dst, std::size_t ld) {
  const std::uint64_t hs = mix64(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint64_t hr = mix64(hs ^ (row0 + r));
    if (host_has_avx512dq) hash_row_avx512<Encode>(hr, col0, cols, dst + r * ld);
    else hash_row<Encode>(hr, col0, cols, dst + r * ld);
  }
}

}  // namespace

std::uint16_t input_value(std::uint64_t seed, std::uint64_t row, std::uint64_t col) {
  return input_from_hash(element_hash(seed, row, col));
}

void fill_inputs_tile(std::uint64_t seed, std::uint64_t row0, std::uint64_t col0, std::size_t rows, std::size_t cols,
                      std::uint16_t* dst, std::size_t ld) {
  fill_tile<input_from_hash>(seed, row0, col0, rows, cols, dst, ld);
}

void fill_inputs(std::uint64_t seed, std::size_t rows, std::size_t cols, std::uint16_t* dst, std::size_t ld) {
  fill_inputs_tile(seed, 0, 0, rows, cols, dst, ld);
}

std::uint16_t synthetic_partial(unsigned device, std::uint64_t row, std::uint64_t col) {
  return partial_from_hash(element_hash(synthetic_seed_base + device, row, col));
}

void fill_synthetic_partials(unsigned device, std::uint64_t row0, std::uint64_t col0, std::size_t rows,
                             std::size_t cols, std::uint16_t* dst, std::size_t ld) {
  fill_tile<partial_from_hash>(synthetic_seed_base + device, row0, col0, rows, cols, dst, ld);
}

}  // namespace t3vp
