#pragma once
// The public model table: hidden size, layer count, head count and FFN size of the transformer models the
// T3 evaluation uses (reference/t3.md section 3), plus `custom` (a GEMM given directly by
// workload.m / workload.n / workload.k). Pure C++: no SystemC.
#include <cstdint>
#include <string>
#include <vector>

namespace t3vp {

struct model_spec {
  std::string key;           // lookup key, lower case: "mega-gpt-2", "t-nlg", "gpt-3", "palm", "mt-nlg", "custom"
  std::string name;          // display name: "Mega-GPT-2", "T-NLG", ...
  std::uint64_t hidden = 0;  // H
  std::uint32_t layers = 0;
  std::uint32_t heads = 0;
  std::uint64_t ffn = 0;     // inner size of the MLP (4H unless stated)
  double parameters_billion = 0;  // informational
  bool custom = false;       // true only for `custom`: no shape of its own (all sizes 0)
};

// All models in table order (the five public models, then custom).
const std::vector<model_spec>& model_table();

// The lookup keys in table order.
std::vector<std::string> model_names();

// Case-insensitive lookup by key. Throws std::invalid_argument naming the unknown model and listing the
// valid ones.
const model_spec& find_model(const std::string& name);
// ASCII lower case (names in the workload layer are matched case-insensitively).
std::string to_lower(const std::string& s);

// Case-insensitive: whether find_model(name) would succeed.
bool is_known_model(const std::string& name);

}  // namespace t3vp
