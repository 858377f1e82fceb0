// Golden tests of the near-memory adder's arithmetic (models/hbm/nmc_adder.h): the integer-only
// model against the host-FPU golden (testbench/reference/fp_golden.h), bit for bit, over special
// values, subnormal boundaries, exhaustive sweeps of one operand, constructed ties and millions of
// random pairs biased towards the hard cases (close exponents / cancellation, far exponents,
// subnormals, overflow). No SystemC kernel use.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "models/hbm/nmc_adder.h"
#include "testbench/reference/fp_golden.h"

namespace {

using t3vp::elem_type;

// splitmix64: small, fast and deterministic across platforms.
struct rng {
  std::uint64_t s;
  explicit rng(std::uint64_t seed) : s(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint32_t u32() { return std::uint32_t(next() >> 32); }
  // Uniform in [lo, hi].
  int range(int lo, int hi) { return lo + int(next() % std::uint64_t(hi - lo + 1)); }
};

// Encoding layout of one format.
template <typename U, unsigned E, unsigned M>
struct format {
  using bits = U;
  static constexpr unsigned exp_bits = E;
  static constexpr unsigned mant_bits = M;
  static constexpr int exp_max = (1 << E) - 1;  // all-ones exponent (inf / NaN)
  static constexpr U sign_bit = U(U(1) << (E + M));
  static constexpr U mant_mask = U((U(1) << M) - 1);
  static constexpr U inf = U(U(exp_max) << M);
  static U make(bool neg, int exp, U mant) { return U((neg ? sign_bit : 0) | (U(exp) << M) | (mant & mant_mask)); }
  static int exponent(U x) { return int((x >> M) & U(exp_max)); }
  static U random_mant(rng& r) { return U(r.next() & mant_mask); }
};
using fp16_fmt = format<std::uint16_t, 5, 10>;
using bf16_fmt = format<std::uint16_t, 8, 7>;
using fp32_fmt = format<std::uint32_t, 8, 23>;

std::string hex(std::uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, unsigned(v));
  return buf;
}

// Compares model against golden over many pairs without one Catch assertion per pair; reports the
// first mismatches.
template <typename U>
struct checker {
  using fn = U (*)(U, U);
  const char* name;
  fn model;
  fn gold;
  std::uint64_t pairs = 0;
  std::uint64_t mismatches = 0;
  std::string first;

