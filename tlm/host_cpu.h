#pragma once
// What the host processor offers, detected once per process. Models take vector paths where the host
// has them; those give the same bits as the plain paths (docs: gemm_math.md, l2.md, nmc.md).
// Hot paths copy a flag into a constant of their own file rather than calling this per use.
namespace t3vp {

struct host_cpu_features {
  bool f16c = false;             // AVX + F16C: FP16 <-> FP32 conversion (the NMC adder's FP16 path)
  bool avx512f = false;          // 512-bit integer compares (the L2's tag lookup)
  bool avx512_dq_vl_bw = false;  // + AVX-512DQ/VL/BW: 64-bit multiplies (synthetic-data hashing)
};

const host_cpu_features& host_cpu();

}  // namespace t3vp
