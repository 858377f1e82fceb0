#pragma once
// One direction of a GPU-to-GPU link, as the sender's NIC sees it: a serializer with a fixed bandwidth
// (headers included), a one-way latency, and credit-based flow control against the receiver's buffer.
// LT model: packets are placed first-come first-served (in call order; a sender waiting for room
// reserves none, so a shorter packet that fits may go first) on a busy-until timeline; a packet may start
// only when the serializer is free and the receiver's buffer has room for it. Credits count buffer
// bytes (as flit-based link credits do, not packets: a short packet holds only its own size): a packet
// holds payload + header bytes from its start until the receiver has handed it to its memory
// controllers (or forwarded it) plus one link latency (the credit's return trip, which is not charged any bandwidth).
// When the buffer is full of packets the receiver has not yet drained, send() blocks the calling
// thread until one is released: flow control is the one place where a transport call waits.
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <systemc>
#include "tlm/mem_extension.h"
#include "tlm/stats.h"

namespace t3vp {

struct link_config {
  double bandwidth_gbps = 75;       // bytes per ns on the wire, per direction
  double latency_ns = 500;          // one way
  unsigned payload_bytes = 256;     // per packet
  unsigned header_bytes = 16;       // per packet
  std::uint64_t buffer_bytes = 131072;  // receiver buffer per direction (credits, in bytes)
  // Payload bandwidth: what the link delivers of data, in GB/s.
  double payload_gbps() const { return bandwidth_gbps * payload_bytes / (payload_bytes + header_bytes); }
};

class link_direction : public sc_core::sc_module, public has_stats {
 public:
  link_direction(const sc_core::sc_module_name& name, const link_config& cfg, unsigned from, unsigned to);

  struct slot {
    sc_core::sc_time start, end, arrival;  // serialization start and end at the sender; tail at the receiver
  };
  // Places one packet carrying `payload` data bytes, offered at absolute time `at` (>= now). The
  // receiver must call release() with the time it frees the packet's buffer space. May wait.
  slot send(std::uint64_t payload, const sc_core::sc_time& at, traffic_phase phase);
  void release(const sc_core::sc_time& freed, std::uint64_t payload);
  // A one-line account of the credit state (for the deadlock report).
  std::string state() const;

  unsigned from() const { return from_; }
  unsigned to() const { return to_; }
  const link_config& config() const { return cfg_; }
  std::uint64_t payload_bytes(traffic_phase p) const { return payload_[int(p)]; }
  std::uint64_t payload_bytes() const;
  std::uint64_t header_bytes() const { return header_; }
  std::uint64_t packets() const { return packets_; }
  sc_core::sc_time busy() const { return busy_; }
  std::uint64_t buffer_bytes_in_use_max() const { return held_max_; }
  std::uint64_t credit_stalls() const { return credit_stalls_; }
  void report_stats(stat_sink& sink) const override;

 private:
  link_config cfg_;
  unsigned from_, to_;
  sc_core::sc_time free_at_;
  // Credits on their way back: return time -> bytes of the drained packet; returning_ is their sum.
  std::multimap<sc_core::sc_time, std::uint64_t> credits_;
  void take_credits_back(const sc_core::sc_time& t);  // those back by t, for good
  std::uint64_t returning_ = 0;
  std::uint64_t unreleased_ = 0;  // bytes of packets sent whose receiver has not drained them yet
  sc_core::sc_event released_;
  std::uint64_t packets_ = 0, header_ = 0, payload_[traffic_phase_count] = {};
  std::uint64_t credit_stalls_ = 0;
  std::uint64_t held_max_ = 0;
  sc_core::sc_time busy_, credit_stall_time_, first_start_, last_end_;
};

}  // namespace t3vp
