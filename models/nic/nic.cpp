#include "models/nic/nic.h"

#include "tlm/log.h"

namespace t3vp {

nic::nic(const sc_core::sc_module_name& name, unsigned gpu, unsigned gpus, const link_config& cfg,
         const std::vector<unsigned>& neighbours)
    : sc_module(name), out_socket("out_socket"), mem_socket("mem_socket"), gpu_(gpu), gpus_(gpus), cfg_(cfg),
      route_(gpus, -1) {
  SC_HAS_PROCESS(nic);
  SC_THREAD(receive);
  out_socket.register_b_transport(this, &nic::b_transport);
  out_socket.register_transport_dbg(this, &nic::transport_dbg);
  for (unsigned h : neighbours) {
    links_.push_back(std::make_unique<link_direction>(("to_gpu" + std::to_string(h)).c_str(), cfg_, gpu_, h));
    peer_of_link_.push_back(nullptr);
  }
}

void nic::attach(unsigned to, nic* far_end) {
  for (std::size_t i = 0; i < links_.size(); ++i)
    if (links_[i]->to() == to) {
      peer_of_link_[i] = far_end;
      route_[to] = int(i);
      return;
    }
  SC_REPORT_ERROR(name(), ("no link to gpu" + std::to_string(to)).c_str());
}

void nic::connect(nic& peer) { attach(peer.gpu(), &peer); }

void nic::loop_back(unsigned to) { attach(to, this); }

void nic::set_route(unsigned dst, unsigned next_hop) {
  for (std::size_t i = 0; i < links_.size(); ++i)
    if (links_[i]->to() == next_hop) {
      route_[dst] = int(i);
      return;
    }
  SC_REPORT_ERROR(name(), ("no link to next hop gpu" + std::to_string(next_hop)).c_str());
}

link_direction* nic::next_link(unsigned dst) const {
  return dst < route_.size() && route_[dst] >= 0 ? links_[std::size_t(route_[dst])].get() : nullptr;
}

link_packet* nic::new_packet() {
  if (free_.empty()) {
    packets_.push_back(std::make_unique<link_packet>());  // (its buffer grows to the payloads it carries)
    packets_.back()->owner = this;
    return packets_.back().get();
  }
  link_packet* p = free_.back();
  free_.pop_back();
  return p;
}

void nic::free_packet(link_packet* p) { p->owner->free_.push_back(p); }

void nic::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const unsigned dst = gpu_of(gp.get_address());
  if (gp.is_read()) {
    ++remote_reads_;
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (dst == gpu_ || !next_link(dst)) {
    ++errors_;
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const sc_core::sc_time at = sc_core::sc_time_stamp() + delay;
  const mem_extension* src_ext = gp.get_extension<mem_extension>();
  sc_core::sc_time accepted = at;
  for (std::uint64_t off = 0; off < gp.get_data_length(); off += cfg_.payload_bytes) {
    link_packet* p = new_packet();
    const unsigned len = unsigned(std::min<std::uint64_t>(cfg_.payload_bytes, gp.get_data_length() - off));
    if (p->data.size() < len) p->data.resize(len);  // link.packet_payload_bytes may be far above the transfers
    p->ext = src_ext ? *src_ext : mem_extension{};
    if (src_ext == nullptr) p->ext.op = mem_op::write;
    p->gp.set_command(tlm::TLM_WRITE_COMMAND);
    p->gp.set_address(gp.get_address() + off);
    p->gp.set_data_length(len);
    p->gp.set_streaming_width(len);
    p->gp.set_byte_enable_ptr(nullptr);
    p->gp.set_data_ptr(p->data.data());
    if (gp.get_data_ptr() && !p->ext.timing_only) std::copy_n(gp.get_data_ptr() + off, len, p->data.data());
    accepted = std::max(accepted, transmit(p, std::max(at, sc_core::sc_time_stamp())));
    ++sent_;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  delay = accepted - sc_core::sc_time_stamp();
}

sc_core::sc_time nic::transmit(link_packet* p, const sc_core::sc_time& at) {
  const unsigned dst = gpu_of(p->gp.get_address());
  link_direction* l = next_link(dst);
  const link_direction::slot s = l->send(p->gp.get_data_length(), at, p->ext.phase);
  p->link = l;
  nic* next = next_nic(dst);
  if (next == this) {  // looped back: from here on it is the mirrored GPU's packet to this one
    if (mirror_) mirror_(p->gp, p->ext);
    p->gp.set_address(global_address(gpu_, local_of(p->gp.get_address())));
  }
  ++next->rx_pending_;
  std::deque<inbound>& q = next->rx_queue_of(l);
  q.push_back({p, s.arrival});
  if (q.size() == 1) next->rx_event_.notify(sc_core::SC_ZERO_TIME);  // a new head may be the earliest
  return s.start;
}

std::deque<nic::inbound>& nic::rx_queue_of(link_direction* l) {
  for (std::size_t i = 0; i < rx_links_.size(); ++i)
    if (rx_links_[i] == l) return rx_queues_[i];
  rx_links_.push_back(l);
  rx_queues_.emplace_back();
  return rx_queues_.back();
}

// The receive process is an LT initiator: it takes the earliest arriving packet once its arrival is
// within one quantum of SystemC time and writes it with the arrival as annotated delay, so the memory
// system sees inbound writes in (decoupled) time order without an event per packet.
void nic::receive() {
  const sc_core::sc_time quantum = tlm::tlm_global_quantum::instance().get();
  for (;;) {
    std::deque<inbound>* q = nullptr;
    for (auto& r : rx_queues_)
      if (!r.empty() && (!q || r.front().arrival < q->front().arrival)) q = &r;
    if (!q) {
      sc_core::wait(rx_event_);
      continue;
    }
    const sc_core::sc_time now = sc_core::sc_time_stamp(), arrival = q->front().arrival;
    if (arrival > now + quantum) {
      sc_core::wait(arrival - now, rx_event_);  // a sender may queue an earlier packet meanwhile
      continue;
    }
    link_packet* p = q->front().packet;
    q->pop_front();
    --rx_pending_;
    link_direction* arrived_on = p->link;
    const std::uint64_t payload = p->gp.get_data_length();
    const unsigned dst = gpu_of(p->gp.get_address());
    if (dst != gpu_) {  // store and forward
      if (!next_link(dst)) {
        ++errors_;
        arrived_on->release(arrival, payload);
        free_packet(p);
        continue;
      }
      arrived_on->release(transmit(p, std::max(arrival, now)), payload);
      ++forwarded_;
      continue;
    }
    const std::uint64_t global = p->gp.get_address();
    p->gp.set_address(local_of(global));
    p->gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = arrival > now ? arrival - now : sc_core::SC_ZERO_TIME;
    mem_socket->b_transport(p->gp, d);
    const sc_core::sc_time done = sc_core::sc_time_stamp() + d;
    p->gp.set_address(global);
    if (!p->gp.is_response_ok()) {
      ++errors_;
      T3VP_LOG(log_level::warning, this, "inbound write to 0x" << std::hex << local_of(global) << " failed");
    } else {
      delivered_ += p->gp.get_data_length();
      if (observer_) observer_(p->gp, done);
    }
    // The receive buffer frees when the packet is handed to the memory controllers (their queues
    // absorb it), not when DRAM has written it.
    arrived_on->release(std::max(arrival, now), payload);
    free_packet(p);
  }
}

unsigned int nic::transport_dbg(int, tlm::tlm_generic_payload& gp) {
  const unsigned dst = gpu_of(gp.get_address());
  if (dst == gpu_) {
    const std::uint64_t global = gp.get_address();
    gp.set_address(local_of(global));
    const unsigned n = mem_socket->transport_dbg(gp);
    gp.set_address(global);
    return n;
  }
  if (!next_link(dst) || next_nic(dst) == this) return 0;  // (a mirrored GPU has no memory of its own)
  return next_nic(dst)->transport_dbg(0, gp);
}

std::string nic::state() const {
  std::string s = std::string(name()) + ": " + std::to_string(rx_pending_) + " packets in the receive queue";
  for (const auto& l : links_) s += "; " + l->state();
  return s;
}

void nic::report_stats(stat_sink& s) const {
  s.add("packets_sent", double(sent_), "packets", "packets this GPU's initiators sent");
  s.add("packets_forwarded", double(forwarded_), "packets", "packets passed through towards another GPU");
  s.add("delivered_bytes", double(delivered_), "B", "payload bytes written into this GPU's memory from links");
  s.add("errors", double(errors_), "requests", "requests or packets with an unreachable or failed destination");
  s.add("remote_reads_refused", double(remote_reads_), "requests", "reads of remote memory (not supported)");
}

}  // namespace t3vp
