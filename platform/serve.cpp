#include "platform/serve.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <systemc>
#include "platform/json_strict.h"
#include "platform/line_server.h"
#include "platform/node_system.h"
#include "platform/results.h"
#include "platform/run.h"
#include "tlm/global_address.h"
#include "tlm/log.h"
#include "tlm/stats.h"

namespace t3vp {
namespace {

using json = nlohmann::ordered_json;

// Replies are pure ASCII JSON: every byte that came from a client is escaped, invalid UTF-8 replaced.
std::string dump_line(const json& j) { return j.dump(-1, ' ', true, json::error_handler_t::replace); }

std::string error_line(const std::string& message, const json* id = nullptr) {
  json j = {{"ok", false}, {"error", message}};
  if (id) j["id"] = *id;
  return dump_line(j);
}

// A request that crossed into SystemC: the parsed object and its one-shot reply. A line that was not
// a request at all crosses too, with its error, so that replies keep the order of the lines.
struct request {
  json body;
  line_server::reply_fn reply;
  std::string error;
};

// The one way into the kernel: the server thread queues a request and calls async_request_update();
// the kernel calls update() in its next update phase, on the SystemC thread, which takes the queue
// over and, during a run, pauses the kernel (sc_pause: at the end of the current time step). The main
// thread then handles the requests between two sc_start calls, with the kernel at rest: nothing runs
// inside an update phase but this hand-over.
// While idle, the main thread waits here and runs the kernel for one delta cycle to deliver the update.
class request_channel : public sc_core::sc_prim_channel {
 public:
  request_channel() : sc_core::sc_prim_channel("serve_requests") {}

  void post(request r) {  // any thread
    {
      // Queued and announced together: a queued request always has an update pending, so the main
      // thread never runs the kernel for nothing.
      std::lock_guard<std::mutex> lock(m_);
      queue_.push_back(std::move(r));
      async_request_update();
    }
    cv_.notify_one();
  }
  void wait_pending() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return !queue_.empty(); });
  }
  // Takes the queue over without the kernel: once it cannot run any more (after sc_stop).
  void take_now() { update(); }
  // The requests update() took over, in arrival order (main thread).
  std::deque<request> arrived() { return std::exchange(arrived_, {}); }
  bool in_run = false;  // set by the main thread around a run's sc_start

 private:
  void update() override {
    {
      std::lock_guard<std::mutex> lock(m_);
      for (auto& r : queue_) arrived_.push_back(std::move(r));
      queue_.clear();
    }
    if (in_run && !arrived_.empty()) sc_core::sc_pause();
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<request> queue_;
  std::deque<request> arrived_;
};

// Argument checks report a problem through `err` (the first one wins) instead of throwing: once the
// kernel has run, AddressSanitizer loses track of the main stack (SystemC switches stacks under it) and
// reports false errors after any exception, so the request path throws none.
json error_json(const std::string& message) { return {{"ok", false}, {"error", message}}; }

void note(std::string& err, const std::string& message) {
  if (err.empty()) err = message;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// An address or length: a non-negative JSON integer, or a string "0x..." / decimal.
std::uint64_t get_u64(const json& body, const char* key, std::string& err) {
  const auto it = body.find(key);
  if (it == body.end()) return note(err, std::string("missing argument '") + key + "'"), 0;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer()) return note(err, std::string("'") + key + "' must not be negative"), 0;
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    const bool is_hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const std::string digits = is_hex ? s.substr(2) : s;
    const char* allowed = is_hex ? "0123456789abcdefABCDEF" : "0123456789";
    // At most 16 hex or 19 decimal digits: always fits, so strtoull cannot fail.
    if (!digits.empty() && digits.size() <= (is_hex ? 16u : 19u) && digits.find_first_not_of(allowed) == std::string::npos)
      return std::strtoull(digits.c_str(), nullptr, is_hex ? 16 : 10);
  }
  return note(err, std::string("'") + key + "' must be a non-negative integer or a \"0x...\" string"), 0;
}

