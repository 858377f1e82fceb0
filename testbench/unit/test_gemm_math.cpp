// The GEMM kernel's data-path arithmetic (models/sm/gemm_math.h) against the independent golden
// (testbench/reference/gemm_golden.h, fp_golden.h): FP16 conversions, bit-exact GEMM tiles, k-chunked
// accumulation, the no-FMA / increasing-k contract, and the deterministic input and synthetic data.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "models/sm/gemm_math.h"
#include "testbench/reference/fp_golden.h"
#include "testbench/reference/gemm_golden.h"

using namespace t3vp;

namespace {

using golden::float_bits;
using golden::bits_float;

bool fp16_is_nan(std::uint16_t h) { return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0; }

// The model's float -> fp16 against the golden; reports the first mismatches.
std::size_t conversion_mismatches(const std::vector<float>& values) {
  std::size_t bad = 0;
  for (float f : values) {
    const std::uint16_t got = float_to_fp16_rne(f), want = golden::float_to_fp16(f);
    if (got != want && ++bad <= 5) {
      UNSCOPED_INFO("float 0x" << std::hex << float_bits(f) << ": model 0x" << got << ", golden 0x" << want << std::dec);
    }
  }
  return bad;
}

// A row-major matrix with a leading dimension, padding filled with a marker.
struct matrix {
  unsigned rows, cols;
  std::size_t ld;
  std::vector<std::uint16_t> data;
  matrix(unsigned r, unsigned c, std::size_t ld_, std::uint16_t pad = 0xFFFF)
      : rows(r), cols(c), ld(ld_), data(std::size_t(r) * ld_, pad) {}
  std::uint16_t* p() { return data.data(); }
  const std::uint16_t* p() const { return data.data(); }
  std::uint16_t at(unsigned r, unsigned c) const { return data[std::size_t(r) * ld + c]; }
};

// Compares the m x n tiles of two matrices; returns the number of differing elements.
std::size_t tile_mismatches(const matrix& got, const matrix& want) {
  std::size_t bad = 0;
  for (unsigned i = 0; i < want.rows; ++i)
    for (unsigned j = 0; j < want.cols; ++j)
      if (got.at(i, j) != want.at(i, j) && ++bad <= 5)
        UNSCOPED_INFO("C[" << i << "][" << j << "]: model 0x" << std::hex << got.at(i, j) << ", golden 0x"
                           << want.at(i, j) << std::dec);
  return bad;
}

// Model and golden on deterministic inputs with the given leading-dimension padding.
void check_gemm_against_golden(unsigned m, unsigned n, unsigned k, std::size_t pad_a, std::size_t pad_b,
                               std::size_t pad_c) {
  matrix a(m, k, k + pad_a), b(k, n, n + pad_b);
  fill_inputs(11, m, k, a.p(), a.ld);
  fill_inputs(22, k, n, b.p(), b.ld);
  matrix c(m, n, n + pad_c, 0xABCD), g(m, n, n + pad_c, 0xABCD);
  gemm_tile_fp16(a.p(), a.ld, b.p(), b.ld, c.p(), c.ld, m, n, k);
  golden::gemm_fp16(a.p(), a.ld, b.p(), b.ld, g.p(), g.ld, m, n, k);
  CHECK(tile_mismatches(c, g) == 0);
  CHECK(c.data == g.data);  // padding untouched by both

  // Not a trivial result: finite values, mostly distinct, spread around zero.
  std::set<std::uint16_t> distinct;
  std::size_t non_finite = 0;
  for (unsigned i = 0; i < m; ++i)
    for (unsigned j = 0; j < n; ++j) {
      distinct.insert(c.at(i, j));
      non_finite += (c.at(i, j) & 0x7C00u) == 0x7C00u;
    }
  CHECK(non_finite == 0);
  CHECK(distinct.size() > std::size_t(m) * n / 20);

  // Sanity against exact (double) dot products, within the FP32 accumulation and FP16 rounding bounds,
  // so that model and golden cannot agree on a wrong formula (e.g. a transposed operand).
  std::size_t out_of_bound = 0;
  for (unsigned i = 0; i < m; i += 7)
    for (unsigned j = 0; j < n; j += 5) {
      double exact = 0, magnitude = 0;
      for (unsigned kk = 0; kk < k; ++kk) {
        const double p = double(golden::fp16_to_float(a.at(i, kk))) * double(golden::fp16_to_float(b.at(kk, j)));
        exact += p;
        magnitude += std::fabs(p);
      }
      const double acc_err = double(k) * 0x1p-24 * magnitude * 1.01;
      const double bound = acc_err + 0x1p-11 * (std::fabs(exact) + acc_err) + 0x1p-25;
      out_of_bound += std::fabs(double(golden::fp16_to_float(c.at(i, j))) - exact) > bound;
    }
  CHECK(out_of_bound == 0);
}

// A = m x k, B = k x n (deterministic), the GEMM done as k-steps of `step` into an FP32 accumulator
// (embedded in a wider array), rounded at the end; compared with the one-shot result.
void check_chunked(unsigned m, unsigned n, unsigned k, unsigned step) {
  matrix a(m, k, k + 3), b(k, n, n + 1);
  fill_inputs(5, m, k, a.p(), a.ld);
  fill_inputs(6, k, n, b.p(), b.ld);
  matrix one(m, n, n), chunked(m, n, n + 2, 0);
  gemm_tile_fp16(a.p(), a.ld, b.p(), b.ld, one.p(), one.ld, m, n, k);

  const std::size_t ldacc = n + 9;
  std::vector<float> acc(std::size_t(m) * ldacc, 0.0f);
  const float sentinel = 12345.0f;
  for (unsigned i = 0; i < m; ++i)
    for (std::size_t j = n; j < ldacc; ++j) acc[i * ldacc + j] = sentinel;
  unsigned steps = 0;
  for (unsigned k0 = 0; k0 < k; k0 += step, ++steps) {
    const unsigned kk = std::min(step, k - k0);
    gemm_tile_fp16_accumulate(a.p() + k0, a.ld, b.p() + std::size_t(k0) * b.ld, b.ld, acc.data(), ldacc, m, n, kk);
  }
  CHECK(steps == (k + step - 1) / step);
  round_tile(acc.data(), ldacc, chunked.p(), chunked.ld, m, n);
  CHECK(tile_mismatches(chunked, one) == 0);
  std::size_t sentinel_changed = 0;
  for (unsigned i = 0; i < m; ++i)
    for (std::size_t j = n; j < ldacc; ++j) sentinel_changed += acc[i * ldacc + j] != sentinel;
  CHECK(sentinel_changed == 0);
}

}  // namespace

