#pragma once
// Runs the t3vp binary as a separate process (each run is its own SystemC elaboration) and captures
// its exit code and output.
#include <array>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace t3vp_test {

struct process_result {
  int exit_code;
  std::string output;  // stdout and stderr
};

// env: shell assignments put before the binary (e.g. "TMPDIR=/x"), or empty.
inline process_result run_t3vp_env(const std::string& env, const std::string& args) {
  const std::string cmd = env + " " + std::string(T3VP_BINARY) + " " + args + " 2>&1";
  process_result r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline process_result run_t3vp(const std::string& args) { return run_t3vp_env("", args); }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

inline std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/t3vp_test_" + std::to_string(::getpid()) + "_" + name;
}

// Runs `t3vp COMMAND --json FILE ARGS`, requires the exit code, and returns the parsed document.
inline nlohmann::json command_json(const std::string& command, const std::string& args, int expect_exit = 0) {
  const std::string path = temp_path(command + ".json");
  auto r = run_t3vp(command + " --json " + path + " " + args);
  INFO(r.output);
  REQUIRE(r.exit_code == expect_exit);
  auto j = nlohmann::json::parse(read_text(path));
  std::remove(path.c_str());
  return j;
}

inline nlohmann::json run_json(const std::string& args, int expect_exit = 0) { return command_json("run", args, expect_exit); }

}  // namespace t3vp_test
