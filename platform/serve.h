#pragma once
// `t3vp serve`: elaborates the platform `t3vp run` elaborates and serves live control over TCP,
// newline-delimited JSON (docs/serve.md). SystemC stays on the calling (main) thread; Boost.Asio runs
// on a thread of its own; requests cross into the kernel through a primitive channel fed with
// async_request_update(), and simulated time advances only under the `run` command.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "platform/config.h"

namespace t3vp {

// Largest `read` (bytes of memory per request): 128 KiB of hex in the reply.
constexpr std::uint64_t serve_max_read_bytes = 64 * 1024;
// Longest `run` step, and latest `until_ns`: 1000 s of simulated time.
constexpr double serve_max_run_ns = 1e12;

// The range of --max-line-bytes.
constexpr std::size_t serve_min_line_bytes = 64, serve_max_line_bytes = 16u << 20;

// The commands serve answers: the arguments each takes (any other is refused: a typo in `for_ns`
// would otherwise run the whole simulation), and their help line (`t3vp ctl --help`).
struct serve_command {
  const char* name;
  std::vector<std::string> args;
  const char* synopsis;  // the arguments as ctl takes them
  const char* what;
};
const std::vector<serve_command>& serve_commands();

struct serve_options {
  std::string mode = "sequential";
  std::string bind = "127.0.0.1";  // loopback unless the user names another address
  unsigned port = 0;               // 0: the kernel picks a free port
  std::size_t max_line_bytes = 64 * 1024;
};

// Prints `listening on ADDR:PORT` as the first line on stdout, serves until `quit`, returns 0.
// Throws config_error / std::invalid_argument for bad input (exit code 2).
int run_serve(const config& cfg, const serve_options& opt);

}  // namespace t3vp