  checker(const char* n, fn m, fn g) : name(n), model(m), gold(g) {}
  void operator()(U a, U b) {
    ++pairs;
    const U m = model(a, b);
    const U g = gold(a, b);
    if (m != g) {
      if (++mismatches <= 10) {
        const int w = int(sizeof(U) * 2);
        first += std::string(name) + ": " + hex(a, w) + " + " + hex(b, w) + " -> model " + hex(m, w) + ", golden " +
                 hex(g, w) + "\n";
      }
    }
  }
  void verify() const {
    INFO(first);
    INFO(name << ": " << mismatches << " mismatches in " << pairs << " pairs");
    CHECK(pairs > 0);
    CHECK(mismatches == 0);
  }
};

// Special and boundary values of a format, both signs: zeros, subnormal extremes, normal
// boundaries, one and its neighbours, powers of two across the range, max finite, inf, NaNs.
template <typename F>
std::vector<typename F::bits> special_values() {
  using U = typename F::bits;
  constexpr U mm = F::mant_mask;
  std::vector<U> mags = {
      U(0),
      U(1),                    // min subnormal
      U(2),
      U(3),
      U(mm >> 1),              // mid subnormal
      U((mm >> 1) + 1),
      U(mm - 1),
      mm,                      // max subnormal
      F::make(false, 1, 0),    // min normal
      F::make(false, 1, 1),
      F::make(false, 1, mm),
      F::make(false, 2, 0),
      F::make(false, 2, 1),
      F::make(false, F::exp_max / 2, 0),       // 1.0
      F::make(false, F::exp_max / 2, 1),       // 1 + ulp
      F::make(false, F::exp_max / 2, mm),      // 2 - ulp
      F::make(false, F::exp_max / 2 - 1, mm),  // 1 - ulp/2
      F::make(false, F::exp_max / 2 - 1, U(1) << (F::mant_bits - 1)),
      F::make(false, F::exp_max / 2 + 1, 0),   // 2.0
      F::make(false, F::exp_max / 2 + 1, U(1) << (F::mant_bits - 1)),  // 3.0
      F::make(false, F::exp_max - 2, mm),
      F::make(false, F::exp_max - 1, 0),
      F::make(false, F::exp_max - 1, 1),
      F::make(false, F::exp_max - 1, U(mm - 1)),
      F::make(false, F::exp_max - 1, mm),      // max finite
      F::inf,
      U(F::inf | 1),                           // signalling NaN, smallest payload
      U(F::inf | (U(1) << (F::mant_bits - 1))),  // canonical quiet NaN
      U(F::inf | mm),                          // all-ones NaN
  };
  // Powers of two: every exponent.
  for (int e = 1; e < F::exp_max; ++e) mags.push_back(F::make(false, e, 0));
  // Half ulps of 1.0 and of max finite: tie makers.
  for (int k = 1; k <= int(F::mant_bits) + 2; ++k) {
    if (F::exp_max / 2 - k > 0) mags.push_back(F::make(false, F::exp_max / 2 - k, 0));
  }
  std::vector<U> out;
  for (U m : mags) {
    out.push_back(m);
    out.push_back(U(m | F::sign_bit));
  }
  return out;
}

// A random operand whose exponent is near `exp` (within +-spread, clamped to finite exponents).
template <typename F>
typename F::bits near_exponent(rng& r, int exp, int spread) {
  int e = exp + r.range(-spread, spread);
  if (e < 0) e = 0;
  if (e > F::exp_max - 1) e = F::exp_max - 1;
  return F::make(r.next() & 1, e, F::random_mant(r));
}

// Random pairs biased to the hard cases of a 16-bit format (`count` of each kind).
template <typename F>
void random_pairs_16(checker<std::uint16_t>& check, std::uint64_t seed, int count) {
  using U = typename F::bits;
  rng r(seed);
  for (int i = 0; i < count; ++i) {  // uniform bit patterns
    const std::uint64_t x = r.next();
    check(U(x), U(x >> 16));
  }
  for (int i = 0; i < count; ++i) {  // exponents within +-3: alignment by a few bits, cancellation
    const U a = U(r.next());
    const int ea = F::exponent(a) == F::exp_max ? F::exp_max - 1 : F::exponent(a);
    check(a, near_exponent<F>(r, ea, 3));
  }
  for (int i = 0; i < count / 2; ++i) {  // near-total cancellation: b = -a with a few low bits changed
    const U a = U(r.next());
    const U b = U((a ^ F::sign_bit) ^ U(r.next() & 0x7));
    check(a, b);
  }
  for (int i = 0; i < count / 2; ++i) {  // subnormal and small-normal range
    check(near_exponent<F>(r, 1, 2), near_exponent<F>(r, 1, 2));
  }
  for (int i = 0; i < count / 2; ++i) {  // near overflow, same sign mostly
    const U a = near_exponent<F>(r, F::exp_max - 1, 2);
    const U b = near_exponent<F>(r, F::exp_max - 1, F::mant_bits + 3);
    check(a, U(r.next() % 4 ? (b & ~F::sign_bit) | (a & F::sign_bit) : b));
  }
}

// Constructed exact ties: b's bits below a's ulp are exactly one half ulp (and, for contrast, half
// an ulp plus or minus the smallest amount b can carry).
template <typename F>
void constructed_ties(checker<typename F::bits>& check, std::uint64_t seed, int count) {
  using U = typename F::bits;
  constexpr int sig_bits = int(F::mant_bits) + 1;
  rng r(seed);
  for (int i = 0; i < count; ++i) {
    const int ea = r.range(1, F::exp_max - 1);
    const U a = F::make(r.next() & 1, ea, F::random_mant(r));
    const int d = r.range(1, sig_bits + 1);  // b's exponent below a's
    const int eb = ea - d;
    if (eb < 1) continue;
    // b's significand (hidden bit included) is (1 << M) | mb; the low d bits are shifted below a's
    // LSB: make them exactly 10...0 (a tie), or one unit off.
    const U full = U(F::make(false, 0, F::random_mant(r)) | (U(1) << F::mant_bits));
    U sig = full;
    if (d <= int(F::mant_bits)) {
      const U low_mask = U((U(1) << d) - 1);
      const U tie = U(U(1) << (d - 1));
      sig = U((full & ~low_mask) | tie);
      const int variant = r.range(0, 3);
      if (variant == 1) sig = U(sig + 1);
      if (variant == 2 && d > 1) sig = U(sig - 1);
    } else if (d == sig_bits) {
      sig = U(U(1) << F::mant_bits);  // b is exactly half an ulp of a
    }
    const bool neg_b = r.next() & 1;
    check(a, F::make(neg_b, eb, U(sig & F::mant_mask)));
    check(F::make(neg_b, eb, U(sig & F::mant_mask)), a);
  }
}

// All pairs of `values`.
template <typename U>
void all_pairs(checker<U>& check, const std::vector<U>& values) {
  for (U a : values)
    for (U b : values) check(a, b);
}

// Every 16-bit pattern against each of `fixed`, in both operand orders.
void exhaustive_16(checker<std::uint16_t>& check, const std::vector<std::uint16_t>& fixed) {
  for (std::uint16_t b : fixed)
    for (std::uint32_t a = 0; a <= 0xFFFF; ++a) {
      check(std::uint16_t(a), b);
    }
  // The other operand order on a subset (the adder orders by magnitude internally; this guards it).
  for (std::size_t i = 0; i < fixed.size(); i += 8)
    for (std::uint32_t a = 0; a <= 0xFFFF; ++a) check(fixed[i], std::uint16_t(a));
}

template <typename F>
std::vector<std::uint16_t> fixed_operands(std::uint64_t seed, std::size_t random_count) {
  std::vector<std::uint16_t> v = special_values<F>();
  rng r(seed);
  for (std::size_t i = 0; i < random_count; ++i) v.push_back(std::uint16_t(r.next()));
  return v;
}

}  // namespace

