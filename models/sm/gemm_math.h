#pragma once
// Data-path arithmetic of the SM's GEMM kernel (see docs/blocks/gemm_math.md). Pure C++, no SystemC.
//
// Arithmetic contract (what the matrix units compute):
//   C[i][j] = fp16_rne( (((0 + A[i][0]*B[0][j]) + A[i][1]*B[1][j]) + ...) + A[i][k-1]*B[k-1][j] )
//   - FP16 (binary16) inputs, converted exactly to FP32;
//   - each product in FP32 (exact: an FP16 x FP16 product has at most 22 significant bits and lies
//     within FP32's normal range, so it is never rounded);
//   - one FP32 accumulator per output element, starting at +0.0f, adding the products in strictly
//     increasing k, each addition rounded to nearest even in FP32;
//   - a single round-to-nearest-even conversion of the accumulator to FP16 at the end (overflow to
//     infinity, NaN -> canonical 0x7E00).
// No FMA: the sources are compiled with GCC's ISO C++ default -ffp-contract=off (-std=c++17, CMake's
// CMAKE_CXX_EXTENSIONS OFF); since the products are exact, a fused multiply-add would give the same
// bits anyway, and fp_contract_probe() lets a test check the build configuration itself.
//
// Matrices are row-major with leading dimensions in elements. Raw FP16 encodings are std::uint16_t.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace t3vp {

// ---- FP16 <-> FP32 conversions (integer bit manipulation only) ----

