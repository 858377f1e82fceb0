#include "platform/line_server.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <boost/asio.hpp>

namespace t3vp {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// A client that never reads its replies is dropped rather than buffered without bound.
constexpr std::size_t max_queued_reply_bytes = 8u << 20;

// Lets reply functions, which other threads may hold after the server is gone, post only while the
// io_context exists.
struct post_gate {
  std::mutex m;
  asio::io_context* io = nullptr;
};

}  // namespace

class line_session;

struct line_server::impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  line_server_limits limits;
  line_fn on_line;
  error_fn make_error;
  // Owned here (not only by pending handlers): a client waiting for replies has no operation pending.
  std::list<std::shared_ptr<line_session>> sessions;
  std::shared_ptr<post_gate> gate = std::make_shared<post_gate>();
  std::thread thread;
  bool stopping = false;
  asio::steady_timer stop_timer{io};

  void accept();
  void remove(line_session* s);
};

class line_session : public std::enable_shared_from_this<line_session> {
 public:
  line_session(tcp::socket s, line_server::impl& srv) : sock_(std::move(s)), srv_(srv) {}

  void start() { read(); }

  // Queues one line for the client.
  void send(const std::string& line) {
    if (!sock_.is_open()) return;
    queued_bytes_ += line.size() + 1;
    if (queued_bytes_ > max_queued_reply_bytes) return close();
    out_.push_back(line + "\n");
    if (!writing_) write_next();
  }

  // The answer to one request: frees its in-flight slot, so reading may resume.
  void on_reply(const std::string& line) {
    if (in_flight_) --in_flight_;
    send(line);
    handle_lines();
  }

  // Closes once the queued replies are out.
  void shutdown() {
    closing_ = true;
    maybe_close();
  }

  void close() {
    if (sock_.is_open()) {
      boost::system::error_code ec;
      sock_.shutdown(tcp::socket::shutdown_both, ec);
      sock_.close(ec);
    }
    out_.clear();
    srv_.remove(this);  // may drop the last owner: nothing after this line
  }

 private:
  void read() {
    if (reading_ || closing_ || read_eof_ || !sock_.is_open()) return;
    reading_ = true;
    sock_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      self->reading_ = false;
      if (ec == asio::error::eof) {
        // The client finished sending: answer what it asked (an unterminated last line is dropped), then close.
        self->read_eof_ = true;
        self->maybe_close();
      } else if (ec) {
        if (self->sock_.is_open()) self->close();  // reset or aborted: nothing to answer to
      } else {
        self->consume(n);
      }
    });
  }

  void consume(std::size_t n) {
    const char* p = buf_.data();
    if (discarding_) {  // the rest of an oversized line
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
      if (!nl) return read();
      discarding_ = false;
      n -= std::size_t(nl + 1 - p);
      p = nl + 1;
    }
    pending_.append(p, n);
    handle_lines();
  }

  void handle_lines() {
    const std::size_t max = srv_.limits.max_line_bytes;
    while (sock_.is_open() && !closing_ && in_flight_ < srv_.limits.max_in_flight) {
      const std::size_t nl = pending_.find('\n');
      if (nl == std::string::npos) {
        if (pending_.size() > max) {
          pending_.clear();
          discarding_ = true;
          ++in_flight_;
          srv_.on_line(std::string(), true, make_reply());
        }
        break;
      }
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (line.size() > max) {
        ++in_flight_;
        srv_.on_line(std::string(), true, make_reply());
        continue;
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are not requests
      ++in_flight_;
      srv_.on_line(std::move(line), false, make_reply());
    }
    if (!sock_.is_open()) return;
    if (in_flight_ < srv_.limits.max_in_flight) read();
    maybe_close();
  }

  line_server::reply_fn make_reply() {
    std::weak_ptr<line_session> w = shared_from_this();
    auto gate = srv_.gate;
    auto done = std::make_shared<std::atomic<bool>>(false);
    return [w, gate, done](const std::string& line) {
      if (done->exchange(true)) return;  // one reply per request
      std::lock_guard<std::mutex> lock(gate->m);
      if (!gate->io) return;
      asio::post(*gate->io, [w, line] {
        if (auto s = w.lock()) s->on_reply(line);
      });
    };
  }

  void write_next() {
    if (out_.empty()) {
      writing_ = false;
      return maybe_close();
    }
    writing_ = true;
    asio::async_write(sock_, asio::buffer(out_.front()), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec) {
        self->writing_ = false;
        if (self->sock_.is_open()) self->close();
        return;
      }
      self->queued_bytes_ -= self->out_.front().size();
      self->out_.pop_front();
      self->write_next();
    });
  }

  void maybe_close() {
    if (!sock_.is_open() || writing_ || !out_.empty()) return;
    if (closing_ || (read_eof_ && in_flight_ == 0)) close();
  }

  tcp::socket sock_;
  line_server::impl& srv_;
  std::array<char, 4096> buf_{};
  std::string pending_;      // bytes of lines not yet complete
  bool discarding_ = false;  // inside an oversized line: drop bytes up to its newline
  bool reading_ = false, read_eof_ = false, writing_ = false, closing_ = false;
  std::size_t in_flight_ = 0, queued_bytes_ = 0;
  std::deque<std::string> out_;
};