TEST_CASE("nmc: hand-checked sums", "[nmc]") {
  // Independent of both model and golden: values worked out by hand.
  struct case16 { std::uint16_t a, b, sum; };
  const case16 fp16_cases[] = {
      {0x3C00, 0x3C00, 0x4000},  // 1 + 1 = 2
      {0x3C00, 0xBC00, 0x0000},  // 1 - 1 = +0
      {0x8000, 0x8000, 0x8000},  // -0 + -0 = -0
      {0x8000, 0x0000, 0x0000},  // -0 + +0 = +0
      {0x0001, 0x0001, 0x0002},  // subnormals add exactly
      {0x03FF, 0x0001, 0x0400},  // max subnormal + min subnormal = min normal
      {0x0400, 0x8001, 0x03FF},  // and back
      {0x3C00, 0x1000, 0x3C00},  // 1 + 2^-11: tie, to even (down)
      {0x3C01, 0x1000, 0x3C02},  // tie, to even (up)
      {0x3C00, 0x1001, 0x3C01},  // just above the tie
      {0x7BFF, 0x7BFF, 0x7C00},  // overflow to inf
      {0x7BFF, 0x4C00, 0x7C00},  // max + 16 (half ulp of max is 16): tie, odd -> up -> inf
      {0x7BFF, 0x4BFF, 0x7BFF},  // max + (16 - 1/128): below the tie
      {0x7C00, 0xFC00, 0x7E00},  // inf - inf = NaN
      {0x7C00, 0x7BFF, 0x7C00},  // inf + finite
      {0xFC00, 0x7BFF, 0xFC00},  // -inf + finite
      {0x7C01, 0x3C00, 0x7E00},  // sNaN -> canonical qNaN
      {0xFFFF, 0x7C00, 0x7E00},  // negative NaN -> canonical qNaN
      {0x3C00, 0xBBFF, 0x1000},  // 1 - (1 - 2^-11) = 2^-11 (cancellation)
  };
  for (const auto& c : fp16_cases) {
    INFO("fp16 " << hex(c.a, 4) << " + " << hex(c.b, 4));
    CHECK(hex(t3vp::fp16_add(c.a, c.b), 4) == hex(c.sum, 4));
    CHECK(hex(t3vp::golden::fp16_add(c.a, c.b), 4) == hex(c.sum, 4));
  }
  const case16 bf16_cases[] = {
      {0x3F80, 0x3F80, 0x4000},  // 1 + 1 = 2
      {0x3F80, 0x3B80, 0x3F80},  // 1 + 2^-8: tie, to even (down)
      {0x3F81, 0x3B80, 0x3F82},  // tie, to even (up)
      {0x0001, 0x007F, 0x0080},  // min subnormal + max subnormal = min normal
      {0x7F7F, 0x7F7F, 0x7F80},  // overflow
      {0x7F7F, 0x7B00, 0x7F80},  // max + half ulp of max (2^119): tie, odd -> up -> inf
      {0xFF80, 0x7F80, 0x7FC0},  // -inf + inf = NaN
      {0xFFC1, 0x0000, 0x7FC0},  // NaN payload dropped
      {0x4040, 0xC040, 0x0000},  // 3 - 3 = +0
  };
  for (const auto& c : bf16_cases) {
    INFO("bf16 " << hex(c.a, 4) << " + " << hex(c.b, 4));
    CHECK(hex(t3vp::bf16_add(c.a, c.b), 4) == hex(c.sum, 4));
    CHECK(hex(t3vp::golden::bf16_add(c.a, c.b), 4) == hex(c.sum, 4));
  }
  struct case32 { std::uint32_t a, b, sum; };
  const case32 fp32_cases[] = {
      {0x3F800000, 0x3F800000, 0x40000000},  // 1 + 1 = 2
      {0x3F800000, 0x33800000, 0x3F800000},  // 1 + 2^-24: tie, to even (down)
      {0x3F800001, 0x33800000, 0x3F800002},  // tie, to even (up)
      {0x3F800000, 0x33800001, 0x3F800001},  // just above the tie
      {0x3F800000, 0xB3800000, 0x3F7FFFFF},  // 1 - 2^-24 is exact (below 1 the ulp halves)
      {0x3F800000, 0xB3000000, 0x3F800000},  // 1 - 2^-25: tie between 1 - 2^-24 and 1, to even (1)
      {0x00000001, 0x007FFFFF, 0x00800000},  // min subnormal + max subnormal = min normal
      {0x00800000, 0x80000001, 0x007FFFFF},  // and back
      {0x7F7FFFFF, 0x73000000, 0x7F800000},  // max + 2^103 (half ulp): tie, odd -> up -> inf
      {0x7F7FFFFF, 0x72FFFFFF, 0x7F7FFFFF},  // just below the tie
      {0x7F800000, 0xFF800000, 0x7FC00000},  // inf - inf
      {0x7F800001, 0x00000000, 0x7FC00000},  // sNaN -> canonical qNaN
      {0x80000000, 0x80000000, 0x80000000},  // -0 + -0
      {0x4B000001, 0xCB000000, 0x3F800000},  // 2^23 + 1 - 2^23 = 1 (cancellation)
  };
  for (const auto& c : fp32_cases) {
    INFO("fp32 " << hex(c.a, 8) << " + " << hex(c.b, 8));
    CHECK(hex(t3vp::fp32_add(c.a, c.b), 8) == hex(c.sum, 8));
    CHECK(hex(t3vp::golden::fp32_add(c.a, c.b), 8) == hex(c.sum, 8));
  }
}