double get_ns(const json& body, const char* key, std::string& err) {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_number()) return note(err, std::string("'") + key + "' must be a number of nanoseconds"), 0;
  const double ns = it->get<double>();
  if (!std::isfinite(ns) || ns < 0 || ns > serve_max_run_ns)
    return note(err, std::string("'") + key + "' must be in [0, " + json(serve_max_run_ns).dump() + "] ns"), 0;
  return ns;
}

const std::string* get_string(const json& body, const char* key, bool required, std::string& err) {
  const auto it = body.find(key);
  if (it == body.end()) {
    if (required) note(err, std::string("missing argument '") + key + "'");
    return nullptr;
  }
  if (!it->is_string()) return note(err, std::string("'") + key + "' must be a string"), nullptr;
  return &it->get_ref<const std::string&>();
}

sc_core::sc_object* find_root(const json& body, std::string& err) {
  const std::string* root = get_string(body, "root", false, err);
  if (!root) return nullptr;
  sc_core::sc_object* o = sc_core::sc_find_object(root->c_str());
  if (!o) note(err, "no object named '" + *root + "' (see the list command)");
  return o;
}

// Parameters that may change while serving; every other one is fixed once the platform is elaborated.
const std::vector<std::string> settable_parameters = {"sim.log_level"};

bool kernel_stopped() {
  return sc_core::sc_get_status() == sc_core::SC_STOPPED || sc_core::sc_end_of_simulation_invoked();
}

// Handles every request on the SystemC thread and drives the kernel from the main loop.
class controller {
 public:
  controller(sublayer_run& run, const config& cfg, const std::string& mode) : run_(run), cfg_(cfg), mode_(mode) {}

  void handle(request& r) {
    const json* id = r.body.is_object() && r.body.contains("id") ? &r.body["id"] : nullptr;
    if (!r.error.empty()) return r.reply(error_line(r.error, id));
    try {
      json reply = dispatch(r);
      if (reply.is_null()) return;  // a run: answered when it stops
      if (id) reply["id"] = *id;
      r.reply(dump_line(reply));
    } catch (const std::exception& e) {  // not expected (nothing here throws): report, keep serving
      r.reply(error_line(std::string("internal error: ") + e.what(), id));
    }
  }

  // The main thread: handles what arrived, runs the kernel for one delta cycle to deliver requests
  // while idle, and for the requested span under `run`. Returns when `quit` was handled.
  void loop(request_channel& channel) {
    channel_ = &channel;
    for (;;) {
      for (request& r : channel.arrived()) handle(r);
      if (run_reply_) {
        advance();
        continue;
      }
      if (quit_) return;
      channel.wait_pending();
      if (!kernel_stopped() && !broken_) {
        try {
          sc_core::sc_start(sc_core::SC_ZERO_TIME);  // delivers the channel's update; time stays
        } catch (const std::exception& e) {
          fail(e.what());
        }
        settle_if_stopped();
      } else {
        channel.take_now();
      }
    }
  }

 private:
  json dispatch(request& r) {
    const json& b = r.body;
    const std::string& cmd = b.at("cmd").get_ref<const std::string&>();
    const auto& commands = serve_commands();
    const auto t = std::find_if(commands.begin(), commands.end(), [&](const serve_command& c) { return cmd == c.name; });
    if (t != commands.end()) {
      for (const auto& item : b.items()) {
        const std::string& k = item.key();
        if (k == "cmd" || k == "id" || std::find(t->args.begin(), t->args.end(), k) != t->args.end()) continue;
        std::string known;
        for (const auto& a : t->args) known += (known.empty() ? "" : ", ") + a;
        return error_json("unknown argument '" + k + "' for " + cmd + " (" + (known.empty() ? "it takes none" : "it takes " + known) + ")");
      }
    }
    if (cmd == "status") return status();
    if (cmd == "run") return start_run(r);
    if (cmd == "pause") return pause();
    if (cmd == "list") return list(b);
    if (cmd == "get") return get(b);
    if (cmd == "set") return set(b);
    if (cmd == "stats") return stats(b);
    if (cmd == "read") return read(b);
    if (cmd == "buffers") return buffers();
    if (cmd == "trace") return trace(b);
    if (cmd == "quit") return quit();
    return error_json("unknown command '" + cmd +
                      "' (status, run, pause, list, get, set, stats, read, buffers, trace, quit)");
  }