// ---- Conversions ----

TEST_CASE("gemm math - fp16_to_float matches the golden for all 65536 encodings and round-trips", "[gemm]") {
  std::size_t bad_value = 0, bad_trip = 0, bad_nan = 0;
  for (std::uint32_t u = 0; u < 0x10000u; ++u) {
    const std::uint16_t h = static_cast<std::uint16_t>(u);
    const float f = fp16_to_float(h);
    const float g = golden::fp16_to_float(h);
    if (fp16_is_nan(h)) {
      // A NaN stays a quiet NaN of the same sign and payload; it narrows back to the canonical NaN.
      const std::uint32_t expected = (std::uint32_t(h & 0x8000u) << 16) | 0x7FC00000u | (std::uint32_t(h & 0x3FFu) << 13);
      bad_nan += !std::isnan(f) || !std::isnan(g) || float_bits(f) != expected || float_to_fp16_rne(f) != 0x7E00;
      continue;
    }
    if (float_bits(f) != float_bits(g) && ++bad_value <= 5)
      UNSCOPED_INFO("fp16 0x" << std::hex << u << ": model 0x" << float_bits(f) << ", golden 0x" << float_bits(g) << std::dec);
    bad_trip += float_to_fp16_rne(f) != h;
  }
  CHECK(bad_value == 0);
  CHECK(bad_trip == 0);
  CHECK(bad_nan == 0);

  CHECK(fp16_to_float(0x3C00) == 1.0f);
  CHECK(fp16_to_float(0x0001) == 0x1p-24f);
  CHECK(fp16_to_float(0x03FF) == 0x3FFp-24f);
  CHECK(fp16_to_float(0x0400) == 0x1p-14f);
  CHECK(fp16_to_float(0x7BFF) == 65504.0f);
  CHECK(fp16_to_float(0xC000) == -2.0f);
  CHECK(std::isinf(fp16_to_float(0x7C00)));
  CHECK(float_bits(fp16_to_float(0x8000)) == 0x80000000u);
}

