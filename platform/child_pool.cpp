#include "platform/child_pool.h"
#include "platform/config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace t3vp {
namespace {

int deferred_signal = 0;
// The signal mask before the first temp_dir or child_guard blocked anything: the children's.
sigset_t original_mask;
int block_depth = 0;

void block(const sigset_t& set, sigset_t& old) {
  pthread_sigmask(SIG_BLOCK, &set, &old);
  if (block_depth++ == 0) original_mask = old;
}

void unblock(const sigset_t& old) {
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  --block_depth;
}

// SIGINT, SIGTERM and SIGHUP, except those the process ignores (nohup, a background job of a script):
// an ignored signal must stay ignored, and a blocked one would be queued for sigwaitinfo anyway.
sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    if (sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler != SIG_IGN) sigaddset(&set, sig);
  }
  return set;
}

// Takes the signals of `set` that are pending (blocked) and remembers the first, so that they act
// once the scratch files are gone (run_cli) instead of the moment they are unblocked.
void take_pending(const sigset_t& set) {
  const timespec zero{0, 0};
  for (int sig; (sig = sigtimedwait(&set, nullptr, &zero)) > 0;)
    if (!deferred_signal) deferred_signal = sig;
}

const char* signal_name(int sig) { return sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : sig == SIGTERM ? "SIGTERM" : "a signal"; }

// The child starts with `mask`, the signal mask this process had before it blocked any.
pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& log_path,
            const sigset_t& mask) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigmask(&attr, &mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start '" + exe + "': " + std::strerror(rc));
  return pid;
}

// While children run, SIGCHLD and the termination signals are blocked and taken with sigwaitinfo (no
// handler, no race between a check and a wait). On the way out, however it is left, every child still
// running gets `stop_signal` and is reaped, and the signal state is restored.
class child_guard {
 public:
  using running_map = std::map<pid_t, std::pair<std::size_t, std::chrono::steady_clock::time_point>>;
  explicit child_guard(running_map& running) : running_(running), termination_(termination_signals()) {
    watched_ = termination_;
    sigaddset(&watched_, SIGCHLD);
    // (An ignored SIGCHLD would reap the children itself: waitpid would never see their status.)
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGCHLD, &dfl, &old_chld_);
    block(watched_, old_mask_);
  }
  ~child_guard() {
    stop_children();
    take_pending(termination_);  // (a second Ctrl-C, or the same signal from the terminal and a parent)
    sigaction(SIGCHLD, &old_chld_, nullptr);
    unblock(old_mask_);
  }
  child_guard(const child_guard&) = delete;
  child_guard& operator=(const child_guard&) = delete;

  static const sigset_t& child_mask() { return original_mask; }
  // The next watched signal (SIGCHLD: some child changed state).
  int wait() const {
    for (;;) {
      const int s = sigwaitinfo(&watched_, nullptr);
      if (s > 0) return s;
      if (errno != EINTR) throw std::runtime_error(std::string("waiting for child runs: ") + std::strerror(errno));
    }
  }
  int stop_signal = SIGTERM;

 private:
  // SIGCONT too, for a child someone stopped; one that has not ended after a grace period is killed.
  void stop_children() {
    for (const auto& c : running_) {
      kill(c.first, stop_signal);
      kill(c.first, SIGCONT);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!running_.empty()) {
      for (auto it = running_.begin(); it != running_.end();)
        it = waitpid(it->first, nullptr, WNOHANG) != 0 ? running_.erase(it) : std::next(it);
      if (running_.empty()) break;
      if (std::chrono::steady_clock::now() > deadline) {
        for (const auto& c : running_) kill(c.first, SIGKILL);
        for (const auto& c : running_) waitpid(c.first, nullptr, 0);
        running_.clear();
        break;
      }
      const timespec tick{0, 10'000'000};
      nanosleep(&tick, nullptr);
    }
  }

  running_map& running_;
  sigset_t termination_, watched_, old_mask_;
  struct sigaction old_chld_ {};
};

}  // namespace

