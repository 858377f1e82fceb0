#include "models/nic/link_direction.h"

#include <tlm>
#include "tlm/trace.h"

namespace t3vp {

link_direction::link_direction(const sc_core::sc_module_name& name, const link_config& cfg, unsigned from, unsigned to)
    : sc_module(name), cfg_(cfg), from_(from), to_(to) {}

link_direction::slot link_direction::send(std::uint64_t payload, const sc_core::sc_time& at, traffic_phase phase) {
  // The sender waits while its packet could not start within the horizon: the NIC's send queue is
  // short, and a credit decision needs every credit that returns by the packet's start to be known.
  // A credit whose release is not yet known (its packet arrives after now) returns after now + one
  // latency, so deciding up to one link latency ahead is exact.
  const sc_core::sc_time horizon =
      std::max(tlm::tlm_global_quantum::instance().get(), sc_core::sc_time(cfg_.latency_ns, sc_core::SC_NS));
  const std::uint64_t bytes = payload + cfg_.header_bytes;
  sc_core::sc_time ready, start;
  for (;;) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    // Credits back by the earliest start any sender can still get are free for good.
    const sc_core::sc_time floor = std::max(now, free_at_);
    take_credits_back(floor);
    ready = std::max(at, floor);
    start = ready;
    // Bytes held at `start`: undrained packets, and drained ones whose credit is not back by then.
    // Counted, not taken: until this packet is placed, another sender may still start earlier.
    std::uint64_t held = unreleased_ + returning_;
    auto c = credits_.begin();
    for (; c != credits_.end() && c->first <= start; ++c) held -= c->second;
    for (; c != credits_.end() && held + bytes > cfg_.buffer_bytes; ++c) {  // the earliest return that makes room
      held -= c->second;
      start = c->first;
    }
    if (held + bytes > cfg_.buffer_bytes) {  // only packets still in flight can free the room: wait for a release
      sc_core::wait(released_);
      continue;
    }
    if (start > now + horizon) {
      sc_core::wait(start - now - horizon / 2);  // then the next packets fit without waiting again
      continue;
    }
    break;
  }
  take_credits_back(start);
  // Without the credit the packet would have started when the serializer was free.
  const sc_core::sc_time unstalled = std::max(at, free_at_);
  if (start > unstalled) {
    ++credit_stalls_;
    credit_stall_time_ += start - unstalled;
  }
  const sc_core::sc_time wire(double(bytes) / cfg_.bandwidth_gbps, sc_core::SC_NS);
  slot s;
  s.start = start;
  s.end = start + wire;
  s.arrival = s.end + sc_core::sc_time(cfg_.latency_ns, sc_core::SC_NS);
  free_at_ = s.end;
  if (packets_ == 0) first_start_ = start;
  last_end_ = s.end;
  ++packets_;
  header_ += cfg_.header_bytes;
  payload_[int(phase)] += payload;
  busy_ += wire;
  if (trace_sink* t = active_trace())
    t->link_busy(int(from_), trace_tid::link + int(to_), "link gpu" + std::to_string(from_) + "->gpu" + std::to_string(to_) + " busy %", s.start, s.end);
  unreleased_ += bytes;
  held_max_ = std::max(held_max_, unreleased_ + returning_);
  return s;
}

void link_direction::take_credits_back(const sc_core::sc_time& t) {
  while (!credits_.empty() && credits_.begin()->first <= t) {
    returning_ -= credits_.begin()->second;
    credits_.erase(credits_.begin());
  }
}

void link_direction::release(const sc_core::sc_time& freed, std::uint64_t payload) {
  const std::uint64_t bytes = payload + cfg_.header_bytes;
  unreleased_ -= bytes;
  credits_.emplace(freed + sc_core::sc_time(cfg_.latency_ns, sc_core::SC_NS), bytes);
  returning_ += bytes;
  released_.notify(sc_core::SC_ZERO_TIME);
}

std::string link_direction::state() const {
  return std::string(name()) + ": " + std::to_string(unreleased_) + " B of packets in flight, " +
         std::to_string(returning_) + " B of credits returning, buffer " + std::to_string(cfg_.buffer_bytes) + " B";
}

std::uint64_t link_direction::payload_bytes() const {
  std::uint64_t t = 0;
  for (auto b : payload_) t += b;
  return t;
}

void link_direction::report_stats(stat_sink& s) const {
  s.add("packets", double(packets_), "packets", "packets sent in this direction");
  s.add("payload_bytes", double(payload_bytes()), "B", "data bytes carried (all phases)");
  for (int p = 0; p < traffic_phase_count; ++p)
    s.add(std::string("payload_bytes_") + to_string(traffic_phase(p)), double(payload_[p]), "B",
          "data bytes carried for this phase of the sublayer");
  s.add("header_bytes", double(header_), "B", "packet header bytes (link.packet_header_bytes per packet)");
  s.add("busy_ns", busy_.to_seconds() * 1e9, "ns", "time the serializer spent sending packets (payload + header)");
  const double window = (last_end_ - first_start_).to_seconds();
  s.add("utilization", window > 0 ? busy_.to_seconds() / window : 0.0, "ratio",
        "busy_ns divided by the time from the first packet's start to the last packet's end");
  s.add("credit_stalls", double(credit_stalls_), "packets", "packets whose start waited for room in the receive buffer");
  s.add("credit_stall_ns", credit_stall_time_.to_seconds() * 1e9, "ns", "total time packets waited for room in the receive buffer");
  s.add("buffer_bytes_in_use_max", double(held_max_), "B",
        "most receive-buffer bytes held at once, the placed packet included (of link.buffer_bytes)");
}

}  // namespace t3vp
