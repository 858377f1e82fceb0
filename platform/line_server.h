#pragma once
// A TCP server of newline-delimited requests on Boost.Asio, for `t3vp serve`: one io_context on its own
// thread, any number of clients (up to max_clients), each line handed to a callback with a one-shot
// reply function that may be called from any thread. It never interprets a line; it only enforces the
// transport's limits (docs/serve.md): a line longer than max_line_bytes is discarded up to its newline
// and reported to the callback, the connection stays usable.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace t3vp {

struct line_server_limits {
  std::size_t max_line_bytes = 64 * 1024;  // without the newline
  std::size_t max_in_flight = 32;          // requests of one client awaiting a reply before it is read further
  std::size_t max_clients = 64;
};

class line_server {
 public:
  using reply_fn = std::function<void(const std::string& line)>;
  // Called on the server thread with a line (no newline, no trailing CR), or with too_long set and no
  // text for a line over the limit, so that its error reply keeps its place among the others.
  using line_fn = std::function<void(std::string line, bool too_long, reply_fn reply)>;
  // An error reply line (one JSON object) for a transport-level problem: too many clients.
  using error_fn = std::function<std::string(const std::string& message)>;

  // Binds and listens (port 0: the kernel picks one); throws std::invalid_argument naming the problem
  // when the address is not an IP address or cannot be bound.
  line_server(const std::string& address, unsigned port, const line_server_limits& limits, line_fn on_line,
              error_fn make_error);
  ~line_server();  // stop()
  std::string address() const;
  unsigned port() const;
  void start();  // runs the io_context on its own thread
  // Stops accepting, lets every client's queued replies go out (at most ~2 s), closes and joins.
  void stop();

  struct impl;  // public only so that the sessions in line_server.cpp can name it

 private:
  std::unique_ptr<impl> p_;
};

}  // namespace t3vp