TEST_CASE("nmc: golden conversions", "[nmc]") {
  using namespace t3vp::golden;
  CHECK(fp16_to_float(0x3C00) == 1.0f);
  CHECK(fp16_to_float(0x0001) == 0x1p-24f);
  CHECK(fp16_to_float(0x7BFF) == 65504.0f);
  CHECK(bf16_to_float(0x3F80) == 1.0f);
  CHECK(float_to_fp16(1.0f) == 0x3C00);
  CHECK(float_to_fp16(65520.0f) == 0x7C00);           // half ulp above max: tie, odd -> inf
  CHECK(float_to_fp16(65519.99f) == 0x7BFF);
  CHECK(float_to_fp16(0x1p-25f) == 0x0000);           // tie at half the min subnormal, to even (0)
  CHECK(float_to_fp16(0x1.000002p-25f) == 0x0001);
  CHECK(float_to_fp16(bits_float(0xFFC00001u)) == 0x7E00);
  CHECK(float_to_bf16(bits_float(0x3F808000u)) == 0x3F80);  // tie, to even (down)
  CHECK(float_to_bf16(bits_float(0x3F818000u)) == 0x3F82);  // tie, to even (up)
  CHECK(float_to_bf16(bits_float(0x3F808001u)) == 0x3F81);
  CHECK(float_to_bf16(bits_float(0x7F7FFFFFu)) == 0x7F80);  // rounds past max bf16 -> inf
  CHECK(float_to_bf16(bits_float(0x7F800001u)) == 0x7FC0);
  CHECK(float_to_bf16(bits_float(0xFF800000u)) == 0xFF80);
  // Round trips of every non-NaN encoding.
  std::uint32_t bad16 = 0, badbf = 0;
  for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
    const bool nan16 = (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
    const bool nanbf = (h & 0x7F80) == 0x7F80 && (h & 0x007F) != 0;
    const std::uint16_t e16 = nan16 ? 0x7E00 : std::uint16_t(h);
    const std::uint16_t ebf = nanbf ? 0x7FC0 : std::uint16_t(h);
    bad16 += float_to_fp16(fp16_to_float(std::uint16_t(h))) != e16;
    badbf += float_to_bf16(bf16_to_float(std::uint16_t(h))) != ebf;
  }
  CHECK(bad16 == 0);
  CHECK(badbf == 0);
}

