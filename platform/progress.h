#pragma once
// Progress on stderr for long runs: shown only when stderr is a terminal, only after the first second
// of wall clock, at most five times a second, and never with --quiet. It writes nothing else, so
// results (stdout, --json files) are the same with or without it.
#include <chrono>
#include <string>

namespace t3vp {

class progress {
 public:
  progress(std::string what, bool quiet);
  ~progress();  // clears the line it drew
  progress(const progress&) = delete;
  progress& operator=(const progress&) = delete;
  bool enabled() const { return enabled_; }
  void update(const std::string& status);

 private:
  std::string what_;
  bool enabled_ = false, drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// The process-wide --quiet (run uses it inside run_sublayer).
void set_progress_quiet(bool quiet);
bool progress_quiet();

}  // namespace t3vp
