#include "workloads/model_table.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace t3vp {

std::string to_lower(const std::string& s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

namespace {

const model_spec* lookup(const std::string& name) {
  const std::string key = to_lower(name);
  for (const model_spec& m : model_table())
    if (m.key == key) return &m;
  return nullptr;
}
}  // namespace

const std::vector<model_spec>& model_table() {
  // Public shapes (reference/t3.md section 3). FFN = 4H except PaLM (SwiGLU, FFN 73728).
  static const std::vector<model_spec> table = {
      {"mega-gpt-2", "Mega-GPT-2", 3072, 72, 32, 4 * 3072ull, 8.3, false},
      {"t-nlg", "T-NLG", 4256, 78, 28, 4 * 4256ull, 17, false},
      {"gpt-3", "GPT-3", 12288, 96, 96, 4 * 12288ull, 175, false},
      {"palm", "PaLM", 18432, 118, 48, 73728, 540, false},
      {"mt-nlg", "MT-NLG", 20480, 105, 128, 4 * 20480ull, 530, false},
      {"custom", "custom", 0, 0, 0, 0, 0, true},
  };
  return table;
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const model_spec& m : model_table()) names.push_back(m.key);
  return names;
}

const model_spec& find_model(const std::string& name) {
  if (const model_spec* m = lookup(name)) return *m;
  std::string valid;
  for (const std::string& k : model_names()) valid += (valid.empty() ? "" : ", ") + k;
  throw std::invalid_argument("parameter 'workload.model': unknown model '" + name + "' (valid: " + valid + ")");
}

bool is_known_model(const std::string& name) { return lookup(name) != nullptr; }

}  // namespace t3vp
