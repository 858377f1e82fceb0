#include "platform/progress.h"

#include <unistd.h>
#include <cstdio>

namespace t3vp {
namespace {
bool quiet_flag = false;
}

void set_progress_quiet(bool quiet) { quiet_flag = quiet; }
bool progress_quiet() { return quiet_flag; }

progress::progress(std::string what, bool quiet)
    : what_(std::move(what)), enabled_(!quiet && isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()),
      last_(start_) {}

progress::~progress() {
  if (drawn_) std::fputs("\r\033[K", stderr), std::fflush(stderr);
}

void progress::update(const std::string& status) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 1.0 || (drawn_ && now - last_ < std::chrono::milliseconds(200))) return;
  last_ = now;
  drawn_ = true;
  std::fprintf(stderr, "\r\033[K%s: %s (%.0f s)", what_.c_str(), status.c_str(), elapsed);
  std::fflush(stderr);
}

}  // namespace t3vp