TEST_CASE("gemm math - float_to_fp16_rne matches the golden on ties, subnormals, overflow and sampled floats", "[gemm]") {
  SECTION("every midpoint between neighbouring fp16 values, and its float neighbours") {
    std::vector<float> values;
    std::size_t bad_tie = 0;
    for (std::uint32_t h = 0; h < 0x7C00u; ++h) {
      const float lo = fp16_to_float(static_cast<std::uint16_t>(h));
      const float hi = h + 1 < 0x7C00u ? fp16_to_float(static_cast<std::uint16_t>(h + 1)) : 65536.0f;
      const float mid = (lo + hi) * 0.5f;  // exact: at most 12 significant bits
      for (float sign : {1.0f, -1.0f}) {
        values.push_back(sign * mid);
        values.push_back(sign * std::nextafter(mid, 0.0f));
        values.push_back(sign * std::nextafter(mid, 1e9f));
        values.push_back(sign * lo);
        // Ties to even: the even one of h and h+1 (h+1 = 0x7C00 at the top: overflow to infinity).
        const std::uint16_t even = static_cast<std::uint16_t>((h & 1u) ? h + 1 : h);
        const std::uint16_t s = sign < 0 ? 0x8000 : 0;
        bad_tie += float_to_fp16_rne(sign * mid) != (s | even);
        bad_tie += float_to_fp16_rne(sign * std::nextafter(mid, 0.0f)) != (s | h);
        bad_tie += float_to_fp16_rne(sign * std::nextafter(mid, 1e9f)) != (s | (h + 1));
      }
    }
    CHECK(bad_tie == 0);
    CHECK(conversion_mismatches(values) == 0);
  }

  SECTION("special values, overflow boundary, underflow boundary") {
    const std::vector<float> values = {0.0f, -0.0f, 1.0f, -1.0f, 65504.0f, 65519.996f, 65520.0f, -65520.0f,
                                       std::nextafter(65520.0f, 0.0f), 65536.0f, 1e10f, -1e30f, 3.4028235e38f,
                                       INFINITY, -INFINITY, NAN, -NAN, bits_float(0x7F800001u), bits_float(0xFFBFFFFFu),
                                       0x1p-24f, 0x1p-25f, std::nextafter(0x1p-25f, 1.0f), 0x1.8p-25f, 0x1p-26f,
                                       0x1.8p-24f, 0x1.4p-24f, 0x1p-14f, std::nextafter(0x1p-14f, 0.0f),
                                       0x1.ffcp-15f, 0x1.ffep-15f, 0x1.ffdp-15f, 0x1p-126f, 0x1p-149f, -0x1p-149f,
                                       bits_float(0x007FFFFFu)};
    CHECK(conversion_mismatches(values) == 0);
    CHECK(float_to_fp16_rne(65519.996f) == 0x7BFF);
    CHECK(float_to_fp16_rne(65520.0f) == 0x7C00);
    CHECK(float_to_fp16_rne(-1e30f) == 0xFC00);
    CHECK(float_to_fp16_rne(NAN) == 0x7E00);
    CHECK(float_to_fp16_rne(-NAN) == 0x7E00);
    CHECK(float_to_fp16_rne(bits_float(0x7F800001u)) == 0x7E00);
    CHECK(float_to_fp16_rne(0x1p-25f) == 0x0000);                        // tie, to even (zero)
    CHECK(float_to_fp16_rne(std::nextafter(0x1p-25f, 1.0f)) == 0x0001);  // just above: up
    CHECK(float_to_fp16_rne(0x1.8p-24f) == 0x0002);                      // 1.5 units: tie to even (2)
    CHECK(float_to_fp16_rne(0x1.ffep-15f) == 0x0400);                    // rounds up into the smallest normal
    CHECK(float_to_fp16_rne(-0x1p-149f) == 0x8000);
  }

  SECTION("float subnormals and a strided sweep of all float encodings") {
    std::vector<float> values;
    for (std::uint64_t u = 0; u <= 0xFFFFFFFFull; u += 4093) values.push_back(bits_float(std::uint32_t(u)));
    for (std::uint32_t u = 0; u < 0x00800000u; u += 997) {
      values.push_back(bits_float(u));
      values.push_back(bits_float(u | 0x80000000u));
    }
    // Dense around the fp16 range: every float exponent from 2^-26 to 2^16, random mantissas.
    std::uint64_t s = 1;
    for (int i = 0; i < 400000; ++i) {
      const std::uint64_t h = mix64(s++);
      const std::uint32_t exp = 101 + std::uint32_t(h % 43);  // 2^-26 .. 2^16
      values.push_back(bits_float(std::uint32_t(h >> 63 << 31) | (exp << 23) | std::uint32_t(h >> 20 & 0x7FFFFFu)));
    }
    CHECK(conversion_mismatches(values) == 0);
  }
}

