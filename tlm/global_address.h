#pragma once
// The node's global address space: GPU g's window starts at g << 40 (its HBM from 0, its control
// blocks at 0xFF00000000). The host and GPU-to-GPU traffic (NICs, remote stores, DMA) use it.
#include <cstdint>

namespace t3vp {

constexpr unsigned global_gpu_bits = 40;
// Where a GPU's control blocks (command processor, tracker, DMA registers) start in its window: its
// HBM must end below.
constexpr std::uint64_t gpu_control_offset = 0xFF00000000ull;
inline std::uint64_t gpu_base(unsigned gpu) { return std::uint64_t(gpu) << global_gpu_bits; }
inline std::uint64_t global_address(unsigned gpu, std::uint64_t local) { return gpu_base(gpu) | local; }
inline unsigned gpu_of(std::uint64_t global) { return unsigned(global >> global_gpu_bits); }
inline std::uint64_t local_of(std::uint64_t global) { return global & ((std::uint64_t(1) << global_gpu_bits) - 1); }

}  // namespace t3vp
