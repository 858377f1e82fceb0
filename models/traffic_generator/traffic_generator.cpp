#include "models/traffic_generator/traffic_generator.h"

#include <algorithm>

namespace t3vp {

traffic_generator::traffic_generator(const sc_core::sc_module_name& name, access_source accesses,
                                     unsigned outstanding, sc_core::sc_time issue_interval, bool carry_data)
    : sc_module(name),
      socket("socket"),
      source_(std::move(accesses)),
      outstanding_(std::max(1u, outstanding)),
      issue_interval_(issue_interval),
      carry_data_(carry_data) {
  SC_HAS_PROCESS(traffic_generator);
  SC_THREAD(run);
}

void traffic_generator::run() {
  std::vector<std::uint8_t> buffer;
  // Completion times of the requests in flight: a request may issue once the one `outstanding` places
  // before it has completed.
  std::vector<sc_core::sc_time> done(outstanding_, sc_core::SC_ZERO_TIME);
  qk_.reset();
  tlm::tlm_generic_payload* gp = pool_.acquire();
  generated_access a;
  for (std::uint64_t i = 0; source_ && source_(a); ++i) {
    sc_core::sc_time& slot = done[i % outstanding_];
    sc_core::sc_time issue = std::max(sc_core::sc_time_stamp() + qk_.get_local_time(), slot);
    // Waiting for a free slot moves the generator's local time: stay within a quantum of the others.
    qk_.set(issue - sc_core::sc_time_stamp());
    if (qk_.need_sync()) qk_.sync();
    if (buffer.size() < a.bytes) buffer.resize(a.bytes);
    if (carry_data_ && a.op != mem_op::read)
      for (std::uint32_t b = 0; b < a.bytes; ++b) buffer[b] = std::uint8_t((a.addr + b) * 131u);
    gp->set_command(a.op == mem_op::read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    gp->set_address(a.addr);
    gp->set_data_ptr(buffer.data());
    gp->set_data_length(a.bytes);
    gp->set_streaming_width(a.bytes);
    gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    ext_of(*gp).op = a.op;
    sc_core::sc_time delay = issue - sc_core::sc_time_stamp();
    socket->b_transport(*gp, delay);
    if (!gp->is_response_ok()) ++errors_;
    slot = sc_core::sc_time_stamp() + delay;
    latency_sum_ns_ += (slot - issue).to_seconds() * 1e9;
    last_done_ = std::max(last_done_, slot);
    bytes_ += a.bytes;
    ++requests_;
    qk_.set(issue + issue_interval_ - sc_core::sc_time_stamp());
    if (qk_.need_sync()) qk_.sync();
  }
  gp->release();
  // Let simulated time reach the last completion so the kernel's time is the run's end.
  if (last_done_ > sc_core::sc_time_stamp()) sc_core::wait(last_done_ - sc_core::sc_time_stamp());
}

void traffic_generator::report_stats(stat_sink& s) const {
  s.add("bytes", double(bytes_), "B", "bytes requested (reads and writes)");
  s.add("requests", double(requests_), "requests", "accesses issued");
  s.add("latency.mean_ns", requests_ ? latency_sum_ns_ / double(requests_) : 0.0, "ns",
        "mean time from issue to completion of an access");
  s.add("errors", double(errors_), "requests", "accesses answered with an error response");
}

}  // namespace t3vp