TEST_CASE("nmc: fp16 special values, all pairs and exhaustive sweeps", "[nmc]") {
  checker<std::uint16_t> check{"fp16", t3vp::fp16_add, t3vp::golden::fp16_add};
  const auto specials = special_values<fp16_fmt>();
  all_pairs(check, specials);
  exhaustive_16(check, fixed_operands<fp16_fmt>(0xF16F16, 300 - specials.size()));
  check.verify();
}

TEST_CASE("nmc: fp16 random pairs", "[nmc]") {
  checker<std::uint16_t> check{"fp16", t3vp::fp16_add, t3vp::golden::fp16_add};
  random_pairs_16<fp16_fmt>(check, 0x16A, 1000000);
  constructed_ties<fp16_fmt>(check, 0x16B, 200000);
  check.verify();
}

TEST_CASE("nmc: bf16 special values, all pairs and exhaustive sweeps", "[nmc]") {
  checker<std::uint16_t> check{"bf16", t3vp::bf16_add, t3vp::golden::bf16_add};
  const auto specials = special_values<bf16_fmt>();
  all_pairs(check, specials);
  exhaustive_16(check, fixed_operands<bf16_fmt>(0xBF16BF16, 300 > specials.size() ? 300 - specials.size() : 64));
  check.verify();
}

TEST_CASE("nmc: bf16 random pairs", "[nmc]") {
  checker<std::uint16_t> check{"bf16", t3vp::bf16_add, t3vp::golden::bf16_add};
  random_pairs_16<bf16_fmt>(check, 0xBFA, 1000000);
  constructed_ties<bf16_fmt>(check, 0xBFB, 200000);
  check.verify();
}

TEST_CASE("nmc: fp32 special values and random pairs", "[nmc]") {
  using F = fp32_fmt;
  checker<std::uint32_t> check{"fp32", t3vp::fp32_add, t3vp::golden::fp32_add};
  const auto specials = special_values<F>();
  all_pairs(check, specials);
  rng r(0xF32);
  for (std::uint32_t s : specials)  // each special value against random operands
    for (int i = 0; i < 2000; ++i) {
      const std::uint32_t x = r.u32();
      check(s, x);
      check(x, s);
    }
  const int n = 1000000;
  for (int i = 0; i < n; ++i) check(r.u32(), r.u32());  // uniform bit patterns (mostly far apart)
  for (int i = 0; i < n; ++i) {  // exponents within +-2: cancellation, one-bit alignment
    const std::uint32_t a = F::make(r.next() & 1, r.range(1, 254), F::random_mant(r));
    check(a, near_exponent<F>(r, F::exponent(a), 2));
  }
  for (int i = 0; i < n; ++i) {  // exponent differences across the guard/round/sticky range
    const std::uint32_t a = F::make(r.next() & 1, r.range(1, 254), F::random_mant(r));
    const int d = r.range(0, 30);
    check(a, F::make(r.next() & 1, F::exponent(a) > d ? F::exponent(a) - d : 0, F::random_mant(r)));
  }
  for (int i = 0; i < n / 2; ++i) {  // near-total cancellation: b = -a with low bits perturbed
    const std::uint32_t a = r.u32();
    check(a, (a ^ F::sign_bit) ^ (r.u32() & 0xFF));
  }
  for (int i = 0; i < n / 2; ++i) {  // operands with few significant bits (many exact sums, ties)
    const std::uint32_t a = F::make(r.next() & 1, r.range(100, 160), F::random_mant(r) & 0x7F0000u);
    check(a, F::make(r.next() & 1, r.range(100, 160), F::random_mant(r) & 0x7F0000u));
  }
  for (int i = 0; i < n / 2; ++i) {  // subnormal and smallest normal range
    check(near_exponent<F>(r, 1, 2), near_exponent<F>(r, 1, 2));
  }
  for (int i = 0; i < n / 2; ++i) {  // near overflow
    const std::uint32_t a = near_exponent<F>(r, 253, 1);
    const std::uint32_t b = near_exponent<F>(r, 253, 26);
    check(a, r.next() % 4 ? (b & ~F::sign_bit) | (a & F::sign_bit) : b);
  }
  constructed_ties<F>(check, 0xF32B, 500000);
  check.verify();
}

