#include "tlm/log.h"

#include <cstdio>
#include <stdexcept>

namespace t3vp {
namespace {
log_level g_level = log_level::warning;
bool g_warnings_are_errors = false;
unsigned g_warnings = 0;
unsigned g_errors = 0;

void report_handler(const sc_core::sc_report& rep, const sc_core::sc_actions& actions) {
  const auto sev = rep.get_severity();
  if (sev == sc_core::SC_WARNING) ++g_warnings;
  if (sev >= sc_core::SC_ERROR || (sev == sc_core::SC_WARNING && g_warnings_are_errors)) ++g_errors;
  if (actions & sc_core::SC_DISPLAY) {
    log_level l = sev == sc_core::SC_INFO ? log_level::info
                  : sev == sc_core::SC_WARNING ? log_level::warning
                                               : log_level::error;
    std::string msg = std::string(rep.get_msg_type()) + ": " + rep.get_msg();
    if (rep.get_file_name() && *rep.get_file_name())
      msg += std::string(" (") + rep.get_file_name() + ":" + std::to_string(rep.get_line_number()) + ")";
    if (static_cast<int>(l) <= static_cast<int>(g_level) || sev >= sc_core::SC_WARNING) log_line(l, "systemc", msg);
  }
  // Keep SystemC's own semantics for the remaining actions (throw, stop, abort).
  sc_core::sc_actions rest = actions & ~(sc_core::SC_DISPLAY | sc_core::SC_LOG);
  sc_core::sc_report_handler::default_handler(rep, rest);
}
}  // namespace

log_level parse_log_level(const std::string& s) {
  if (s == "error") return log_level::error;
  if (s == "warning") return log_level::warning;
  if (s == "info") return log_level::info;
  if (s == "debug") return log_level::debug;
  if (s == "trace") return log_level::trace;
  throw std::invalid_argument("unknown log level '" + s + "' (error, warning, info, debug, trace)");
}

const char* to_string(log_level l) {
  switch (l) {
    case log_level::error: return "error";
    case log_level::warning: return "warning";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
    case log_level::trace: return "trace";
  }
  return "?";
}

void set_log_level(log_level l) { g_level = l; }
log_level current_log_level() { return g_level; }

void log_line(log_level l, const std::string& who, const std::string& msg) {
  static const char letters[] = {'E', 'W', 'I', 'D', 'T'};
  std::string t = sc_core::sc_time_stamp().to_string();
  std::fprintf(stderr, "[%c %s] %s: %s\n", letters[static_cast<int>(l)], t.c_str(), who.c_str(), msg.c_str());
}

void install_report_handler(bool warnings_are_errors) {
  g_warnings_are_errors = warnings_are_errors;
  sc_core::sc_report_handler::set_handler(report_handler);
}

unsigned systemc_warnings_seen() { return g_warnings; }
unsigned systemc_errors_seen() { return g_errors; }

}  // namespace t3vp
