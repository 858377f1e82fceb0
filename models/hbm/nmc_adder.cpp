// Integer-only IEEE 754 adder of the near-bank NMC unit (see nmc_adder.h).
//
// One datapath, parameterized by the exponent and mantissa widths, as an RTL generator would be:
//   1. operands with an all-ones exponent (inf, NaN) take the special path;
//   2. order the operands by magnitude (|hi| >= |lo|, comparing the encodings without sign), so the
//      result takes hi's sign and an effective subtraction never goes negative;
//   3. unpack: significands get the hidden bit (subnormals: none, and exponent 1) and three extra
//      low bits (guard, round, sticky); lo is shifted right by the exponent difference, the bits
//      shifted out are ORed into the sticky bit;
//   4. add or subtract;
//   5. normalize: one right shift on carry-out (sticky kept), or a left shift by the leading-zero
//      count after cancellation, stopped at the minimum exponent (subnormal result);
//   6. round to nearest even on guard/round/sticky, and pack. Packing adds the rounded significand
//      (hidden bit included) onto (exponent - 1) << M, so a rounding carry propagates into the
//      exponent for free: subnormal -> smallest normal, 1.11..1 -> 10.0, and max finite -> inf.
// Three extra bits suffice: a left shift by more than one position only happens when the exponent
// difference is at most 1, where the alignment lost no bit. When the sticky bit was set, the
// computed sum is odd in units of the sticky position and within one such unit of the exact sum,
// so both lie strictly between the same two rounding midpoints (which are even in those units,
// also after a one-position normalization shift): the rounding is the same and never a tie.
#include "models/hbm/nmc_adder.h"

#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include "tlm/host_cpu.h"

namespace t3vp {
namespace {

// Encoding constants of a format: E exponent bits, M stored mantissa bits, storage type U.
template <unsigned E, unsigned M, typename U>
struct fp_format {
  static_assert(E + M + 1 == sizeof(U) * 8, "encoding must fill its storage type");
  static constexpr U sign_bit = U(U(1) << (E + M));
  static constexpr U abs_mask = U(sign_bit - 1);
  static constexpr U inf = U(U((1u << E) - 1) << M);
  static constexpr U qnan = U(inf | U(U(1) << (M - 1)));  // canonical quiet NaN
  static constexpr int exp_max = (1 << E) - 1;
};

// Some operand is inf or NaN (all-ones exponent).
template <unsigned E, unsigned M, typename U>
[[gnu::cold, gnu::noinline]] U fp_add_special(U a, U b) {
  using F = fp_format<E, M, U>;
  const U ua = U(a & F::abs_mask);
  const U ub = U(b & F::abs_mask);
  if (ua > F::inf || ub > F::inf) return F::qnan;
  if (ua == F::inf) {
    if (ub == F::inf && ((a ^ b) & F::sign_bit)) return F::qnan;  // inf - inf
    return a;
  }
  return b;
}

// The datapath is 32 bits wide (encodings are widened on entry): a significand of M + 1 bits,
// 3 rounding bits and a carry bit need M + 5 <= 32 bits. Apart from the rare special operands,
// exact zero and overflow, it is written without data-dependent branches (selects only), so random
// signs and magnitudes (the common case of a reduction) cost no branch mispredictions.
template <unsigned E, unsigned M, typename U>
[[gnu::always_inline]] inline U fp_add(U a_in, U b_in) {
  static_assert(M + 5 <= 32, "datapath is 32 bits wide");
  using F = fp_format<E, M, U>;
  constexpr std::uint32_t sign_bit = F::sign_bit;
  constexpr std::uint32_t abs_mask = F::abs_mask;
  constexpr std::uint32_t inf = F::inf;
  constexpr std::uint32_t hidden = std::uint32_t(1) << M;
  constexpr std::uint32_t mant_mask = hidden - 1;
  constexpr unsigned grs_bits = 3;
  constexpr int norm_pos = int(M + grs_bits);  // hidden-bit position in the datapath

  const std::uint32_t a = a_in;
  const std::uint32_t b = b_in;
  const std::uint32_t ua = a & abs_mask;
  const std::uint32_t ub = b & abs_mask;
  if (__builtin_expect(ua >= inf || ub >= inf, 0)) return fp_add_special<E, M, U>(a_in, b_in);

  // Order by magnitude: |hi| >= |lo|; the result takes hi's sign. Mask selects rather than ?: so
  // that the compiler does not turn the swap into a (data-dependent, unpredictable) branch.
  const std::uint32_t swap = 0u - std::uint32_t(ua < ub);
  const std::uint32_t uhi = ua ^ ((ua ^ ub) & swap);
  const std::uint32_t ulo = ub ^ ((ua ^ ub) & swap);
  const std::uint32_t sign = (a ^ ((a ^ b) & swap)) & sign_bit;
  const std::uint32_t subtract = ((a ^ b) >> (E + M)) & 1u;

  // Unpack; subnormals (and zeros) have exponent 1 and no hidden bit.
  int ehi = int(uhi >> M);
  int elo = int(ulo >> M);
  const std::uint32_t sighi = ((uhi & mant_mask) | (ehi != 0 ? hidden : 0)) << grs_bits;
  const std::uint32_t siglo = ((ulo & mant_mask) | (elo != 0 ? hidden : 0)) << grs_bits;
  ehi += ehi == 0;
  elo += elo == 0;

  // Align lo to hi (ehi >= elo); bits shifted out of the datapath are ORed into the sticky bit.
  unsigned d = unsigned(ehi - elo);
  d = d > 31 ? 31 : d;
  std::uint32_t aligned = siglo >> d;
  aligned |= (aligned << d) != siglo;

  // Add or subtract (two's complement of lo when the signs differ; hi >= lo, so no borrow out).
  const std::uint32_t neg = 0u - subtract;
  std::uint32_t sum = sighi + ((aligned ^ neg) - neg);
  if (__builtin_expect(sum == 0, 0)) return U(subtract ? 0u : sign);  // x + (-x) = +0; -0 + -0 = -0

  // Normalize: a carry out shifts right by one (keeping sticky); a cancellation shifts left up to
  // the hidden-bit position, but not below the minimum exponent (the result is then subnormal).
  const int lead = 31 - __builtin_clz(sum);
  const std::uint32_t carry = lead > norm_pos;
  sum = (sum >> carry) | (sum & carry);
  int e = ehi + int(carry);
  int left = norm_pos - lead;
  left = left < 0 ? 0 : left;
  left = left > e - 1 ? e - 1 : left;
  sum <<= left;
  e -= left;
  if (__builtin_expect(e >= F::exp_max, 0)) return U(sign | inf);

  // Round to nearest, ties to even: add just under half an ulp, plus one if the kept LSB is odd,
  // then truncate (guard/round/sticky = 100 rounds up only from an odd LSB).
  sum = (sum + ((1u << (grs_bits - 1)) - 1) + ((sum >> grs_bits) & 1u)) >> grs_bits;

  // Pack: the significand's hidden bit (or rounding carry) adds into the exponent field.
  return U(sign | ((std::uint32_t(e - 1) << M) + sum));
}

// Little-endian element access at any alignment (memcpy on a little-endian host compiles to one
// plain load or store).
template <typename U>
inline U load_le(const std::uint8_t* p) {
  U v;
  if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
    std::memcpy(&v, p, sizeof v);
  } else {
    v = 0;
    for (unsigned i = 0; i < sizeof(U); ++i) v = U(v | U(U(p[i]) << (8 * i)));
  }
  return v;
}

template <typename U>
inline void store_le(std::uint8_t* p, U v) {
  if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (unsigned i = 0; i < sizeof(U); ++i) p[i] = std::uint8_t(v >> (8 * i));
  }
}

