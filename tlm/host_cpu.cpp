#include "tlm/host_cpu.h"

namespace t3vp {

const host_cpu_features& host_cpu() {
  static const host_cpu_features f = [] {
    host_cpu_features h;
#if defined(__x86_64__)
    __builtin_cpu_init();  // (may run from a static initializer, before the runtime's own)
    h.f16c = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
    h.avx512f = __builtin_cpu_supports("avx512f");
    h.avx512_dq_vl_bw = h.avx512f && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512bw");
#endif
    return h;
  }();
  return f;
}

}  // namespace t3vp
