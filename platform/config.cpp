#include "platform/config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>
#include "platform/json_strict.h"

namespace t3vp {

std::vector<param_def> build_parameter_schema();  // platform/parameters.cpp

namespace {
using json = nlohmann::ordered_json;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string format_real(double v) {
  std::ostringstream os;
  os.precision(15);
  os << v;
  return os.str();
}

param_value parse_text(const param_def& def, const std::string& text, const std::string& origin) {
  auto fail = [&](const std::string& what) {
    return config_error(origin + ": parameter '" + def.key + "': " + what);
  };
  switch (def.type) {
    case param_type::integer: {
      std::size_t pos = 0;
      long long v = 0;
      try {
        const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
        v = std::stoll(text, &pos, hex ? 16 : 10);  // decimal (a leading 0 is not octal) or 0x hex
      } catch (const std::exception&) {
        throw fail("expected an integer, got '" + text + "'");
      }
      if (pos != text.size()) throw fail("expected an integer, got '" + text + "'");
      return std::int64_t(v);
    }
    case param_type::real: {
      std::size_t pos = 0;
      double v = 0;
      try {
        v = std::stod(text, &pos);
      } catch (const std::exception&) {
        throw fail("expected a number, got '" + text + "'");
      }
      if (pos != text.size() || !std::isfinite(v)) throw fail("expected a number, got '" + text + "'");
      return v;
    }
    case param_type::boolean:
      if (text == "true" || text == "1" || text == "on") return true;
      if (text == "false" || text == "0" || text == "off") return false;
      throw fail("expected true or false, got '" + text + "'");
    case param_type::string: {
      std::string s = text;
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
      return s;
    }
  }
  throw fail("unknown type");
}

param_value from_json(const param_def& def, const json& v, const std::string& origin) {
  auto fail = [&](const std::string& what) {
    return config_error(origin + ": parameter '" + def.key + "': " + what + ", got " + v.dump());
  };
  switch (def.type) {
    case param_type::integer:
      if (v.is_number_integer()) {
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
          throw fail("integer out of range");
        return v.get<std::int64_t>();
      }
      throw fail("expected an integer");
    case param_type::real:
      if (v.is_number()) return v.get<double>();
      throw fail("expected a number");
    case param_type::boolean:
      if (v.is_boolean()) return v.get<bool>();
      throw fail("expected true or false");
    case param_type::string:
      if (v.is_string()) return v.get<std::string>();
      throw fail("expected a string");
  }
  throw fail("unknown type");
}

json to_json_value(const param_value& v) {
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<bool>(&v)) return *p;
  return std::get<std::string>(v);
}
}  // namespace

const char* to_string(param_type t) {
  switch (t) {
    case param_type::integer: return "integer";
    case param_type::real: return "number";
    case param_type::boolean: return "boolean";
    case param_type::string: return "string";
  }
  return "?";
}

std::string param_def::range_text() const {
  switch (type) {
    case param_type::integer: {
      std::ostringstream os;
      os << static_cast<long long>(min) << ".." << static_cast<long long>(max);
      return os.str();
    }
    case param_type::real: return format_real(min) + ".." + format_real(max);
    case param_type::boolean: return "true|false";
    case param_type::string: {
      if (choices.empty()) return "text";
      std::string s;
      for (const auto& c : choices) s += (s.empty() ? "" : "|") + c;
      return s;
    }
  }
  return "";
}

const std::vector<param_def>& config::schema() {
  static const std::vector<param_def> defs = [] {
    auto d = build_parameter_schema();
    std::sort(d.begin(), d.end(), [](const param_def& a, const param_def& b) { return a.key < b.key; });
    return d;
  }();
  return defs;
}

const param_def* config::find_def(const std::string& key) {
  const auto& s = schema();
  auto it = std::lower_bound(s.begin(), s.end(), key, [](const param_def& d, const std::string& k) { return d.key < k; });
  return (it != s.end() && it->key == key) ? &*it : nullptr;
}