// ---- GEMM tiles ----

TEST_CASE("gemm math - gemm_tile_fp16 is bit-exact against the golden for 256x256x512", "[gemm]") {
  check_gemm_against_golden(256, 256, 512, 0, 0, 0);
}

TEST_CASE("gemm math - gemm_tile_fp16 is bit-exact against the golden for ragged 300x200x130 with padded strides", "[gemm]") {
  check_gemm_against_golden(300, 200, 130, 3, 5, 7);
}

TEST_CASE("gemm math - small shapes and degenerate dimensions match the golden", "[gemm]") {
  for (unsigned m : {1u, 2u, 3u, 17u})
    for (unsigned n : {1u, 4u, 9u, 33u})
      for (unsigned k : {1u, 2u, 5u, 64u}) {
        INFO(m << "x" << n << "x" << k);
        check_gemm_against_golden(m, n, k, 1, 2, 0);
      }
  // k = 0: all +0; m or n = 0: nothing written.
  matrix a(4, 1, 1), b(1, 4, 4), c(4, 4, 4, 0xABCD);
  gemm_tile_fp16(a.p(), 1, b.p(), 4, c.p(), 4, 4, 4, 0);
  for (std::uint16_t v : c.data) CHECK(v == 0x0000);
  matrix d(4, 4, 4, 0xABCD);
  gemm_tile_fp16(a.p(), 1, b.p(), 4, d.p(), 4, 0, 4, 1);
  gemm_tile_fp16(a.p(), 1, b.p(), 4, d.p(), 4, 4, 0, 1);
  for (std::uint16_t v : d.data) CHECK(v == 0xABCD);
}

TEST_CASE("gemm math - arbitrary encodings (inf, NaN, subnormals, huge values) match the golden", "[gemm]") {
  // Raw random 16-bit patterns: about 3% NaN and inf inputs, overflowing sums, subnormal products.
  const unsigned m = 40, n = 48, k = 24;
  std::vector<std::uint16_t> a(m * k), b(k * n);
  std::uint64_t s = 99;
  for (auto& v : a) v = static_cast<std::uint16_t>(mix64(s++) >> 48);
  for (auto& v : b) v = static_cast<std::uint16_t>(mix64(s++) >> 48);
  std::vector<std::uint16_t> c(m * n);
  gemm_tile_fp16(a.data(), k, b.data(), n, c.data(), n, m, n, k);
  const std::vector<std::uint16_t> g = golden::gemm_fp16(a, b, m, n, k);
  CHECK(c == g);

  // Small magnitudes: products deep in the subnormal range of fp16 (but exact in fp32).
  for (auto& v : a) v &= 0x87FF;  // exponent field <= 1: subnormals and the smallest binade
  for (auto& v : b) v = static_cast<std::uint16_t>(v & 0xBFFF);
  gemm_tile_fp16(a.data(), k, b.data(), n, c.data(), n, m, n, k);
  CHECK(c == golden::gemm_fp16(a, b, m, n, k));

  // Hand-checked: inf * 0 = NaN; inf + (-inf) = NaN; 256 * 256 = 65536 -> inf; -0 products give +0.
  const std::vector<std::uint16_t> a2 = {0x7C00, 0x0000, 0x7C00, 0xFC00, 0x5C00, 0x0000, 0x8000, 0x8000};
  const std::vector<std::uint16_t> b2 = {0x0000, 0x3C00, 0x3C00, 0x3C00, 0x5C00, 0x3C00, 0x3C00, 0x3C00};
  // Each case is a 1 x 2 row times a 2 x 1 column.
  std::uint16_t r = 0;
  gemm_tile_fp16(&a2[0], 2, &b2[0], 1, &r, 1, 1, 1, 2);  // inf*0 + 0*1
  CHECK(r == 0x7E00);
  gemm_tile_fp16(&a2[2], 2, &b2[2], 1, &r, 1, 1, 1, 2);  // inf*1 + (-inf)*1
  CHECK(r == 0x7E00);
  gemm_tile_fp16(&a2[4], 2, &b2[4], 1, &r, 1, 1, 1, 2);  // 256*256 + 0*1
  CHECK(r == 0x7C00);
  gemm_tile_fp16(&a2[6], 2, &b2[6], 1, &r, 1, 1, 1, 2);  // (-0)*1 + (-0)*1, accumulator starts at +0
  CHECK(r == 0x0000);
}

