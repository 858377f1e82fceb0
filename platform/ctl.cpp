#include "platform/ctl.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>
#include <boost/asio.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include "platform/serve.h"

namespace t3vp {
namespace {

namespace asio = boost::asio;
namespace po = boost::program_options;
using tcp = asio::ip::tcp;

std::string ctl_usage() {
  std::string u =
      "usage: t3vp ctl [--host H] [--port N] [--timeout S] COMMAND [KEY=VALUE]...\n"
      "       t3vp ctl [--host H] [--port N] [--timeout S] '{\"cmd\": ...}'\n"
      "Sends one request to `t3vp serve` and prints the reply line. A VALUE that parses as JSON is\n"
      "sent as such (64, true, \"text\"), anything else as a string (0x10000000000).\n"
      "  --host H      server address (default 127.0.0.1)\n"
      "  --port N      server port (required)\n"
      "  --timeout S   give up after S seconds (default 0: wait as long as the reply takes, e.g. a run)\n"
      "COMMAND and its arguments (docs/serve.md):\n";
  char line[160];
  for (const auto& c : serve_commands()) {
    std::snprintf(line, sizeof line, "  %-28s%s\n", (std::string(c.name) + (*c.synopsis ? " " : "") + c.synopsis).c_str(), c.what);
    u += line;
  }
  return u + "exit code: 0 ok, 1 the server answered ok=false, 2 bad usage, 3 no server or no valid reply\n";
}

struct usage_problem : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// COMMAND [KEY=VALUE]... or one JSON object, as one request line.
std::string build_request(const std::vector<std::string>& words) {
  if (words.empty()) throw usage_problem("no command given");
  if (words.size() == 1 && !words[0].empty() && words[0][0] == '{') {
    nlohmann::ordered_json j;
    try {
      j = nlohmann::ordered_json::parse(words[0]);
    } catch (const nlohmann::json::exception& e) {
      throw usage_problem(std::string("the request is not valid JSON: ") + e.what());
    }
    return j.dump();
  }
  nlohmann::ordered_json j = {{"cmd", words[0]}};
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::size_t eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0) throw usage_problem("expected KEY=VALUE, got '" + words[i] + "'");
    const std::string key = words[i].substr(0, eq), text = words[i].substr(eq + 1);
    const auto value = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    j[key] = value.is_discarded() ? nlohmann::ordered_json(text) : value;
  }
  return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

}  // namespace

int run_ctl(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::string host = "127.0.0.1", request;
  unsigned port = 0;
  double timeout_s = 0;
  std::vector<std::string> words;
  try {
    po::options_description opts;
    opts.add_options()("host", po::value(&host))("port", po::value(&port))("timeout", po::value(&timeout_s))(
        "help,h", "")("words", po::value(&words));
    po::positional_options_description pos;
    pos.add("words", -1);
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::fputs(ctl_usage().c_str(), stdout);
      return 0;
    }
    if (!vm.count("port") || port == 0 || port > 65535) throw usage_problem("--port: expected 1..65535");
    if (!(timeout_s >= 0) || timeout_s > 1e6) throw usage_problem("--timeout: expected 0..1000000 seconds");
    request = build_request(words);
  } catch (const po::error& e) {
    std::fprintf(stderr, "t3vp ctl: error: %s\n\n%s", e.what(), ctl_usage().c_str());
    return 2;
  } catch (const usage_problem& e) {
    std::fprintf(stderr, "t3vp ctl: error: %s\n\n%s", e.what(), ctl_usage().c_str());
    return 2;
  }

  // One connection, one request, one reply line; everything asynchronous so that one timeout covers it all.
  asio::io_context io;
  tcp::socket sock(io);
  tcp::resolver resolver(io);
  asio::streambuf in;
  std::string out = request + "\n", failure;
  bool replied = false, unresolved = false;
  const auto fail = [&](const std::string& what, const boost::system::error_code& ec) {
    failure = what + ": " + ec.message();
    boost::system::error_code ignored;
    sock.close(ignored);
  };
  resolver.async_resolve(host, std::to_string(port), [&](boost::system::error_code ec, tcp::resolver::results_type r) {
    if (ec) {
      // A host that does not exist is bad usage; a resolver that failed for now is like no answer.
      unresolved = ec == asio::error::host_not_found;
      return fail("cannot resolve --host " + host, ec);
    }
    asio::async_connect(sock, r, [&](boost::system::error_code ec, const tcp::endpoint&) {
      if (ec) return fail("cannot connect to " + host + ":" + std::to_string(port), ec);
      asio::async_write(sock, asio::buffer(out), [&](boost::system::error_code ec, std::size_t) {
        if (ec) return fail("cannot send the request", ec);
        asio::async_read_until(sock, in, '\n', [&](boost::system::error_code ec, std::size_t) {
          if (ec) return fail("no reply", ec);
          replied = true;
        });
      });
    });
  });
  if (timeout_s > 0) io.run_for(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(timeout_s)));
  else io.run();
  if (!replied) {
    std::fprintf(stderr, "t3vp ctl: %s\n", failure.empty() ? "timed out waiting for the reply" : failure.c_str());
    return unresolved ? 2 : 3;
  }
  std::string line;
  std::istream is(&in);
  std::getline(is, line);
  std::cout << line << "\n" << std::flush;
  const auto reply = nlohmann::json::parse(line, nullptr, false);
  if (reply.is_discarded() || !reply.is_object() || !reply.contains("ok") || !reply["ok"].is_boolean()) {
    std::fprintf(stderr, "t3vp ctl: the reply is not a valid response\n");
    return 3;
  }
  return reply["ok"].get<bool>() ? 0 : 1;
}

}  // namespace t3vp
