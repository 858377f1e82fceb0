#pragma once
// A GPU's network interface. Outbound (a target), it takes writes and near-memory updates addressed
// to another GPU's memory (global addresses: GPU g's HBM at g << 40), cuts them into packets and
// places them on its link directions; the initiator's delay is annotated up to the start of its last
// packet on the wire (the NIC's send queue is the serializer). Inbound (an initiator), a receive
// process takes each packet at its arrival time and writes it into the local memory controllers (a write or an update, with the sender's extension), or forwards it
// towards its destination; the packet's credit returns when that write is done (or the packet has
// left again), plus one link latency. Remote reads are not supported (the collectives only push).
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <deque>
#include <tlm_utils/simple_initiator_socket.h>
#include "models/nic/link_direction.h"
#include "tlm/global_address.h"
#include "tlm/payload_pool.h"
#include "tlm/stats.h"

namespace t3vp {


// A packet in flight: its own copy of the data and of the sender's extension.
struct link_packet {
  tlm::tlm_generic_payload gp;
  mem_extension ext;
  std::vector<std::uint8_t> data;
  link_direction* link = nullptr;  // the direction it is travelling on (to release its credit)
  class nic* owner = nullptr;      // the NIC whose pool it returns to
  link_packet() { gp.set_extension(&ext); }
  ~link_packet() { gp.clear_extension(&ext); }
  link_packet(const link_packet&) = delete;
  link_packet& operator=(const link_packet&) = delete;
};

class nic : public sc_core::sc_module, public has_stats {
 public:
  tlm_utils::multi_passthrough_target_socket<nic> out_socket;  // local initiators: writes/updates to remote GPUs
  tlm_utils::simple_initiator_socket<nic> mem_socket;          // inbound packets into local memory

  // Called for every packet written into local memory, with the time the write completed.
  using delivery_observer = std::function<void(const tlm::tlm_generic_payload&, const sc_core::sc_time& done)>;

  // One link direction (child "to_gpu<h>") to each GPU in `neighbours`.
  nic(const sc_core::sc_module_name& name, unsigned gpu, unsigned gpus, const link_config& cfg,
      const std::vector<unsigned>& neighbours);

  // Wiring (elaboration): the NIC at the far end of the link to `peer`, and the route to every GPU.
  void connect(nic& peer);
  void set_route(unsigned dst, unsigned next_hop);  // next_hop must be a neighbour
  void set_delivery_observer(delivery_observer o) { observer_ = std::move(o); }
  // Symmetric execution: packets for `to` come back into this NIC as if sent by the GPU on the other
  // side of it; `mirror` rewrites each one (address, producer ids) into that GPU's packet.
  using packet_mirror = std::function<void(tlm::tlm_generic_payload&, mem_extension&)>;
  void loop_back(unsigned to);
  void set_mirror(packet_mirror m) { mirror_ = std::move(m); }

  unsigned gpu() const { return gpu_; }
  const std::vector<std::unique_ptr<link_direction>>& links() const { return links_; }
  std::uint64_t delivered_bytes() const { return delivered_; }
  void report_stats(stat_sink& sink) const override;
  // Packets waiting in the receive queue (for the deadlock report).
  std::string state() const;

 private:
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(int, tlm::tlm_generic_payload& gp);
  // Puts a packet on the link towards its destination, offered at `at`; returns its start on the wire.
  sc_core::sc_time transmit(link_packet* p, const sc_core::sc_time& at);
  void receive();  // the receive process
  link_packet* new_packet();
  void free_packet(link_packet* p);
  link_direction* next_link(unsigned dst) const;
  void attach(unsigned to, nic* far_end);  // the link direction to `to` ends at far_end
  nic* next_nic(unsigned dst) const { return peer_of_link_[std::size_t(route_[dst])]; }

  unsigned gpu_, gpus_;
  link_config cfg_;
  std::vector<std::unique_ptr<link_direction>> links_;
  std::vector<nic*> peer_of_link_;
  std::vector<int> route_;  // per destination GPU: index into links_, -1 unreachable
  delivery_observer observer_;
  packet_mirror mirror_;
  std::vector<std::unique_ptr<link_packet>> packets_;
  std::vector<link_packet*> free_;
  // Packets on their way in, per incoming link direction: each is in arrival order (a link is FIFO).
  struct inbound {
    link_packet* packet;
    sc_core::sc_time arrival;
  };
  std::vector<std::deque<inbound>> rx_queues_;
  std::vector<link_direction*> rx_links_;
  sc_core::sc_event rx_event_;
  std::deque<inbound>& rx_queue_of(link_direction* l);
  std::uint64_t rx_pending_ = 0;
  std::uint64_t sent_ = 0, delivered_ = 0, forwarded_ = 0, errors_ = 0, remote_reads_ = 0;
};

}  // namespace t3vp
