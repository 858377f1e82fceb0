#include "tlm/mem_extension.h"

namespace t3vp {

const char* to_string(mem_op op) {
  switch (op) {
    case mem_op::read: return "read";
    case mem_op::write: return "write";
    case mem_op::update: return "update";
  }
  return "?";
}
const char* to_string(traffic_class c) { return c == traffic_class::compute ? "compute" : "comm"; }
const char* to_string(traffic_phase p) {
  switch (p) {
    case traffic_phase::gemm: return "gemm";
    case traffic_phase::reduce_scatter: return "reduce_scatter";
    case traffic_phase::all_gather: return "all_gather";
    case traffic_phase::other: return "other";
  }
  return "?";
}
const char* to_string(elem_type t) {
  switch (t) {
    case elem_type::fp16: return "fp16";
    case elem_type::bf16: return "bf16";
    case elem_type::fp32: return "fp32";
  }
  return "?";
}
unsigned element_bytes(elem_type t) { return t == elem_type::fp32 ? 4 : 2; }

access_info describe(const tlm::tlm_generic_payload& gp) {
  const mem_extension* ext = nullptr;
  gp.get_extension(ext);
  if (!ext) {
    return {gp.is_write() ? mem_op::write : mem_op::read, traffic_class::compute, traffic_phase::other,
            elem_type::fp16, false};
  }
  return {ext->op, ext->cls, ext->phase, ext->dtype, ext->timing_only};
}

}  // namespace t3vp
