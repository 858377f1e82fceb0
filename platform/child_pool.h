#pragma once
// Runs t3vp child processes (`t3vp run ...`), a bounded number at once. Every mode of every point is
// its own SystemC elaboration, and SystemC allows one per process, so compare, study and sweep fan
// out to children of this same executable.
#include <signal.h>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace t3vp {

struct child_job {
  std::vector<std::string> args;  // arguments after the executable
  std::string log_path;           // the child's stdout and stderr
  int exit_code = -1;             // -1: did not exit normally (signal) or never ran
  int term_signal = 0;            // the signal that ended it, if one did
  double wall_s = 0;
  // Starts only after job (index - depends_back) has ended (0: no dependency); then, when `skip` says
  // so, it is not run at all and counts as done with exit code 0 and `skipped` set.
  std::size_t depends_back = 0;
  std::function<bool()> skip;
  bool skipped = false;
};

// SIGINT, SIGTERM or SIGHUP arrived while children ran: they got the same signal and were reaped. The
// command line removes its scratch directory on the way out and then ends by that signal.
struct interrupted : std::runtime_error {
  interrupted(int sig, std::size_t stopped);
  int signal;
};

// The termination signal that arrived while a temp_dir or run_children held it back and that nothing
// has acted on yet, or 0: the command line ends by it once the scratch files are gone.
int deferred_termination_signal();

// "exit code N", or "killed by signal N (NAME...)" for a child a signal ended.
std::string describe_end(const child_job& j);

// The path of the running executable (/proc/self/exe).
std::string self_exe();

// Runs every job, at most `parallel` at once, in index order (a job waiting for its dependency lets
// later ones go first); on_done(i) runs in this process after job i ended or was skipped (for
// progress and streaming output).
void run_children(const std::string& exe, std::vector<child_job>& jobs, unsigned parallel,
                  const std::function<void(std::size_t)>& on_done = {});

std::string read_text_file(const std::string& path);

// A fresh directory under $TMPDIR (/tmp when unset), removed with its files (one level) on destruction.
// SIGINT, SIGTERM and SIGHUP wait while it exists (deferred_termination_signal), so none can end the
// process with the directory left behind.
class temp_dir {
 public:
  explicit temp_dir(const std::string& prefix);
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  sigset_t blocked_, old_mask_;
};

}  // namespace t3vp