template <typename U, U (*Add)(U, U)>
inline void add_buffer(std::uint8_t* dst, const std::uint8_t* src, std::size_t bytes) {
  const std::size_t n = bytes / sizeof(U);
  for (std::size_t i = 0; i < n; ++i, dst += sizeof(U), src += sizeof(U))
    store_le<U>(dst, Add(load_le<U>(dst), load_le<U>(src)));
}

// fp16 on the integer datapath: the reference the fast path below falls back to.
inline void add_fp16_integer(std::uint8_t* dst, const std::uint8_t* src, std::size_t bytes) {
  add_buffer<std::uint16_t, fp_add<5, 10, std::uint16_t>>(dst, src, bytes);
}

#if defined(__x86_64__)
// The simulator's fast path for fp16 buffers (the integer datapath above stays the reference): the
// host converts 8 halves at a time to float, adds, and rounds back to nearest even. A float sum of
// two halves rounded to half equals the correctly rounded half sum (24 >= 2 * 11 + 2 bits, so the
// double rounding is innocuous; half subnormals are float normals). Groups holding an inf or NaN
// take the integer path (canonical NaN). Tests hold both paths bit-identical.
[[gnu::target("avx,f16c")]] void add_fp16_f16c(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) {
  const __m128i exp_mask = _mm_set1_epi16(0x7C00);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint8_t* d = dst + 2 * i;
    const std::uint8_t* s = src + 2 * i;
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    const __m128i special = _mm_or_si128(_mm_cmpeq_epi16(_mm_and_si128(a, exp_mask), exp_mask),
                                         _mm_cmpeq_epi16(_mm_and_si128(b, exp_mask), exp_mask));
    if (!_mm_testz_si128(special, special)) {
      add_fp16_integer(d, s, 16);
      continue;
    }
    const __m256 sum = _mm256_add_ps(_mm256_cvtph_ps(a), _mm256_cvtph_ps(b));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d), _mm256_cvtps_ph(sum, _MM_FROUND_TO_NEAREST_INT));
  }
  add_fp16_integer(dst + 2 * i, src + 2 * i, 2 * (n - i));
}

const bool host_has_f16c = host_cpu().f16c;
#endif

}  // namespace

std::uint16_t fp16_add(std::uint16_t a, std::uint16_t b) { return fp_add<5, 10, std::uint16_t>(a, b); }
std::uint16_t bf16_add(std::uint16_t a, std::uint16_t b) { return fp_add<8, 7, std::uint16_t>(a, b); }
std::uint32_t fp32_add(std::uint32_t a, std::uint32_t b) { return fp_add<8, 23, std::uint32_t>(a, b); }

void nmc_add(elem_type t, std::uint8_t* dst, const std::uint8_t* src, std::size_t bytes) {
  switch (t) {
    case elem_type::fp16:
#if defined(__x86_64__)
      // (dst == src, dst = dst + dst, is fine: each group is loaded before it is stored)
      if (host_has_f16c) return add_fp16_f16c(dst, src, bytes / 2);
#endif
      add_fp16_integer(dst, src, bytes);
      return;
    case elem_type::bf16: add_buffer<std::uint16_t, fp_add<8, 7, std::uint16_t>>(dst, src, bytes); return;
    case elem_type::fp32: add_buffer<std::uint32_t, fp_add<8, 23, std::uint32_t>>(dst, src, bytes); return;
  }
}

void nmc_add_reference(elem_type t, std::uint8_t* dst, const std::uint8_t* src, std::size_t bytes) {
  if (t == elem_type::fp16) return add_fp16_integer(dst, src, bytes);
  nmc_add(t, dst, src, bytes);
}

}  // namespace t3vp
