#pragma once
// Arithmetic of the near-memory (NMC) adder that sits beside each HBM bank: an update burst is
// added element-wise into the bank's data. Bit-accurate IEEE 754 addition (round to nearest even,
// subnormals in and out, no flags) for fp16, bf16 and fp32, written with integer arithmetic only,
// as the adder's RTL would compute it. That datapath is the reference; for speed, nmc_add on fp16
// uses the host's F16C half conversions where the CPU has them (bit-identical, see nmc_adder.cpp;
// fp16_add and nmc_add_reference never do).
//
// Results follow IEEE 754 binary addition with these conventions:
//   - any NaN result is the canonical quiet NaN (fp16 0x7E00, bf16 0x7FC0, fp32 0x7FC00000),
//     including (+inf) + (-inf) and any NaN input (payloads and signs are not propagated);
//   - x + (-x) = +0 and (-0) + (-0) = -0 (round-to-nearest rules);
//   - overflow rounds to infinity of the result's sign.
// No SystemC here: the bank model calls nmc_add() on its data, golden tests call the scalar adders.
#include <cstddef>
#include <cstdint>

#include "tlm/mem_extension.h"  // elem_type

namespace t3vp {

constexpr std::uint16_t fp16_canonical_nan = 0x7E00;
constexpr std::uint16_t bf16_canonical_nan = 0x7FC0;
constexpr std::uint32_t fp32_canonical_nan = 0x7FC00000u;

// Element-wise dst[i] = round_nearest_even(dst[i] + src[i]) over `bytes` bytes of little-endian
// elements of type t. bytes must be a multiple of the element size (checked by the caller); dst and
// src may be unaligned, and may be the same buffer (dst = dst + dst) but must not partially overlap.
// This is what one near-bank adder does for one update burst.
void nmc_add(elem_type t, std::uint8_t* dst, const std::uint8_t* src, std::size_t bytes);
// The same on the integer datapath only (what tests hold the fast path to).
void nmc_add_reference(elem_type t, std::uint8_t* dst, const std::uint8_t* src, std::size_t bytes);

// Scalar adders on raw encodings.
std::uint16_t fp16_add(std::uint16_t a, std::uint16_t b);
std::uint16_t bf16_add(std::uint16_t a, std::uint16_t b);
std::uint32_t fp32_add(std::uint32_t a, std::uint32_t b);

}  // namespace t3vp
