#pragma once
// Logging in the form `[L <sim-time>] <hier.name>: message`, with levels; SystemC's own reports are
// routed through the same sink so that a run's log reads as one stream.
#include <sstream>
#include <string>
#include <systemc>

namespace t3vp {

enum class log_level { error = 0, warning = 1, info = 2, debug = 3, trace = 4 };

log_level parse_log_level(const std::string& s);  // throws std::invalid_argument
const char* to_string(log_level l);

void set_log_level(log_level l);
log_level current_log_level();
inline bool log_enabled(log_level l) { return static_cast<int>(l) <= static_cast<int>(current_log_level()); }

// Writes one line to stderr: [L <letter> <sim-time>] <who>: <msg>.
void log_line(log_level l, const std::string& who, const std::string& msg);
inline void log_line(log_level l, const sc_core::sc_object* who, const std::string& msg) {
  log_line(l, who ? std::string(who->name()) : std::string("t3vp"), msg);
}

// Routes SystemC reports through log_line. With warnings_are_errors, a warning counts as an error
// (tests fail on it). Errors and fatals keep SystemC's throw/abort actions.
void install_report_handler(bool warnings_are_errors);
unsigned systemc_warnings_seen();
unsigned systemc_errors_seen();

}  // namespace t3vp

#define T3VP_LOG(level, who, expr)                         \
  do {                                                     \
    if (::t3vp::log_enabled(level)) {                      \
      std::ostringstream t3vp_log_os_;                     \
      t3vp_log_os_ << expr;                                \
      ::t3vp::log_line(level, who, t3vp_log_os_.str());    \
    }                                                      \
  } while (0)