std::string config::suggest(const std::string& unknown) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& d : schema()) {
    std::size_t dist = edit_distance(unknown, d.key);
    // A key that merely ends the same way (a missing group prefix) is a good suggestion too.
    const std::string leaf = d.key.substr(d.key.rfind('.') + 1);
    const std::string uleaf = unknown.substr(unknown.rfind('.') + 1);
    if (leaf == uleaf) dist = std::min(dist, std::size_t(2));
    // So is a key the unknown one is the start of ('hbm.channels' for 'hbm.channels_per_stack').
    if (unknown.find('.') != std::string::npos && d.key.rfind(unknown, 0) == 0) dist = std::min(dist, std::size_t(3));
    if (dist < best_d) {
      best_d = dist;
      best = d.key;
    }
  }
  return best_d <= std::max<std::size_t>(3, unknown.size() / 3) ? best : std::string();
}

namespace {
// A key as a message can show it: control bytes escaped (a NUL, "\u0000" in a file, would cut the
// message short).
std::string shown(const std::string& key) {
  std::string out;
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out += ch;
      continue;
    }
    static const char hex[] = "0123456789abcdef";
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}
}  // namespace

std::string config::unknown_key_message(const std::string& unknown) {
  const std::string leaf = lower_case(unknown.substr(unknown.rfind('.') + 1));
  const std::string group = unknown.substr(0, unknown.find('.') == std::string::npos ? 0 : unknown.find('.'));
  std::string where;
  if (leaf == "tp" || leaf == "tp_degree" || leaf == "tensor_parallel" || leaf == "tensor_parallelism")
    where = "the TP degree is the number of GPUs: system.gpus";
  else if (group == "hbm" && (leaf.find("bandwidth") != std::string::npos || leaf.find("gbps") != std::string::npos))
    where = "the HBM peak follows from hbm.tck_ns (1024 GB/s at 1.0 ns), hbm.burst_bytes, hbm.burst_cycles and the "
            "pseudo-channel count; memtest reports it as peak_gbps";
  const std::string near = where.empty() ? suggest(unknown) : std::string();
  return "unknown parameter '" + shown(unknown) + "'" +
         (!where.empty() ? " (" + where + ")" : near.empty() ? "" : " (did you mean '" + near + "'?)");
}

config::config() {
  for (const auto& d : schema()) values_[d.key] = parse_text(d, d.default_value, "built-in default");
}

void config::assign(const param_def& def, const param_value& v, const std::string& origin) {
  auto fail = [&](const std::string& what) { return config_error(origin + ": parameter '" + def.key + "': " + what); };
  if (def.type == param_type::integer) {
    double x = double(std::get<std::int64_t>(v));
    if (x < def.min || x > def.max)
      throw fail("value " + std::to_string(std::get<std::int64_t>(v)) + " is out of range " + def.range_text() +
                 (def.unit.empty() ? "" : " " + def.unit));
  } else if (def.type == param_type::real) {
    double x = std::get<double>(v);
    if (!(x >= def.min && x <= def.max))
      throw fail("value " + format_real(x) + " is out of range " + def.range_text() + (def.unit.empty() ? "" : " " + def.unit));
  } else if (def.type == param_type::string && !def.choices.empty()) {
    // Choices match whatever the case (the reports print "T-NLG"); the canonical spelling is kept.
    const auto& s = std::get<std::string>(v);
    const std::string* choice = find_choice(def, s);
    if (!choice) throw fail("'" + s + "' is not one of " + def.range_text());
    values_[def.key] = *choice;
    return;
  }
  values_[def.key] = v;
}