  std::string state() const {
    if (broken_) return "error";
    if (run_reply_) return "running";
    if (finished_) return "finished";
    if (stalled_) return "stalled";
    return "idle";
  }

  json time_fields(json j) const {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    j["time_ns"] = now.to_seconds() * 1e9;
    j["time_ps"] = std::uint64_t(now.value());  // the kernel's resolution is 1 ps
    return j;
  }

  json status() const {
    host& cpu = run_.top().cpu;
    const std::size_t done = cpu.phase_index(), total = cpu.phase_count();
    const auto& names = run_.phase_names();
    json j = time_fields({{"ok", true}, {"state", state()}, {"finished", finished_}, {"mode", mode_}});
    j["progress"] = {{"phase", done < names.size() ? names[done] : "done"}, {"phase_index", done},
                     {"phases", total}, {"fraction", total ? double(done) / double(total) : 1.0}};
    j["trace"] = trace_on_;
    if (finished_) j["result"] = result_;
    if (stalled_ || broken_) j["problem"] = problem_;
    return j;
  }

  json start_run(request& r) {
    const json& b = r.body;
    if (run_reply_) return error_json("a run is already in progress (pause it first)");
    if (broken_) return error_json("the simulation failed: " + problem_);
    if (finished_ || stalled_ || kernel_stopped())
      return error_json("the simulation has ended at " + json(sc_core::sc_time_stamp().to_seconds() * 1e9).dump() +
                        " ns: nothing left to run");
    const bool has_for = b.contains("for_ns"), has_until = b.contains("until_ns");
    if (has_for && has_until) return error_json("give for_ns or until_ns, not both");
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    std::optional<sc_core::sc_time> until;
    if (has_for) {
      std::string err;
      const sc_core::sc_time d(get_ns(b, "for_ns", err), sc_core::SC_NS);
      if (!err.empty()) return error_json(err);
      if (d == sc_core::SC_ZERO_TIME) return error_json("'for_ns' must be at least 1 ps");
      until = now + d;
    } else if (has_until) {
      std::string err;
      const sc_core::sc_time t(get_ns(b, "until_ns", err), sc_core::SC_NS);
      if (!err.empty()) return error_json(err);
      if (t <= now) return error_json("'until_ns' must be later than the current time (" + json(now.to_seconds() * 1e9).dump() + " ns)");
      until = t;
    }
    until_ = until;
    run_id_ = b.contains("id") ? b["id"] : json();
    run_reply_ = std::move(r.reply);
    pause_requested_ = false;
    return json();
  }

  // One leg of a run: the kernel runs until the target, the end of events, a pause or quit.
  void advance() {
    if (!pause_requested_ && !quit_) {
      channel_->in_run = true;
      try {
        // Only into pending activity: an sc_start that could do nothing would draw a SystemC warning.
        using namespace sc_core;
        if (until_) {
          // To the last event up to the target, then (nothing having stopped the kernel) on to the target
          // itself when the next event lies beyond it. Running out of events is left to settle().
          if (sc_pending_activity_at_current_time() || sc_time_to_pending_activity() <= *until_ - sc_time_stamp())
            sc_start(*until_ - sc_time_stamp(), SC_EXIT_ON_STARVATION);
          if (!pause_requested_ && !quit_ && !kernel_stopped() && sc_time_stamp() < *until_ &&
              !sc_pending_activity_at_current_time() && sc_pending_activity_at_future_time())
            sc_start(*until_ - sc_time_stamp(), SC_RUN_TO_TIME);
        } else if (sc_pending_activity()) {
          sc_start();
        }
      } catch (const std::exception& e) {
        fail(e.what());
      }
      channel_->in_run = false;
    }
    std::string why;
    if (broken_) why = "error";
    else if (quit_) why = "quit";
    else if (pause_requested_) why = "paused";
    else if (kernel_stopped() || !sc_core::sc_pending_activity()) why = settle();
    else if (until_ && sc_core::sc_time_stamp() >= *until_) why = "reached";
    else return;  // paused for requests that arrived: the loop handles them and resumes
    pause_requested_ = false;
    json j = time_fields({{"ok", !broken_}, {"stopped", why}, {"state", ""}, {"finished", finished_}});
    auto reply = std::move(run_reply_);
    run_reply_ = nullptr;
    j["state"] = state();
    if (broken_) j["error"] = "the simulation failed: " + problem_;
    if (!run_id_.is_null()) j["id"] = run_id_;
    reply(dump_line(j));
  }