TEST_CASE("gemm math - k-chunked accumulation is bit-identical to the one-shot GEMM", "[gemm]") {
  SECTION("256x256x512 in k-steps of 32") { check_chunked(256, 256, 512, 32); }
  SECTION("ragged 300x200x130 in k-steps of 32 (last step 2)") { check_chunked(300, 200, 130, 32); }
  SECTION("other step sizes") {
    for (unsigned step : {1u, 7u, 64u, 129u, 130u, 1000u}) {
      INFO("step " << step);
      check_chunked(37, 45, 130, step);
    }
  }
}

// ---- The arithmetic contract: no FMA, increasing k, one FP32 accumulator ----

TEST_CASE("gemm math - no FMA contraction in the GEMM build", "[gemm]") {
  // A case where a fused multiply-add and a multiply-then-add differ: (1+2^-12)^2 = 1 + 2^-11 + 2^-24
  // rounds to 1 + 2^-11 in float (tie to even), so mul+add gives 0 where fma gives 2^-24.
  volatile float va = 1.0f + 0x1p-12f, vb = 1.0f + 0x1p-12f, vc = -(1.0f + 0x1p-11f);
  const float a = va, b = vb, c = vc;
  REQUIRE(std::fma(a, b, c) == 0x1p-24f);  // the case does discriminate
  // gemm_math.cpp's own translation unit (same flags as the GEMM loops) must not fuse. A fused
  // result is 2^-24 (float bits 0x33800000); compile with -std=c++17, not gnu++17 / -ffp-contract=fast.
  CHECK(float_bits(fp_contract_probe(a, b, c)) == 0u);
  // Nor this test's (the golden and the tests are built with the same project flags).
  CHECK(float_bits(a * b + c) == 0u);

  // And in the GEMM data path contraction cannot matter: every FP16 x FP16 product is exact in FP32
  // (11 x 11 significant bits <= 24, and 2^-48 .. 2^32 within FP32's normal range), so
  // fma(x, y, acc) == x * y + acc for any accumulator. Checked for all significand pairs across the
  // exponent range, including subnormal x subnormal and max x max.
  std::size_t inexact = 0;
  const std::uint16_t exps[] = {0x00, 0x01, 0x0F, 0x1E};
  for (std::uint32_t ma = 0; ma < 1024; ++ma)
    for (std::uint32_t mb = 0; mb < 1024; ++mb) {
      const std::uint16_t ea = exps[(ma + mb) & 3], eb = exps[(ma * 3 + mb / 3) & 3];
      const std::uint16_t x = static_cast<std::uint16_t>((ea << 10) | ma), y = static_cast<std::uint16_t>((eb << 10) | mb);
      const float fx = fp16_to_float(x), fy = fp16_to_float(y);
      inexact += double(fx * fy) != double(fx) * double(fy);
    }
  CHECK(inexact == 0);
  const float fmax = fp16_to_float(0x7BFF), fmin = fp16_to_float(0x0001);
  CHECK(double(fmax * fmax) == double(fmax) * double(fmax));
  CHECK(double(fmin * fmin) == double(fmin) * double(fmin));
  CHECK(fmin * fmin == 0x1p-48f);
}