std::string self_exe() {
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) throw std::runtime_error("cannot find the t3vp executable");
  exe[n] = 0;
  return exe;
}

void run_children(const std::string& exe, std::vector<child_job>& jobs, unsigned parallel,
                  const std::function<void(std::size_t)>& on_done) {
  using clock = std::chrono::steady_clock;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i].depends_back > i) throw std::logic_error("run_children: a job depends on one after it");
  std::vector<char> started(jobs.size(), 0), ended(jobs.size(), 0);
  std::size_t first_waiting = 0, running = 0, finished = 0;
  child_guard::running_map by_pid;
  child_guard guard(by_pid);
  const auto end_job = [&](std::size_t i) {
    ended[i] = 1;
    ++finished;
    if (on_done) on_done(i);
  };
  while (finished < jobs.size()) {
    while (first_waiting < jobs.size() && started[first_waiting]) ++first_waiting;
    for (std::size_t i = first_waiting; i < jobs.size() && running < std::max(1u, parallel); ++i) {
      child_job& j = jobs[i];
      if (started[i] || (j.depends_back && !ended[i - j.depends_back])) continue;
      started[i] = 1;
      if (j.skip && j.skip()) {
        j.skipped = true;
        j.exit_code = 0;
        end_job(i);
        continue;
      }
      by_pid[spawn(exe, j.args, j.log_path, guard.child_mask())] = {i, clock::now()};
      ++running;
    }
    if (running == 0) {
      if (finished < jobs.size()) throw std::logic_error("run_children: a job depends on one that cannot end");
      break;
    }
    const int sig = guard.wait();
    int status = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      auto it = by_pid.find(pid);
      if (it == by_pid.end()) continue;
      child_job& j = jobs[it->second.first];
      j.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      j.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      j.wall_s = std::chrono::duration<double>(clock::now() - it->second.second).count();
      const std::size_t done = it->second.first;
      by_pid.erase(it);
      --running;
      if (sig == SIGCHLD) end_job(done);
    }
    if (sig != SIGCHLD) {
      guard.stop_signal = sig;  // the children stop the way the user asked this process to
      throw interrupted(sig, by_pid.size());
    }
  }
}

int deferred_termination_signal() { return deferred_signal; }

std::string describe_end(const child_job& j) {
  if (!j.term_signal) return "exit code " + std::to_string(j.exit_code);
  std::string s = "killed by signal " + std::to_string(j.term_signal) + " (" + strsignal(j.term_signal);
  if (j.term_signal == SIGKILL) s += "; e.g. the kernel's out-of-memory killer";
  return s + ")";
}

interrupted::interrupted(int sig, std::size_t stopped)
    : std::runtime_error(std::string("interrupted by ") + signal_name(sig) + "; stopped " + std::to_string(stopped) +
                         " child run(s) and removed the scratch files"),
      signal(sig) {}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

temp_dir::temp_dir(const std::string& prefix) : blocked_(termination_signals()) {
  // A termination signal waits until the directory is gone (run_cli then ends by it).
  block(blocked_, old_mask_);
  // $TMPDIR first: cluster jobs point it at node-local scratch.
  const char* env = std::getenv("TMPDIR");
  const std::string parent = env && *env ? env : "/tmp";
  std::string tmpl = parent + "/" + prefix + "_XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    const int err = errno;
    unblock(old_mask_);
    throw config_error("cannot create a temporary directory in " + parent + " (" + std::strerror(err) +
                       "); set TMPDIR to a writable directory");
  }
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  if (DIR* d = opendir(path_.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") std::remove((path_ + "/" + n).c_str());
    }
    closedir(d);
  }
  rmdir(path_.c_str());
  take_pending(blocked_);
  unblock(old_mask_);
}

}  // namespace t3vp