  // After the last event: the run's results (with the functional check), or the deadlock report.
  std::string settle() {
    if (finished_ || stalled_) return finished_ ? "finished" : "stalled";
    if (!run_.host_finished()) {
      stalled_ = true;
      problem_ = run_.stall_report();
      return "stalled";
    }
    try {
      const run_result r = run_.results();
      const json doc = json::parse(r.json);
      result_ = {{"functional_ok", r.functional_ok}, {"time_ns", doc["time_ns"]},
                 {"functional", doc["functional"]}, {"dram_bytes", doc["dram_bytes"]}, {"link_bytes", doc["link_bytes"]}};
      finished_ = true;
    } catch (const std::exception& e) {
      fail(e.what());
      return "error";
    }
    return "finished";
  }

  void settle_if_stopped() {
    if (kernel_stopped() && !finished_ && !stalled_ && !broken_) settle();
  }

  void fail(const std::string& what) {
    broken_ = true;
    problem_ = what;
  }

  // The kernel is at rest here (the request paused it): the run just does not resume.
  json pause() {
    const bool running = bool(run_reply_);
    if (running) pause_requested_ = true;
    return time_fields({{"ok", true}, {"was_running", running}});
  }

  json quit() {
    quit_ = true;
    return {{"ok", true}, {"quitting", true}};
  }

  static void list_below(sc_core::sc_object* o, json& out) {
    out.push_back({{"name", o->name()}, {"kind", o->kind()}});
    for (sc_core::sc_object* c : o->get_child_objects()) list_below(c, out);
  }

  json list(const json& b) const {
    json objects = json::array();
    std::string err;
    sc_core::sc_object* root = find_root(b, err);
    if (!err.empty()) return error_json(err);
    if (root) list_below(root, objects);
    else
      for (sc_core::sc_object* o : sc_core::sc_get_top_level_objects()) list_below(o, objects);
    return {{"ok", true}, {"count", objects.size()}, {"objects", std::move(objects)}};
  }

  json get(const json& b) const {
    std::string err;
    const std::string* k = get_string(b, "key", true, err);
    if (!k) return error_json(err);
    const std::string& key = *k;
    const param_def* d = config::find_def(key);
    if (!d) return error_json(config::unknown_key_message(key));
    json value;
    switch (d->type) {
      case param_type::integer: value = cfg_.get_int(key); break;
      case param_type::real: value = cfg_.get_real(key); break;
      case param_type::boolean: value = cfg_.get_bool(key); break;
      case param_type::string: value = cfg_.get_string(key); break;
    }
    const bool settable = std::find(settable_parameters.begin(), settable_parameters.end(), key) != settable_parameters.end();
    return {{"ok", true}, {"key", key}, {"value", value}, {"default", d->default_value}, {"unit", d->unit},
            {"settable", settable}, {"description", d->description}};
  }