TEST_CASE("gemm math - products are summed in increasing k with a single FP32 accumulator", "[gemm]") {
  // Column j's products are [2^s, 2^(s-24), 2^(s-24), -2^s] (s = j % 4): in increasing k each small
  // term is a tie lost to round-to-even and the sum is exactly 0. Any other order or accumulator
  // gives a nonzero FP16: reversed 2^(s-23), pairwise 2^(s-24), a double or Kahan accumulator 2^(s-23).
  const unsigned n = 37, k = 4;
  const std::vector<std::uint16_t> a = {0x3C00, 0x0C00, 0x0C00, 0xBC00};  // 1, 2^-12, 2^-12, -1
  std::vector<std::uint16_t> b(k * n);
  for (unsigned j = 0; j < n; ++j) {
    const std::uint16_t s = static_cast<std::uint16_t>((j % 4) << 10);  // times 2^(j % 4)
    b[0 * n + j] = 0x3C00 + s;                                           // 2^s
    b[1 * n + j] = 0x0C00 + s;                                           // 2^(s-12)
    b[2 * n + j] = 0x0C00 + s;
    b[3 * n + j] = 0x3C00 + s;
  }
  std::vector<std::uint16_t> c(n, 0xFFFF);
  gemm_tile_fp16(a.data(), k, b.data(), n, c.data(), n, 1, n, k);
  for (unsigned j = 0; j < n; ++j) CHECK(c[j] == 0x0000);
  CHECK(golden::gemm_fp16(a, b, 1, n, k) == c);
  // Reversed k order gives 2^(s-23) (subnormal fp16 0x0002 << s): the test discriminates.
  const std::vector<std::uint16_t> ar(a.rbegin(), a.rend());
  std::vector<std::uint16_t> br(k * n);
  for (unsigned q = 0; q < k; ++q)
    for (unsigned j = 0; j < n; ++j) br[q * n + j] = b[(k - 1 - q) * n + j];
  gemm_tile_fp16(ar.data(), k, br.data(), n, c.data(), n, 1, n, k);
  for (unsigned j = 0; j < n; ++j) CHECK(c[j] == (0x0002u << (j % 4)));
  // The same through k-steps of 1.
  std::vector<float> acc(n, 0.0f);
  for (unsigned q = 0; q < k; ++q) gemm_tile_fp16_accumulate(&a[q], k, &b[q * n], n, acc.data(), n, 1, n, 1);
  round_tile(acc.data(), n, c.data(), n, 1, n);
  for (unsigned j = 0; j < n; ++j) CHECK(c[j] == 0x0000);
}

// ---- Deterministic data ----

TEST_CASE("gemm math - input_value is deterministic and in [-1, 1]", "[gemm]") {
  // Pinned values: the formula is part of the contract (docs/blocks/gemm_math.md).
  CHECK(input_value(0, 0, 0) == 0x3470);
  CHECK(input_value(1, 2, 3) == 0xB20E);
  CHECK(input_value(42, 1000000, 7) == 0xB398);

  const unsigned rows = 256, cols = 256;
  std::vector<std::uint16_t> x(rows * (cols + 4), 0xFFFF), y(rows * (cols + 4), 0xFFFF);
  fill_inputs(7, rows, cols, x.data(), cols + 4);
  fill_inputs(7, rows, cols, y.data(), cols + 4);
  CHECK(x == y);
  std::size_t bad = 0, negative = 0, padding = 0, same_other_seed = 0, symmetric = 0;
  std::set<unsigned> exponents, mantissas;
  for (unsigned r = 0; r < rows; ++r) {
    for (unsigned c = 0; c < cols; ++c) {
      const std::uint16_t v = x[r * (cols + 4) + c];
      bad += v != input_value(7, r, c);
      const float f = fp16_to_float(v);
      bad += !(std::fabs(f) >= 0.0625f && std::fabs(f) < 1.0f);
      negative += f < 0;
      exponents.insert(v >> 10 & 0x1F);
      mantissas.insert(v & 0x3FF);
      same_other_seed += input_value(8, r, c) == v;
      symmetric += input_value(7, c, r) == v;
    }
    for (unsigned c = cols; c < cols + 4; ++c) padding += x[r * (cols + 4) + c] != 0xFFFF;
  }
  CHECK(bad == 0);
  CHECK(padding == 0);
  CHECK(exponents == std::set<unsigned>{11, 12, 13, 14});
  CHECK(mantissas.size() == 1024);
  CHECK(negative > rows * cols * 45 / 100);
  CHECK(negative < rows * cols * 55 / 100);
  CHECK(same_other_seed < rows * cols / 1000);
  CHECK(symmetric < rows * cols / 1000 + rows);  // the diagonal is trivially symmetric

  // A tile of a larger matrix is the same as the matrix's elements.
  std::vector<std::uint16_t> t(5 * 9);
  fill_inputs_tile(7, 100, 200, 5, 7, t.data(), 9);
  for (unsigned r = 0; r < 5; ++r)
    for (unsigned c = 0; c < 7; ++c) CHECK(t[r * 9 + c] == input_value(7, 100 + r, 200 + c));
}

