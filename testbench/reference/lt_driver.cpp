#include "testbench/reference/lt_driver.h"

#include <memory>
#include <stdexcept>
#include "models/hbm/pseudo_channel.h"
#include "tlm/payload_pool.h"

namespace t3vp::reference {

lt_result simulate_lt(const hbm_geometry& g, const dram_timing& t, const mc_config& mc, const std::vector<stream>& streams) {
  if (g.pseudo_channels() != 1) throw std::invalid_argument("simulate_lt: the geometry must have one pseudo-channel");
  static unsigned instance = 0;  // unique module names when a test drives several models
  const std::string suffix = std::to_string(instance++);
  pseudo_channel pc(("lt_pc" + suffix).c_str(), g, t);
  memory_controller ctl(("lt_mc" + suffix).c_str(), 0, mc, pc, nullptr);
  sc_core::sc_export<tlm::tlm_fw_transport_if<>>& fw = ctl.target_socket;
  payload_pool pool;
  const sc_core::sc_time tck(t.tck_ns, sc_core::SC_NS);

  struct state {
    std::size_t next = 0;
    std::uint64_t last_issue = 0;
    std::vector<std::uint64_t> done;
    double latency = 0;
  };
  std::vector<state> st(streams.size());
  lt_result r;
  std::vector<std::uint8_t> scratch;
  for (;;) {
    // The stream that can issue earliest goes next (ties: lowest index), as in the reference.
    int pick = -1;
    std::uint64_t best = ~0ull;
    for (std::size_t s = 0; s < streams.size(); ++s) {
      const stream& sd = streams[s];
      state& ss = st[s];
      if (ss.next >= sd.accesses.size()) continue;
      std::uint64_t at = sd.start_cycle;
      if (ss.next > 0) at = std::max(at, ss.last_issue + std::max(1u, sd.issue_interval));
      if (ss.next >= sd.max_outstanding) at = std::max(at, ss.done[ss.next - sd.max_outstanding]);
      if (at < best) {
        best = at;
        pick = int(s);
      }
    }
    if (pick < 0) break;
    const access& a = streams[pick].accesses[st[pick].next];
    if (scratch.size() < a.bytes) scratch.resize(a.bytes);
    tlm::tlm_generic_payload* gp = pool.acquire();
    gp->set_command(a.op == mem_op::read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    gp->set_address(a.pc_addr);
    gp->set_data_ptr(scratch.data());
    gp->set_data_length(a.bytes);
    ext_of(*gp).op = a.op;
    sc_core::sc_time delay = tck * double(best);  // sc_time_stamp() is 0: delay is the absolute time
    fw->b_transport(*gp, delay);
    if (!gp->is_response_ok()) throw std::runtime_error("simulate_lt: access failed");
    gp->release();
    const std::uint64_t done = std::uint64_t(delay / tck + 0.5);
    st[pick].done.push_back(done);
    st[pick].latency += double(done - best);
    st[pick].last_issue = best;
    ++st[pick].next;
    r.cycles = std::max(r.cycles, done);
    r.bytes += a.bytes;
  }
  for (const state& ss : st) r.mean_latency.push_back(ss.done.empty() ? 0.0 : ss.latency / double(ss.done.size()));
  ctl.drain_writes();
  r.cycles = std::max(r.cycles, ctl.last_done());
  r.row_hits = pc.row_hits();
  r.row_misses = pc.row_misses();
  return r;
}

}  // namespace t3vp::reference