// Exact widening of an FP16 encoding to float: zeros, subnormals (normalised), normals, infinities.
// A NaN stays a NaN with the same sign and payload, made quiet (bit 9 of the FP16 mantissa becomes
// bit 22 of the float's).
inline float fp16_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t man = h & 0x3FFu;
  std::uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (man << 13) | (man ? 0x00400000u : 0u);
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (man << 13);  // rebias 15 -> 127
  } else if (man == 0) {
    bits = sign;
  } else {
    // Subnormal: man * 2^-24. Normalise so the leading one lands on bit 10 (the hidden bit).
    const int shift = __builtin_clz(man) - 21;  // man < 2^10: clz >= 22, shift >= 1
    man = (man << shift) & 0x3FFu;
    bits = sign | (std::uint32_t(113 - shift) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Round a float to the nearest FP16, ties to even: float subnormals and tiny values go to (signed)
// zero or FP16 subnormals (gradual underflow), values >= 65520 in magnitude overflow to infinity of
// their sign, infinities stay infinities, and every NaN becomes the canonical quiet NaN 0x7E00.
inline std::uint16_t float_to_fp16_rne(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t abs = u & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7E00;                             // NaN
  const std::uint32_t exp = abs >> 23;                              // biased 127
  if (exp >= 143) return static_cast<std::uint16_t>(sign | 0x7C00);  // >= 2^16 (or inf): overflow
  if (exp >= 113) {
    // FP16 normal range before rounding: keep 10 of the 23 mantissa bits. A rounding carry ripples
    // into the exponent (1.111..1 x 2^e -> 2^(e+1), max finite -> 0x7C00 = inf), which is correct.
    std::uint32_t h = ((exp - 112u) << 10) | ((abs >> 13) & 0x3FFu);
    const std::uint32_t rest = abs & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
    return static_cast<std::uint16_t>(sign | h);
  }
  // FP16 subnormal range (or zero): the value is sig * 2^(exp-150) = (sig >> s) units of 2^-24 with
  // s = 126 - exp >= 14. For s >= 25 the value is below half of 2^-24 and rounds to zero.
  if (exp < 102) return sign;
  const std::uint32_t sig = (abs & 0x7FFFFFu) | 0x800000u;
  const unsigned s = 126u - exp;
  std::uint32_t h = sig >> s;
  const std::uint32_t rest = sig & ((1u << s) - 1u), half = 1u << (s - 1);
  if (rest > half || (rest == half && (h & 1u))) ++h;  // may carry into the smallest normal: fine
  return static_cast<std::uint16_t>(sign | h);
}

// ---- GEMM tiles ----

// C (m x n) = A (m x k) . B (k x n) under the contract above. Row-major; lda >= k, ldb >= n, ldc >= n
// (elements). k == 0 gives +0 everywhere. C must not overlap A or B.
void gemm_tile_fp16(const std::uint16_t* a, std::size_t lda, const std::uint16_t* b, std::size_t ldb,
                    std::uint16_t* c, std::size_t ldc, unsigned m, unsigned n, unsigned k);

// The same computation split over k: adds, for kk = 0..k-1 in increasing order, the products
// A[i][kk] * B[kk][j] into the FP32 accumulator acc[i*ldacc + j] (m x n). `a` points at the first
// column of the k-range (A[0][k0]) and `b` at its first row (B[k0][0]). Starting from an accumulator
// filled with +0.0f, calling this for consecutive k-ranges covering 0..K-1 and then round_tile() gives
// bit-identically the result of gemm_tile_fp16 over K (the additions are the same, in the same order).
void gemm_tile_fp16_accumulate(const std::uint16_t* a, std::size_t lda, const std::uint16_t* b, std::size_t ldb,
                               float* acc, std::size_t ldacc, unsigned m, unsigned n, unsigned k);

// c[i*ldc + j] = float_to_fp16_rne(acc[i*ldacc + j]) for the m x n tile.
void round_tile(const float* acc, std::size_t ldacc, std::uint16_t* c, std::size_t ldc, unsigned m, unsigned n);

// Returns a * b + c evaluated as two roundings (product, then sum), compiled with the same flags as
// the GEMM code. Build-configuration probe for the tests: if this translation unit were compiled with
// FP contraction on a target with FMA, the result would be fused (one rounding) instead.
float fp_contract_probe(float a, float b, float c);

// ---- Deterministic data ----

// splitmix64's output function (a bijection on 64-bit values) applied to z + 0x9E3779B97F4A7C15.
inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The hash of a matrix element: mix64(mix64(mix64(seed) ^ row) ^ col).
inline std::uint64_t element_hash(std::uint64_t seed, std::uint64_t row, std::uint64_t col) {
  return mix64(mix64(mix64(seed) ^ row) ^ col);
}

// GEMM input element (row, col) of the matrix identified by `seed`: with h = element_hash(seed, row,
// col), sign = bit 63, e = bits 62..61, mantissa = bits 60..51, the FP16 value
//   (-1)^sign x 1.mantissa x 2^-(1+e),   i.e. biased exponent 14-e,
// so magnitudes lie in [1/16, 1) with all 10 mantissa bits used (values in (-1, 1), never zero,
// subnormal, infinite or NaN). The same on every run and platform.
std::uint16_t input_value(std::uint64_t seed, std::uint64_t row, std::uint64_t col);

// dst[r*ld + c] = input_value(seed, r, c) for r < rows, c < cols (padding between rows untouched).
void fill_inputs(std::uint64_t seed, std::size_t rows, std::size_t cols, std::uint16_t* dst, std::size_t ld);

// The same for the tile of the matrix whose top-left element is (row0, col0):
// dst[r*ld + c] = input_value(seed, row0 + r, col0 + c).
void fill_inputs_tile(std::uint64_t seed, std::uint64_t row0, std::uint64_t col0, std::size_t rows, std::size_t cols,
                      std::uint16_t* dst, std::size_t ld);

// Synthetic partial output (data.mode = synthetic): device `device`'s contribution to output element
// (row, col). With h = element_hash(synthetic_seed_base + device, row, col), sign = bit 63,
// e = bits 62..60, mantissa = bits 59..50, the FP16 value
//   (-1)^sign x 1.mantissa x 2^(1-e),   i.e. biased exponent 16-e,
// so magnitudes lie in [2^-6, 4) over eight binades with all 10 mantissa bits used. Partials of
// different devices are independent and differ in exponent, so FP16 sums of several devices' partials
// depend on the order of addition (the reduction order is observable in the result).
constexpr std::uint64_t synthetic_seed_base = 0x5EED5EED00000000ull;
std::uint16_t synthetic_partial(unsigned device, std::uint64_t row, std::uint64_t col);

// dst[r*ld + c] = synthetic_partial(device, row0 + r, col0 + c) for r < rows, c < cols.
void fill_synthetic_partials(unsigned device, std::uint64_t row0, std::uint64_t col0, std::size_t rows,
                             std::size_t cols, std::uint16_t* dst, std::size_t ld);

}  // namespace t3vp
