#pragma once
// The configuration: a flat set of typed parameters keyed by dotted path, with embedded defaults
// (the paper's system), loaded from JSON files and `--set key=value` overrides. Every parameter has a
// default, unit, range and description (platform/parameters.cpp); `t3vp params` lists them.
#include <cstdint>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace t3vp {

// Bad input from the user: the message names the key. The command line maps it to exit code 2.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Opens a file the user named (`what`: e.g. "configuration file"); a directory or an unreadable path
// is a config_error naming it.
std::ifstream open_input_file(const std::string& path, const std::string& what);
// The whole of such a file.
std::string read_input_file(const std::string& path, const std::string& what);

enum class param_type { integer, real, boolean, string };
const char* to_string(param_type t);

struct param_def {
  std::string key;
  param_type type;
  std::string default_value;  // textual, parsed by type
  std::string unit;
  double min = 0, max = 0;            // inclusive range of integer and real parameters
  std::vector<std::string> choices;   // allowed values of a string parameter (empty: any)
  std::string description;
  std::string range_text() const;
};

// ASCII lower case: names (choices, modes, models, sublayers) match whatever case the user typed.
std::string lower_case(std::string s);
// The choice of `def` that equals `text` whatever the case (its canonical spelling), or nullptr.
const std::string* find_choice(const param_def& def, const std::string& text);

using param_value = std::variant<std::int64_t, double, bool, std::string>;

class config {
 public:
  config();  // every parameter at its default

  static const std::vector<param_def>& schema();
  static const param_def* find_def(const std::string& key);
  // The known key closest to an unknown one (edit distance), or "" when nothing is close.
  static std::string suggest(const std::string& unknown);
  // "unknown parameter 'K'" with a near match, or where what the user looked for lives (a TP degree, an
  // HBM bandwidth: quantities no single key holds under that name).
  static std::string unknown_key_message(const std::string& unknown);

  void load_file(const std::string& path);
  void load_json_text(const std::string& text, const std::string& origin);
  void set(const std::string& key, const std::string& value);          // from --set
  void set_assignment(const std::string& key_eq_value);                // "key=value"

  std::int64_t get_int(const std::string& key) const;
  double get_real(const std::string& key) const;  // integers convert
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;

  std::string value_text(const std::string& key) const;
  bool is_default(const std::string& key) const;

  // Nested JSON of every resolved parameter (parse -> serialise -> parse gives the same config).
  std::string to_json(int indent = 2) const;
  bool operator==(const config& o) const { return values_ == o.values_; }

 private:
  const param_value& get(const std::string& key, param_type t) const;
  void assign(const param_def& def, const param_value& v, const std::string& origin);
  std::map<std::string, param_value> values_;
};

}  // namespace t3vp