TEST_CASE("gemm math - synthetic_partial is deterministic with varied exponents in [-4, 4]", "[gemm]") {
  CHECK(synthetic_partial(0, 0, 0) == 0x25F2);
  CHECK(synthetic_partial(3, 17, 4096) == 0x2F74);
  CHECK(synthetic_partial(7, 123456, 1) == 0x2827);

  std::size_t bad = 0, negative = 0, same_as_device0 = 0;
  std::set<unsigned> exponents;
  std::set<unsigned> mantissas;
  const unsigned rows = 64, cols = 512;
  for (unsigned d = 0; d < 8; ++d) {
    std::vector<std::uint16_t> tile(rows * cols);
    fill_synthetic_partials(d, 1000, 2000, rows, cols, tile.data(), cols);
    for (unsigned r = 0; r < rows; ++r)
      for (unsigned c = 0; c < cols; ++c) {
        const std::uint16_t v = synthetic_partial(d, 1000 + r, 2000 + c);
        bad += v != tile[r * cols + c] || v != synthetic_partial(d, 1000 + r, 2000 + c);
        const float f = fp16_to_float(v);
        bad += !(std::fabs(f) >= 0x1p-6f && std::fabs(f) < 4.0f);
        negative += f < 0;
        exponents.insert(v >> 10 & 0x1F);
        mantissas.insert(v & 0x3FF);
        if (d > 0) same_as_device0 += v == synthetic_partial(0, 1000 + r, 2000 + c);
      }
  }
  CHECK(bad == 0);
  CHECK(exponents == std::set<unsigned>{9, 10, 11, 12, 13, 14, 15, 16});
  CHECK(mantissas.size() == 1024);
  CHECK(negative > 8 * rows * cols * 45 / 100);
  CHECK(negative < 8 * rows * cols * 55 / 100);
  CHECK(same_as_device0 < 7 * rows * cols / 1000);
}

TEST_CASE("gemm math - summing synthetic partials of 8 devices in different orders gives different FP16 results", "[gemm]") {
  // The reduction order must be observable: sum the eight devices' partials of an element with FP16
  // additions in increasing device order, in decreasing order, and in ring order starting at device 3.
  const unsigned rows = 64, cols = 256, devices = 8;
  std::size_t reversed_differs = 0, ring_differs = 0, total = 0;
  for (unsigned r = 0; r < rows; ++r)
    for (unsigned c = 0; c < cols; ++c) {
      std::vector<std::uint16_t> forward, backward, ring;
      for (unsigned d = 0; d < devices; ++d) {
        forward.push_back(synthetic_partial(d, r * 97, c));
        backward.push_back(synthetic_partial(devices - 1 - d, r * 97, c));
        ring.push_back(synthetic_partial((3 + d) % devices, r * 97, c));
      }
      const std::uint16_t f = golden::reduce_fp16_in_order(forward);
      reversed_differs += golden::reduce_fp16_in_order(backward) != f;
      ring_differs += golden::reduce_fp16_in_order(ring) != f;
      ++total;
    }
  // (About 60% differ in both cases; two devices never differ, the addition being commutative.)
  INFO("reversed order differs for " << reversed_differs << " of " << total << ", ring order for " << ring_differs);
  CHECK(reversed_differs > total * 40 / 100);
  CHECK(ring_differs > total * 40 / 100);
}

TEST_CASE("gemm math - golden reduce_fp16_in_order adds in the given order", "[gemm]") {
  CHECK(golden::reduce_fp16_in_order({}) == 0x0000);
  CHECK(golden::reduce_fp16_in_order({0x8000}) == 0x8000);
  CHECK(golden::reduce_fp16_in_order({0x7E01}) == 0x7E01);  // a single value is returned unchanged
  CHECK(golden::reduce_fp16_in_order({0x3C00, 0x3C00, 0x4000}) == 0x4400);  // 1 + 1 + 2 = 4
  // 1 + 2^-11 is a tie lost to even, twice; adding the small terms first keeps them.
  CHECK(golden::reduce_fp16_in_order({0x3C00, 0x1000, 0x1000}) == 0x3C00);
  CHECK(golden::reduce_fp16_in_order({0x1000, 0x1000, 0x3C00}) == 0x3C01);
  CHECK(golden::reduce_fp16_in_order({0x7BFF, 0x7BFF, 0xFBFF}) == 0x7C00);  // overflow sticks
  CHECK(golden::reduce_fp16_in_order({0x7C00, 0xFC00}) == 0x7E00);
}
