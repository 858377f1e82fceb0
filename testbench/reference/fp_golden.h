#pragma once
// Golden floating-point addition on raw fp16 / bf16 / fp32 encodings, computed with the host FPU
// (independent of the integer-only NMC adder of models/hbm/nmc_adder.h, which it checks):
//   fp16: GCC's _Float16 (exact double sum, one rounding to binary16);
//   fp32: float addition;
//   bf16: double sum -> float -> round-to-nearest-even to bf16 by the integer bias trick
//         (the double and float roundings are innocuous: 53 >= 2*24+2 and 24 >= 2*8+2).
// Every NaN result is returned as the canonical quiet NaN (fp16 0x7E00, bf16 0x7FC0,
// fp32 0x7FC00000), as the model does. Assumes the default FP environment (round to nearest,
// no flush-to-zero / denormals-are-zero).
#include <cstdint>

namespace t3vp::golden {

std::uint16_t fp16_add(std::uint16_t a, std::uint16_t b);
std::uint16_t bf16_add(std::uint16_t a, std::uint16_t b);
std::uint32_t fp32_add(std::uint32_t a, std::uint32_t b);

// Conversions for tests. The to-float conversions are exact; float_to_fp16 and float_to_bf16
// round to nearest even (overflow to infinity) and return the canonical quiet NaN for any NaN.
float fp16_to_float(std::uint16_t h);
std::uint16_t float_to_fp16(float f);
float bf16_to_float(std::uint16_t h);
std::uint16_t float_to_bf16(float f);

// Raw bits of a float and back.
std::uint32_t float_bits(float f);
float bits_float(std::uint32_t u);

}  // namespace t3vp::golden