  json set(const json& b) {
    std::string err;
    const std::string* k = get_string(b, "key", true, err);
    if (!k) return error_json(err);
    const std::string& key = *k;
    if (!config::find_def(key)) return error_json(config::unknown_key_message(key));
    const auto it = b.find("value");
    if (it == b.end()) return error_json("missing argument 'value'");
    if (!it->is_primitive() || it->is_null()) return error_json("'value' must be a string, number or boolean");
    if (std::find(settable_parameters.begin(), settable_parameters.end(), key) == settable_parameters.end())
      return error_json("parameter '" + key + "' is fixed once the platform is elaborated; restart serve with --set " +
                        key + "=VALUE (settable while serving: sim.log_level)");
    // The one settable parameter is a choice: checked here (whatever the case), so that config::set
    // cannot throw (an exception here, after SystemC has switched stacks, confuses AddressSanitizer).
    const param_def* d = config::find_def(key);
    const std::string* choice = it->is_string() ? find_choice(*d, it->get_ref<const std::string&>()) : nullptr;
    if (!choice) return error_json("parameter '" + key + "': expected one of " + d->range_text());
    cfg_.set(key, *choice);
    saved_level_ = parse_log_level(cfg_.get_string("sim.log_level"));
    if (!trace_on_) set_log_level(saved_level_);
    return {{"ok", true}, {"key", key}, {"value", cfg_.value_text(key)}};
  }


  json stats(const json& b) const {
    std::vector<sc_core::sc_object*> roots;
    std::string err;
    sc_core::sc_object* root = find_root(b, err);
    if (!err.empty()) return error_json(err);
    if (root) roots.push_back(root);
    return time_fields({{"ok", true}, {"stats", stats_to_json(collect_stats(roots))}});
  }

  // Memory through the host's port on the global address space (transport_dbg: no time, no statistics).
  json read(const json& b) {
    std::string err;
    const std::uint64_t addr = get_u64(b, "addr", err), len = get_u64(b, "len", err);
    if (!err.empty()) return error_json(err);
    if (len == 0 || len > serve_max_read_bytes)
      return error_json("'len' must be 1.." + std::to_string(serve_max_read_bytes) + " bytes");
    if (addr + len < addr) return error_json("'addr' + 'len' wraps around the address space");
    std::vector<unsigned char> data(len);
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(data.data());
    gp.set_data_length(unsigned(len));
    gp.set_streaming_width(unsigned(len));
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    const unsigned n = run_.top().cpu.socket->transport_dbg(gp);
    if (!gp.is_response_ok() || n != len)
      return error_json("read of " + std::to_string(len) + " bytes at " + hex(addr) + " failed: " +
                        gp.get_response_string() +
                        " (unmapped, straddling the end of a block (see buffers), or a register read that is not 8 "
                        "aligned bytes)");
    static const char digits[] = "0123456789abcdef";
    std::string text(2 * len, '0');
    for (std::size_t i = 0; i < len; ++i) text[2 * i] = digits[data[i] >> 4], text[2 * i + 1] = digits[data[i] & 15];
    return {{"ok", true}, {"addr", addr}, {"len", len}, {"data", std::move(text)}};
  }

  json buffers() const {
    const sublayer_buffers& s = run_.buffers();
    const unsigned gpus = unsigned(run_.top().gpu.size());
    json per_gpu = json::array();
    for (unsigned g = 0; g < gpus; ++g) per_gpu.push_back({{"gpu", g}, {"base", gpu_base(g)}, {"c", global_address(g, s.c)}});
    return {{"ok", true}, {"gpus", gpus}, {"element", "fp16"}, {"rows", s.rows}, {"cols", s.cols},
            {"row_bytes", s.cols * 2}, {"local", {{"a", s.a}, {"b", s.b}, {"c", s.c}, {"recv", s.recv}}},
            {"per_gpu", std::move(per_gpu)}};
  }

  // Trace on: log level `trace`, which logs the host driver's register accesses (MMIO reads and writes,
  // with simulated time) to stderr; off: back to sim.log_level.
  json trace(const json& b) {
    const auto it = b.find("on");
    if (it == b.end() || !it->is_boolean()) return error_json("'on' must be true or false");
    trace_on_ = it->get<bool>();
    set_log_level(trace_on_ ? log_level::trace : saved_level_);
    return {{"ok", true}, {"trace", trace_on_}};
  }

  sublayer_run& run_;
  request_channel* channel_ = nullptr;
  config cfg_;
  std::string mode_;
  log_level saved_level_ = current_log_level();
  bool trace_on_ = false;
  // The run in progress: its reply, its target (none: to the end), and what stops it.
  line_server::reply_fn run_reply_;
  json run_id_;
  std::optional<sc_core::sc_time> until_;
  bool pause_requested_ = false, quit_ = false;
  bool finished_ = false, stalled_ = false, broken_ = false;
  std::string problem_;
  json result_;
};

}  // namespace