TEST_CASE("nmc: nmc_add over buffers", "[nmc]") {
  rng r(0xB0F);
  SECTION("little-endian layout, by hand") {
    std::uint8_t dst16[4] = {0x00, 0x3C, 0x00, 0xBC};  // fp16 1.0, -1.0
    const std::uint8_t src16[4] = {0x00, 0x3C, 0x00, 0x3C};
    t3vp::nmc_add(elem_type::fp16, dst16, src16, 4);
    CHECK(dst16[0] == 0x00);
    CHECK(dst16[1] == 0x40);  // 2.0
    CHECK(dst16[2] == 0x00);
    CHECK(dst16[3] == 0x00);  // +0
    std::uint8_t dst32[4] = {0x00, 0x00, 0x80, 0x3F};  // fp32 1.0
    const std::uint8_t src32[4] = {0x00, 0x00, 0x00, 0x40};  // 2.0
    t3vp::nmc_add(elem_type::fp32, dst32, src32, 4);
    CHECK(dst32[0] == 0x00);
    CHECK(dst32[1] == 0x00);
    CHECK(dst32[2] == 0x40);
    CHECK(dst32[3] == 0x40);  // 3.0 = 0x40400000
    std::uint8_t dstbf[2] = {0x80, 0x3F};  // bf16 1.0
    const std::uint8_t srcbf[2] = {0x40, 0x40};  // 3.0
    t3vp::nmc_add(elem_type::bf16, dstbf, srcbf, 2);
    CHECK(dstbf[0] == 0x80);
    CHECK(dstbf[1] == 0x40);  // 4.0
  }
  SECTION("random bursts against the scalar golden, unaligned, with guard bytes") {
    for (elem_type t : {elem_type::fp16, elem_type::bf16, elem_type::fp32}) {
      const std::size_t es = t == elem_type::fp32 ? 4 : 2;
      for (std::size_t bytes : {std::size_t(0), es, std::size_t(32), std::size_t(64), std::size_t(4096)}) {
        for (std::size_t offset : {std::size_t(0), std::size_t(1), std::size_t(3)}) {
          constexpr std::size_t guard = 8;
          std::vector<std::uint8_t> dst(bytes + offset + 2 * guard), src(bytes + offset + 2 * guard);
          for (auto& x : dst) x = std::uint8_t(r.next());
          for (auto& x : src) x = std::uint8_t(r.next());
          std::vector<std::uint8_t> expect = dst;
          std::uint8_t* d = expect.data() + guard + offset;
          const std::uint8_t* s = src.data() + guard + offset;
          for (std::size_t i = 0; i < bytes; i += es) {
            if (es == 2) {
              const std::uint16_t a = std::uint16_t(d[i] | d[i + 1] << 8);
              const std::uint16_t b = std::uint16_t(s[i] | s[i + 1] << 8);
              const std::uint16_t sum = t == elem_type::fp16 ? t3vp::golden::fp16_add(a, b) : t3vp::golden::bf16_add(a, b);
              d[i] = std::uint8_t(sum);
              d[i + 1] = std::uint8_t(sum >> 8);
            } else {
              std::uint32_t a = 0, b = 0;
              for (int k = 3; k >= 0; --k) {
                a = a << 8 | d[i + k];
                b = b << 8 | s[i + k];
              }
              const std::uint32_t sum = t3vp::golden::fp32_add(a, b);
              for (int k = 0; k < 4; ++k) d[i + k] = std::uint8_t(sum >> (8 * k));
            }
          }
          t3vp::nmc_add(t, dst.data() + guard + offset, src.data() + guard + offset, bytes);
          INFO(t3vp::to_string(t) << ", " << bytes << " bytes at offset " << offset);
          CHECK(dst == expect);  // includes the untouched guard bytes
        }
      }
    }
  }
  SECTION("dst and src the same buffer: x + x") {
    std::uint8_t buf[8] = {0x00, 0x3C, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x80};  // 1.0, max, min subnormal, -0
    t3vp::nmc_add(elem_type::fp16, buf, buf, sizeof buf);
    const std::uint8_t expect[8] = {0x00, 0x40, 0x00, 0x7C, 0x02, 0x00, 0x00, 0x80};  // 2.0, inf, 2*min, -0
    CHECK(std::vector<std::uint8_t>(buf, buf + 8) == std::vector<std::uint8_t>(expect, expect + 8));
  }
}

