#pragma once
// JSON parsing that notices a key given twice in one object: nlohmann keeps the last value silently,
// which would let `{"cmd":"status","cmd":"quit"}` or a configuration with two `hbm` groups mean
// something other than what it shows.
#include <set>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

namespace t3vp {

// Parses `text` (throws nlohmann::json::exception when malformed); the first key found twice in one
// object is left in `duplicate` ("" when none).
template <typename Json>
Json parse_json_strict(const std::string& text, bool ignore_comments, std::string& duplicate) {
  std::vector<std::set<std::string>> keys_seen;
  duplicate.clear();
  const typename Json::parser_callback_t on_event = [&](int, typename Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) keys_seen.emplace_back();
    else if (event == Json::parse_event_t::object_end && !keys_seen.empty()) keys_seen.pop_back();
    else if (event == Json::parse_event_t::key && !keys_seen.empty() &&
             !keys_seen.back().insert(parsed.template get<std::string>()).second && duplicate.empty())
      duplicate = parsed.template get<std::string>();
    return true;
  };
  return Json::parse(text, on_event, true, ignore_comments);
}

}  // namespace t3vp