const std::vector<serve_command>& serve_commands() {
  static const std::vector<serve_command> commands = {
      {"status", {}, "", "state, simulated time, progress; the result once finished"},
      {"run", {"for_ns", "until_ns"}, "[for_ns=N|until_ns=T]", "run (to the end, for N ns or until T ns); replies when it stops"},
      {"pause", {}, "", "stop a run at the end of the current time step"},
      {"list", {"root"}, "[root=NAME]", "the module hierarchy (below NAME)"},
      {"get", {"key"}, "key=K", "a configuration parameter"},
      {"set", {"key", "value"}, "key=K value=V", "change one live (only sim.log_level)"},
      {"stats", {"root"}, "[root=NAME]", "statistics (below NAME)"},
      {"read", {"addr", "len"}, "addr=A len=N", "memory through the host's port (debug transport)"},
      {"buffers", {}, "", "where the workload's tensors are"},
      {"trace", {"on"}, "on=true|false", "log the host's register accesses (MMIO) to the server's stderr"},
      {"quit", {}, "", "stop the server"}};
  return commands;
}

int run_serve(const config& cfg, const serve_options& opt) {
  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-reply is an error code, not a signal
  if (opt.max_line_bytes < serve_min_line_bytes || opt.max_line_bytes > serve_max_line_bytes)
    throw std::invalid_argument("--max-line-bytes: expected " + std::to_string(serve_min_line_bytes) + ".." +
                                std::to_string(serve_max_line_bytes));
  std::unique_ptr<sublayer_run> run;
  std::unique_ptr<controller> ctl;
  std::unique_ptr<request_channel> channel;
  line_server_limits limits;
  limits.max_line_bytes = opt.max_line_bytes;
  // Runs on the server thread: only parsing and shape checks, nothing of the model.
  auto on_line = [&channel, max = opt.max_line_bytes](std::string line, bool too_long, line_server::reply_fn reply) {
    const auto reject = [&](json body, std::string error) { channel->post({std::move(body), std::move(reply), std::move(error)}); };
    if (too_long) return reject(json(), "line longer than " + std::to_string(max) + " bytes: discarded up to its newline");
    json body;
    std::string duplicate;
    try {
      body = parse_json_strict<json>(line, false, duplicate);
    } catch (const json::exception& e) {
      return reject(json(), std::string("malformed JSON: ") + e.what());
    }
    if (!duplicate.empty()) return reject(json(), "key '" + duplicate + "' appears twice in one object");
    const char* shape = "a request must be a JSON object with a \"cmd\" string";
    if (!body.is_object()) return reject(json(), shape);
    const auto id = body.find("id");
    // Only scalars are echoed back: a deeply nested id would cost a deep recursion to print.
    if (id != body.end() && !(id->is_string() || id->is_number() || id->is_null()))
      return reject(json(), "'id' must be a string or a number");
    const auto cmd = body.find("cmd");
    if (cmd == body.end() || !cmd->is_string()) return reject(std::move(body), shape);
    channel->post({std::move(body), std::move(reply), std::string()});
  };
  // Bound before elaboration, so that a bad --bind or a busy port fails fast.
  line_server server(opt.bind, opt.port, limits, on_line, [](const std::string& m) { return error_line(m); });
  run = std::make_unique<sublayer_run>(cfg, opt.mode);
  ctl = std::make_unique<controller>(*run, cfg, opt.mode);
  channel = std::make_unique<request_channel>();
  std::printf("listening on %s:%u\n", server.address().c_str(), server.port());
  std::fflush(stdout);
  server.start();
  ctl->loop(*channel);
  server.stop();  // lets the quit reply (and any other queued reply) go out
  // End the simulation as `run` does (end-of-simulation callbacks while every object still exists).
  if (!kernel_stopped()) sc_core::sc_stop();
  return 0;
}

}  // namespace t3vp