void line_server::impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket s) {
    if (stopping || !acceptor.is_open()) return;
    if (!ec) {
      auto session = std::make_shared<line_session>(std::move(s), *this);
      sessions.push_back(session);
      if (sessions.size() > limits.max_clients) {
        session->send(make_error("too many clients (at most " + std::to_string(limits.max_clients) + ")"));
        session->shutdown();
      } else {
        session->start();
      }
    }
    accept();
  });
}

void line_server::impl::remove(line_session* s) {
  for (auto it = sessions.begin(); it != sessions.end(); ++it)
    if (it->get() == s) {
      auto keep = *it;  // destroy after the erase, outside the list
      sessions.erase(it);
      if (stopping && sessions.empty()) stop_timer.cancel();
      return;
    }
}

line_server::line_server(const std::string& address, unsigned port, const line_server_limits& limits, line_fn on_line,
                         error_fn make_error)
    : p_(std::make_unique<impl>()) {
  p_->limits = limits;
  p_->on_line = std::move(on_line);
  p_->make_error = std::move(make_error);
  boost::system::error_code ec;
  const asio::ip::address addr = asio::ip::make_address(address, ec);
  if (ec) throw std::invalid_argument("--bind: '" + address + "' is not an IPv4 or IPv6 address");
  if (port > 65535) throw std::invalid_argument("--port: expected 0..65535, got " + std::to_string(port));
  const tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  const auto fail = [&](const char* what) {
    throw std::invalid_argument(std::string("cannot listen on ") + address + ":" + std::to_string(port) + " (" + what +
                                "): " + ec.message());
  };
  p_->acceptor.open(ep.protocol(), ec);
  if (ec) fail("open");
  p_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  p_->acceptor.bind(ep, ec);
  if (ec) fail("bind");
  p_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen");
  p_->gate->io = &p_->io;
}

line_server::~line_server() { stop(); }

std::string line_server::address() const {
  boost::system::error_code ec;
  const auto a = p_->acceptor.local_endpoint(ec).address();
  return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

unsigned line_server::port() const {
  boost::system::error_code ec;
  return p_->acceptor.local_endpoint(ec).port();
}

void line_server::start() {
  p_->accept();
  p_->thread = std::thread([this] { p_->io.run(); });
}

void line_server::stop() {
  if (!p_->thread.joinable()) return;
  asio::post(p_->io, [this] {
    p_->stopping = true;
    boost::system::error_code ec;
    p_->acceptor.close(ec);
    if (p_->sessions.empty()) return;
    p_->stop_timer.expires_after(std::chrono::seconds(2));
    p_->stop_timer.async_wait([this](boost::system::error_code e) {
      if (!e) p_->io.stop();  // a client that does not read its last replies
    });
    const auto sessions = p_->sessions;  // shutdown() may remove entries
    for (const auto& s : sessions) s->shutdown();
  });
  p_->thread.join();
  std::lock_guard<std::mutex> lock(p_->gate->m);
  p_->gate->io = nullptr;
}

}  // namespace t3vp