std::string lower_case(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

const std::string* find_choice(const param_def& def, const std::string& text) {
  const std::string want = lower_case(text);
  for (const auto& c : def.choices)
    if (lower_case(c) == want) return &c;
  return nullptr;
}

std::ifstream open_input_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw config_error(what + " '" + path + "' is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error("cannot read " + what + " '" + path + "'");
  return in;
}

std::string read_input_file(const std::string& path, const std::string& what) {
  std::ifstream in = open_input_file(path, what);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

void config::load_file(const std::string& path) { load_json_text(read_input_file(path, "configuration file"), path); }

void config::load_json_text(const std::string& text, const std::string& origin) {
  json doc;
  std::string duplicate;  // (a key twice in one object would silently keep the last value: refused)
  try {
    doc = parse_json_strict<json>(text, /*ignore_comments=*/true, duplicate);  // (config files may carry // and /* */ notes)
  } catch (const json::exception& e) {  // (out_of_range too: a number such as 1e400)
    throw config_error(origin + ": malformed JSON: " + e.what());
  }
  if (!duplicate.empty()) throw config_error(origin + ": key '" + shown(duplicate) + "' appears twice in one object");
  if (!doc.is_object()) throw config_error(origin + ": the configuration must be a JSON object");
  // Walk nested objects; a leaf whose dotted path is a parameter is assigned (once: a parameter given
  // both as a dotted key and inside its group is refused, whichever order the file has them in).
  std::set<std::string> assigned;
  std::vector<std::pair<std::string, const json*>> todo{{"", &doc}};
  while (!todo.empty()) {
    auto [prefix, obj] = todo.back();
    todo.pop_back();
    for (auto it = obj->begin(); it != obj->end(); ++it) {
      const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (const param_def* def = find_def(key)) {
        if (!assigned.insert(key).second) throw config_error(origin + ": parameter '" + key + "' is given twice");
        assign(*def, from_json(*def, it.value(), origin), origin);
        continue;
      }
      const auto& s = schema();
      bool is_group = std::any_of(s.begin(), s.end(), [&](const param_def& d) { return d.key.rfind(key + ".", 0) == 0; });
      if (is_group && it.value().is_object()) {
        todo.push_back({key, &it.value()});
        continue;
      }
      if (is_group) throw config_error(origin + ": '" + key + "' is a group of parameters and must be a JSON object");
      throw config_error(origin + ": " + unknown_key_message(key));
    }
  }
}

void config::set(const std::string& key, const std::string& value) {
  const param_def* def = find_def(key);
  if (!def) {
    throw config_error("--set: " + unknown_key_message(key));
  }
  assign(*def, parse_text(*def, value, "--set"), "--set");
}

void config::set_assignment(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw config_error("--set: expected KEY=VALUE, got '" + kv + "'");
  set(kv.substr(0, eq), kv.substr(eq + 1));
}

const param_value& config::get(const std::string& key, param_type t) const {
  const param_def* def = find_def(key);
  if (!def) throw std::logic_error("internal: parameter '" + key + "' is not in the schema");
  if (def->type != t && !(t == param_type::real && def->type == param_type::integer))
    throw std::logic_error("internal: parameter '" + key + "' read as " + to_string(t));
  return values_.at(key);
}

std::int64_t config::get_int(const std::string& key) const { return std::get<std::int64_t>(get(key, param_type::integer)); }
double config::get_real(const std::string& key) const {
  const auto& v = get(key, param_type::real);
  if (auto p = std::get_if<std::int64_t>(&v)) return double(*p);
  return std::get<double>(v);
}
bool config::get_bool(const std::string& key) const { return std::get<bool>(get(key, param_type::boolean)); }
const std::string& config::get_string(const std::string& key) const {
  return std::get<std::string>(get(key, param_type::string));
}

std::string config::value_text(const std::string& key) const {
  const auto& v = values_.at(key);
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return format_real(*p);
  if (auto p = std::get_if<bool>(&v)) return *p ? "true" : "false";
  return std::get<std::string>(v);
}

bool config::is_default(const std::string& key) const {
  const param_def* def = find_def(key);
  return def && values_.at(key) == parse_text(*def, def->default_value, "default");
}

std::string config::to_json(int indent) const {
  json doc = json::object();
  for (const auto& [key, v] : values_) {
    json* node = &doc;
    std::size_t start = 0;
    for (std::size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1)
      node = &(*node)[key.substr(start, dot - start)];
    (*node)[key.substr(start)] = to_json_value(v);
  }
  return doc.dump(indent);
}

}  // namespace t3vp
