#pragma once
// Tensor-parallel sublayers -> per-device GEMM shape and collective (reference/t3.md section 1).
//
// Each of the four sublayers that end in an all-reduce runs, on every one of the N devices, a GEMM
//   C (M x N) = A (M x K) . B (K x N)
// with M = T (tokens: rows of the output), N = H (the full hidden size: every device produces a T x H
// partial sum) and K = the inner dimension sliced across the devices:
//   op  (attention output projection, forward):   K_total = H
//   fc2 (second MLP linear, forward):              K_total = FFN
//   fc1 (input gradient of first MLP linear, bwd): K_total = FFN
//   ip  (input gradient of QKV projection, bwd):   K_total = 3H
// Per device K = ceil(K_total / N): the slice of the slowest device, which is what the timing of a
// symmetric execution uses. When K_total % N != 0 the slices are balanced: the first K_total % N devices
// get ceil(K_total / N), the others floor(K_total / N) (k_for_device / k_offset_for_device); the slices
// are contiguous and sum to K_total. The collective is an all-reduce of the T x H FP16 output:
// S = 2 . T . H bytes per device.
//
// `custom` takes workload.m / workload.n / workload.k as the per-device GEMM directly (K already sliced;
// every device runs the same shape; K_total = N . k).
//
// Invalid inputs throw std::invalid_argument naming the parameter ("parameter 'workload.tokens': ...").
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/model_table.h"

namespace t3vp {

enum class sublayer_kind : std::uint8_t { op, fc2, fc1, ip };
enum class pass_kind : std::uint8_t { forward, backward };
enum class collective_kind : std::uint8_t { all_reduce, reduce_scatter, all_gather, none };

const char* to_string(sublayer_kind s);     // "op", "fc2", "fc1", "ip"
const char* to_string(pass_kind p);         // "forward", "backward"
const char* to_string(collective_kind c);   // "all-reduce", "reduce-scatter", "all-gather", "none"
// Case-insensitive; throw std::invalid_argument naming the parameter and listing the valid values.
sublayer_kind parse_sublayer(const std::string& s);
collective_kind parse_collective(const std::string& s);
const std::vector<sublayer_kind>& all_sublayers();  // op, fc2, fc1, ip
pass_kind pass_of(sublayer_kind s);                 // op, fc2: forward; fc1, ip: backward

// Largest accepted value of any GEMM dimension (tokens, m, n, k, K_total): keeps 2 . M . N etc. in 64 bits.
constexpr std::uint64_t max_gemm_dimension = 1ull << 31;
// Largest accepted TP degree.
constexpr std::uint32_t max_tp_degree = 4096;

struct gemm_shape {
  std::uint64_t m = 0;  // rows of the output (tokens)
  std::uint64_t n = 0;  // columns of the output (hidden size)
  std::uint64_t k = 0;  // inner dimension (per device)
  double flops() const { return 2.0 * double(m) * double(n) * double(k); }
  bool operator==(const gemm_shape& o) const { return m == o.m && n == o.n && k == o.k; }
  bool operator!=(const gemm_shape& o) const { return !(*this == o); }
};

// ceil(a / b); b must be > 0.
std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b);

// K_total of a sublayer for a model: H (op), FFN (fc2, fc1), 3H (ip). Throws for `custom`.
std::uint64_t inner_dim_total(const model_spec& model, sublayer_kind s);

// The exact K slice of device g (0 <= g < n_devices) when K_total is split over n_devices: balanced,
// floor(total / n) + (g < total % n ? 1 : 0); its first index is k_offset_for_device(). Throws for
// n_devices < 1 or g >= n_devices.
std::uint64_t k_for_device(std::uint64_t total, std::uint32_t n_devices, std::uint32_t g);
std::uint64_t k_offset_for_device(std::uint64_t total, std::uint32_t n_devices, std::uint32_t g);

// Per-device GEMM of a sublayer: {T, H, ceil(K_total / tp)}. Throws std::invalid_argument for tokens < 1,
// tp < 1, tp > max_tp_degree, K_total < tp (a device would get no K), a dimension > max_gemm_dimension,
// or the `custom` model.
gemm_shape sublayer_gemm(const model_spec& model, sublayer_kind s, std::uint64_t tokens, std::uint32_t tp);
// The same with the exact K of device g.
gemm_shape sublayer_gemm_for_device(const model_spec& model, sublayer_kind s, std::uint64_t tokens,
                                    std::uint32_t tp, std::uint32_t g);
// A custom per-device GEMM {m, n, k}, validated (each in [1, max_gemm_dimension]; the message names
// workload.m / workload.n / workload.k).
gemm_shape custom_gemm(std::uint64_t m, std::uint64_t n, std::uint64_t k);

// The collective that follows a sublayer's GEMM: on the per-device rows x cols FP16 output.
struct collective_spec {
  collective_kind kind = collective_kind::all_reduce;
  std::uint64_t rows = 0;          // T (= gemm M)
  std::uint64_t cols = 0;          // H (= gemm N)
  std::uint32_t element_bytes = 2; // FP16
  // S: bytes of the per-device buffer the collective operates on, rows . cols . element_bytes
  // (2 . T . H for FP16). 0 when kind == none.
  std::uint64_t bytes = 0;
};
collective_spec sublayer_collective(const gemm_shape& per_device,
                                    collective_kind kind = collective_kind::all_reduce);

// The workload.* parameters (and system.gpus) as the configuration gives them.
struct workload_params {
  std::string model = "t-nlg";
  std::string sublayer = "fc2";
  std::uint64_t tokens = 8192;  // T (ignored by custom)
  std::uint32_t tp = 8;         // N = system.gpus
  std::uint64_t m = 0, n = 0, k = 0;  // custom only
  std::string collective = "all-reduce";
};

struct workload {
  const model_spec* model = nullptr;
  sublayer_kind sublayer = sublayer_kind::fc2;
  std::uint32_t tp = 1;
  gemm_shape gemm;              // per device; K = ceil(K_total / tp)
  std::uint64_t k_total = 0;    // unsliced inner dimension (custom: tp . k)
  bool k_even = true;           // K_total % tp == 0: every device has the same K
  collective_spec collective;
  // The exact GEMM of device g (K = k_for_device(k_total, tp, g); custom: gemm for every g).
  gemm_shape gemm_for_device(std::uint32_t g) const;
};

// Validates and resolves the parameters. Throws std::invalid_argument naming the parameter.
workload resolve_workload(const workload_params& p);

}  // namespace t3vp
