#pragma once
// A timeline sink for `--trace FILE`: models report slices (GEMM stages, kernels, collective steps,
// DMA transfers), instants (tracker triggers) and link busy intervals; the run writes them as Chrome
// trace-event JSON (loads in Perfetto and chrome://tracing). Track layout: docs/trace.md.
// Zero cost when disabled: every hook is `if (trace_sink* t = active_trace()) ...`, a null test.
// Deterministic: events are kept in arrival order (the simulation is deterministic), then stably
// sorted by time; timestamps are integral picoseconds printed as microseconds with 6 decimals.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include <systemc>

namespace t3vp {

// Thread ids inside a GPU's process (pid = GPU index).
namespace trace_tid {
constexpr int kernels = 1;        // kernels as the host driver sees them (doorbell to completion)
constexpr int gemm_stages = 2;    // GEMM chunks (stages), first to last completed tile
constexpr int ccl_send = 3;       // collective steps that send (forwarders)
constexpr int ccl_reduce = 4;     // collective steps that reduce locally (last reduce-scatter step)
constexpr int tracker = 5;        // tracker triggers (instants)
constexpr int dma = 16;           // + engine index: DMA tile transfers
constexpr int link = 64;          // + destination GPU: link direction busy (counter) 
}  // namespace trace_tid

// The interval an activity covered, grown by each piece of it (empty until the first piece).
struct time_span {
  sc_core::sc_time first, last;
  bool empty() const { return last == sc_core::SC_ZERO_TIME; }
  void extend(const sc_core::sc_time& b, const sc_core::sc_time& e) {
    first = empty() ? b : std::min(first, b);
    last = std::max(last, e);
  }
};

class trace_sink {
 public:
  explicit trace_sink(double bin_ns = 1000.0);

  void process_name(int pid, const std::string& name);
  void thread_name(int pid, int tid, const std::string& name);
  // A complete event ("X") on one track; args: a JSON object's members, e.g. "\"tile\":3" (or "").
  void slice(int pid, int tid, const std::string& name, const char* cat, const sc_core::sc_time& begin,
             const sc_core::sc_time& end, const std::string& args = "");
  void instant(int pid, int tid, const std::string& name, const char* cat, const sc_core::sc_time& at,
               const std::string& args = "");
  // A link direction's serializer was busy in [begin, end): accumulated per bin of bin_ns and written
  // as a counter (percent busy per bin) named after the link.
  void link_busy(int pid, int tid, const std::string& name, const sc_core::sc_time& begin, const sc_core::sc_time& end);

  std::size_t events() const { return events_.size(); }
  std::string json() const;

 private:
  struct event {
    char ph;
    int pid, tid;
    std::string name;
    const char* cat;
    std::uint64_t ts_ps, dur_ps;
    std::string args;
  };
  std::uint64_t bin_ps_;
  std::vector<event> events_;
  std::map<std::pair<int, int>, std::string> link_names_;
  std::map<std::pair<int, int>, std::vector<std::uint64_t>> link_bins_;  // busy ps per bin
};

// The sink of the running simulation, or nullptr (tracing off).
trace_sink* active_trace();
void set_active_trace(trace_sink* sink);

}  // namespace t3vp
