#pragma once
// Starts `t3vp serve` as a child process and talks to it over TCP with plain POSIX sockets (so that the
// tests check the wire protocol, not our own client code). Every wait has a deadline: a broken server
// fails a test, it never hangs it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace t3vp_test {

// Reads up to a newline from fd within timeout_ms; false on timeout, EOF or error. `buf` keeps what
// followed the newline.
inline bool read_line_fd(int fd, std::string& buf, std::string& line, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const std::size_t nl = buf.find('\n');
    if (nl != std::string::npos) {
      line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, int(left.count())) <= 0) continue;
    char chunk[65536];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, std::size_t(n));
  }
}

class serve_process {
 public:
  // Runs `t3vp serve ARGS` and waits for its `listening on ADDR:PORT` line.
  explicit serve_process(const std::vector<std::string>& args) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::vector<std::string> all = {T3VP_BINARY, "serve"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(T3VP_BINARY, argv.data());
      _exit(127);
    }
    close(out[1]);
    out_ = out[0];
    std::string buf;
    REQUIRE(read_line_fd(out_, buf, first_line, 60000));
    const std::string prefix = "listening on ";
    REQUIRE(first_line.rfind(prefix, 0) == 0);
    const std::size_t colon = first_line.rfind(':');
    address = first_line.substr(prefix.size(), colon - prefix.size());
    port = unsigned(std::stoul(first_line.substr(colon + 1)));
  }
  ~serve_process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }
  // The exit code, or -1 when it does not exit within timeout_ms (then it is killed).
  int wait_exit(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  bool alive() { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

  std::string first_line, address;
  unsigned port = 0;

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

// One TCP connection to the server.
class serve_client {
 public:
  explicit serve_client(unsigned port, const char* host = "127.0.0.1") { connected = open(port, host); }
  ~serve_client() { close_now(); }
  bool open(unsigned port, const char* host) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(std::uint16_t(port));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) return false;
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  bool send_raw(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += std::size_t(n);
    }
    return true;
  }
  bool read_line(std::string& line, int timeout_ms = 20000) { return read_line_fd(fd_, buf_, line, timeout_ms); }
  // Sends one request line and parses the reply line (discarded JSON when there is none).
  nlohmann::json request(const nlohmann::json& req, int timeout_ms = 60000) {
    std::string line;
    if (!send_raw(req.dump() + "\n") || !read_line(line, timeout_ms)) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(line, nullptr, false);
  }
  // Closes with a reset instead of an orderly shutdown (SO_LINGER 0).
  void reset() {
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close_now();
  }
  void close_now() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool connected = false;

 private:
  int fd_ = -1;
  std::string buf_;
};

}  // namespace t3vp_test
