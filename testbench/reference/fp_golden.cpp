// Host-FPU golden for the NMC adder (see fp_golden.h).
#include "testbench/reference/fp_golden.h"

#include <cmath>
#include <cstring>

namespace t3vp::golden {
namespace {

constexpr std::uint16_t fp16_qnan = 0x7E00;
constexpr std::uint16_t bf16_qnan = 0x7FC0;
constexpr std::uint32_t fp32_qnan = 0x7FC00000u;

_Float16 half_from_bits(std::uint16_t h) {
  _Float16 x;
  std::memcpy(&x, &h, sizeof x);
  return x;
}

std::uint16_t half_bits(_Float16 x) {
  std::uint16_t h;
  std::memcpy(&h, &x, sizeof h);
  return h;
}

// The exact value of an fp16 in double (every fp16 is a double; the conversion is exact).
double half_to_double(std::uint16_t h) { return static_cast<double>(half_from_bits(h)); }

// Round a double to fp16, nearest even (one rounding: GCC's conversion is correctly rounded).
std::uint16_t double_to_fp16(double d) {
  if (std::isnan(d)) return fp16_qnan;
  return half_bits(static_cast<_Float16>(d));
}

}  // namespace

std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

float fp16_to_float(std::uint16_t h) { return static_cast<float>(half_from_bits(h)); }

std::uint16_t float_to_fp16(float f) { return double_to_fp16(static_cast<double>(f)); }

float bf16_to_float(std::uint16_t h) { return bits_float(std::uint32_t(h) << 16); }

std::uint16_t float_to_bf16(float f) {
  if (std::isnan(f)) return bf16_qnan;
  const std::uint32_t u = float_bits(f);
  // Round to nearest even on the low 16 bits: add 0x7FFF plus the kept LSB, then truncate. A carry
  // out of the mantissa bumps the exponent (max finite -> inf, as IEEE overflow does).
  const std::uint32_t lsb = (u >> 16) & 1u;
  return static_cast<std::uint16_t>((u + 0x7FFFu + lsb) >> 16);
}

std::uint16_t fp16_add(std::uint16_t a, std::uint16_t b) {
  // The double sum of two fp16 values is exact (their exponents span 2^-24 .. 2^15, 40 bits < 53).
  return double_to_fp16(half_to_double(a) + half_to_double(b));
}

std::uint16_t bf16_add(std::uint16_t a, std::uint16_t b) {
  const double sum = static_cast<double>(bf16_to_float(a)) + static_cast<double>(bf16_to_float(b));
  return float_to_bf16(static_cast<float>(sum));
}

std::uint32_t fp32_add(std::uint32_t a, std::uint32_t b) {
  const float sum = bits_float(a) + bits_float(b);
  if (std::isnan(sum)) return fp32_qnan;
  return float_bits(sum);
}

}  // namespace t3vp::golden
