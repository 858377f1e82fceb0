#include "workloads/sublayer.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace t3vp {
namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw std::invalid_argument("parameter '" + key + "': " + what);
}

void check_dimension(const char* key, std::uint64_t v) {
  if (v < 1) fail(key, "must be >= 1 (got " + std::to_string(v) + ")");
  if (v > max_gemm_dimension)
    fail(key, "must be <= " + std::to_string(max_gemm_dimension) + " (got " + std::to_string(v) + ")");
}

void check_tp(std::uint32_t tp) {
  if (tp < 1) fail("system.gpus", "the TP degree N must be >= 1 (got 0)");
  if (tp > max_tp_degree)
    fail("system.gpus", "the TP degree N must be <= " + std::to_string(max_tp_degree) + " (got " +
                            std::to_string(tp) + ")");
}

void check_device(std::uint32_t n_devices, std::uint32_t g) {
  if (n_devices < 1) fail("system.gpus", "the number of devices must be >= 1 (got 0)");
  if (g >= n_devices)
    throw std::invalid_argument("device index " + std::to_string(g) + " out of range [0, " +
                                std::to_string(n_devices) + ")");
}
}  // namespace

const char* to_string(sublayer_kind s) {
  switch (s) {
    case sublayer_kind::op: return "op";
    case sublayer_kind::fc2: return "fc2";
    case sublayer_kind::fc1: return "fc1";
    case sublayer_kind::ip: return "ip";
  }
  return "?";
}

const char* to_string(pass_kind p) { return p == pass_kind::forward ? "forward" : "backward"; }

const char* to_string(collective_kind c) {
  switch (c) {
    case collective_kind::all_reduce: return "all-reduce";
    case collective_kind::reduce_scatter: return "reduce-scatter";
    case collective_kind::all_gather: return "all-gather";
    case collective_kind::none: return "none";
  }
  return "?";
}

const std::vector<sublayer_kind>& all_sublayers() {
  static const std::vector<sublayer_kind> all = {sublayer_kind::op, sublayer_kind::fc2, sublayer_kind::fc1,
                                                 sublayer_kind::ip};
  return all;
}

sublayer_kind parse_sublayer(const std::string& s) {
  const std::string l = to_lower(s);
  for (sublayer_kind k : all_sublayers())
    if (l == to_string(k)) return k;
  fail("workload.sublayer", "unknown sublayer '" + s + "' (valid: op, fc2, fc1, ip)");
}

collective_kind parse_collective(const std::string& s) {
  const std::string l = to_lower(s);
  for (collective_kind k : {collective_kind::all_reduce, collective_kind::reduce_scatter,
                            collective_kind::all_gather, collective_kind::none})
    if (l == to_string(k)) return k;
  fail("workload.collective",
       "unknown collective '" + s + "' (valid: all-reduce, reduce-scatter, all-gather, none)");
}

pass_kind pass_of(sublayer_kind s) {
  return (s == sublayer_kind::op || s == sublayer_kind::fc2) ? pass_kind::forward : pass_kind::backward;
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  if (b == 0) throw std::invalid_argument("ceil_div: division by zero");
  return a / b + (a % b != 0 ? 1 : 0);
}

std::uint64_t inner_dim_total(const model_spec& model, sublayer_kind s) {
  if (model.custom)
    fail("workload.model", "model 'custom' has no sublayer shapes: its GEMM is workload.m/n/k");
  switch (s) {
    case sublayer_kind::op: return model.hidden;
    case sublayer_kind::fc2:
    case sublayer_kind::fc1: return model.ffn;
    case sublayer_kind::ip: return 3 * model.hidden;
  }
  return 0;
}

std::uint64_t k_for_device(std::uint64_t total, std::uint32_t n_devices, std::uint32_t g) {
  check_device(n_devices, g);
  return total / n_devices + (g < total % n_devices ? 1 : 0);
}

std::uint64_t k_offset_for_device(std::uint64_t total, std::uint32_t n_devices, std::uint32_t g) {
  check_device(n_devices, g);
  const std::uint64_t base = total / n_devices, rem = total % n_devices;
  return std::uint64_t(g) * base + std::min<std::uint64_t>(g, rem);
}

gemm_shape sublayer_gemm(const model_spec& model, sublayer_kind s, std::uint64_t tokens, std::uint32_t tp) {
  check_dimension("workload.tokens", tokens);
  check_tp(tp);
  const std::uint64_t total = inner_dim_total(model, s);
  if (total < tp)
    fail("system.gpus", "the TP degree N = " + std::to_string(tp) + " exceeds the inner dimension K = " +
                            std::to_string(total) + " of sublayer " + to_string(s) + ": a device would get no K");
  return gemm_shape{tokens, model.hidden, ceil_div(total, tp)};
}

gemm_shape sublayer_gemm_for_device(const model_spec& model, sublayer_kind s, std::uint64_t tokens,
                                    std::uint32_t tp, std::uint32_t g) {
  gemm_shape shape = sublayer_gemm(model, s, tokens, tp);
  shape.k = k_for_device(inner_dim_total(model, s), tp, g);
  return shape;
}

gemm_shape custom_gemm(std::uint64_t m, std::uint64_t n, std::uint64_t k) {
  check_dimension("workload.m", m);
  check_dimension("workload.n", n);
  check_dimension("workload.k", k);
  return gemm_shape{m, n, k};
}

collective_spec sublayer_collective(const gemm_shape& per_device, collective_kind kind) {
  collective_spec c;
  c.kind = kind;
  c.rows = per_device.m;
  c.cols = per_device.n;
  c.element_bytes = 2;
  c.bytes = kind == collective_kind::none ? 0 : c.rows * c.cols * c.element_bytes;
  return c;
}

gemm_shape workload::gemm_for_device(std::uint32_t g) const {
  check_device(tp, g);
  if (model && model->custom) return gemm;
  gemm_shape s = gemm;
  s.k = k_for_device(k_total, tp, g);
  return s;
}

workload resolve_workload(const workload_params& p) {
  workload w;
  w.model = &find_model(p.model);
  w.sublayer = parse_sublayer(p.sublayer);
  const collective_kind ck = parse_collective(p.collective);
  check_tp(p.tp);
  w.tp = p.tp;
  if (w.model->custom) {
    w.gemm = custom_gemm(p.m, p.n, p.k);
    w.k_total = w.gemm.k * w.tp;
    w.k_even = true;
  } else {
    w.gemm = sublayer_gemm(*w.model, w.sublayer, p.tokens, p.tp);
    w.k_total = inner_dim_total(*w.model, w.sublayer);
    w.k_even = w.k_total % w.tp == 0;
  }
  w.collective = sublayer_collective(w.gemm, ck);
  return w;
}

}  // namespace t3vp