// Every pair of 16-bit encodings (2^32 additions per format). Hidden: minutes of run time; run
// explicitly with the tag [nmc-exhaustive].
TEST_CASE("nmc: bf16 all 2^32 pairs", "[.][nmc-exhaustive]") {
  checker<std::uint16_t> check{"bf16", t3vp::bf16_add, t3vp::golden::bf16_add};
  for (std::uint32_t a = 0; a <= 0xFFFF; ++a)
    for (std::uint32_t b = 0; b <= 0xFFFF; ++b) check(std::uint16_t(a), std::uint16_t(b));
  check.verify();
}

TEST_CASE("nmc: fp16 all 2^32 pairs", "[.][nmc-exhaustive]") {
  checker<std::uint16_t> check{"fp16", t3vp::fp16_add, t3vp::golden::fp16_add};
  for (std::uint32_t a = 0; a <= 0xFFFF; ++a)
    for (std::uint32_t b = 0; b <= 0xFFFF; ++b) check(std::uint16_t(a), std::uint16_t(b));
  check.verify();
}

// nmc_add's fp16 buffers may take the host's F16C conversions (nmc_adder.cpp); the integer datapath
// is the reference. a runs through every encoding, 16 times each, against random b: groups of 8 with
// an inf or NaN in a or b take the integer path, the others (about 3/4 of the finite ones) the fast one.
TEST_CASE("nmc: the fp16 buffer path equals the integer datapath bit for bit", "[nmc]") {
  rng r(0xF16C);
  constexpr std::size_t n = 1 << 20;
  std::vector<std::uint16_t> a(n), b(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = std::uint16_t(i / 16);
    b[i] = std::uint16_t(r.next());
  }
  std::vector<std::uint16_t> fast = a, ref = a;
  t3vp::nmc_add(elem_type::fp16, reinterpret_cast<std::uint8_t*>(fast.data()), reinterpret_cast<const std::uint8_t*>(b.data()), 2 * n);
  t3vp::nmc_add_reference(elem_type::fp16, reinterpret_cast<std::uint8_t*>(ref.data()),
                          reinterpret_cast<const std::uint8_t*>(b.data()), 2 * n);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (fast[i] != ref[i] && differ++ < 5) FAIL_CHECK(std::hex << a[i] << " + " << b[i] << ": " << fast[i] << " vs " << ref[i]);
  CHECK(differ == 0);
  // Odd lengths and offsets (the tail runs on the integer path), and dst == src.
  std::vector<std::uint16_t> f2(a.begin(), a.begin() + 1001), r2 = f2;
  t3vp::nmc_add(elem_type::fp16, reinterpret_cast<std::uint8_t*>(f2.data()) + 2, reinterpret_cast<const std::uint8_t*>(b.data()) + 6, 2 * 999);
  t3vp::nmc_add_reference(elem_type::fp16, reinterpret_cast<std::uint8_t*>(r2.data()) + 2, reinterpret_cast<const std::uint8_t*>(b.data()) + 6, 2 * 999);
  CHECK(f2 == r2);
  std::vector<std::uint16_t> f3(b.begin(), b.begin() + 4096), r3 = f3;
  t3vp::nmc_add(elem_type::fp16, reinterpret_cast<std::uint8_t*>(f3.data()), reinterpret_cast<const std::uint8_t*>(f3.data()), 2 * 4096);
  t3vp::nmc_add_reference(elem_type::fp16, reinterpret_cast<std::uint8_t*>(r3.data()), reinterpret_cast<const std::uint8_t*>(r3.data()), 2 * 4096);
  CHECK(f3 == r3);
}
