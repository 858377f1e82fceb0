#pragma once
// The memory controller of one pseudo-channel: a bounded request queue shared by both traffic classes,
// an arbitration policy, and the functional side of DRAM (reads, writes, near-memory updates on the
// sparse storage). An LT target: it only annotates delay, never waits.
#include <array>
#include <cstdint>
#include <memory>
#include <queue>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include "models/hbm/hbm_config.h"
#include "models/hbm/pseudo_channel.h"
#include "models/hbm/sparse_memory.h"
#include "models/memory_controller/arbitration_policy.h"
#include "tlm/stats.h"

namespace t3vp {

struct mc_config {
  unsigned queue_entries = 64;
  unsigned reorder_window = 64;
  double frontend_latency_ns = 10;
  // Posted writes (FR-FCFS and MCA): a write is acknowledged when queued and its bursts are placed
  // later, in a batch, once write_drain_high writes wait (down to write_drain_low). 0: each write is
  // placed when it arrives. Batching is what lets writes share one bus turnaround.
  unsigned write_drain_high = 16;
  unsigned write_drain_low = 0;
  // Once the first waiting write has waited this long, all waiting writes go to DRAM from that moment
  // (applied when the next request arrives or the run ends). 0: no age limit.
  double write_drain_age_ns = 400;
  std::string policy = "fr-fcfs";
  mca_config mca;  // policy "mca"
};

// Something that wants to see every write and update after it is queued (the T3 tracker).
class mc_observer {
 public:
  virtual ~mc_observer() = default;
  virtual void on_queued(unsigned pc, const tlm::tlm_generic_payload& gp, std::uint64_t done_cycle) = 0;
};

class memory_controller : public sc_core::sc_module, public has_stats, private mc_queue_view {
 public:
  tlm_utils::simple_target_socket<memory_controller> target_socket;

  // storage may be null (data.mode=off). Addresses arriving are GPU-local; the controller serves those
  // that map to its pseudo-channel.
  memory_controller(const sc_core::sc_module_name& name, unsigned index, const mc_config& cfg, pseudo_channel& pc,
                    sparse_memory* storage);

  void set_policy(std::unique_ptr<arbitration_policy> p) { policy_ = std::move(p); }
  arbitration_policy& policy() { return *policy_; }
  void set_observer(mc_observer* o) { observer_ = o; }

  void report_stats(stat_sink& sink) const override;
  // Places every write still waiting in the write queue (at the end of a run, before statistics are
  // read).
  void drain_writes();
  // The cycle the last placed data leaves the bus.
  std::uint64_t last_done() const { return last_done_; }
  unsigned queue_max() const { return occupancy_max_; }
  std::uint64_t queue_full_stalls() const { return queue_full_stalls_; }
  // Requests the arbitration policy made wait past their arrival, and the total wait (memory cycles).
  std::uint64_t policy_held() const { return policy_held_; }
  std::uint64_t policy_wait_cycles() const { return policy_wait_; }
  // Update requests by bank (bank group major): how busy each bank's near-memory adder was.
  const std::vector<std::uint64_t>& updates_per_bank() const { return updates_per_bank_; }
  std::uint64_t bytes(traffic_phase p, mem_op op) const {
    return bytes_by_phase_[static_cast<int>(p)][static_cast<int>(op)];
  }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp);
  bool check(tlm::tlm_generic_payload& gp, const access_info& ai) const;
  void release_until(std::uint64_t cycle);
  void account(const mc_request& r, const access_timing& at);
  // Places the first n waiting writes (call order), none before cycle `now`.
  void drain(std::uint64_t now, std::size_t n);

  unsigned occupancy(std::uint64_t cycle, traffic_class cls) const override;
  unsigned capacity() const override { return cfg_.queue_entries; }
  std::uint64_t drains_below(std::uint64_t cycle, traffic_class cls, unsigned n) const override;

  unsigned index_;
  mc_config cfg_;
  pseudo_channel& pc_;
  sparse_memory* storage_;
  std::unique_ptr<arbitration_policy> policy_;
  mc_observer* observer_ = nullptr;
  std::uint64_t tck_ps_;
  std::uint64_t frontend_cycles_;
  std::uint64_t drain_age_cycles_;

  // Queue entries by release cycle (last column command), per traffic class.
  using min_heap = std::priority_queue<std::uint64_t, std::vector<std::uint64_t>, std::greater<std::uint64_t>>;
  std::array<min_heap, traffic_class_count> queue_;
  // Posted writes not yet placed, in call order; they hold queue entries until placed and released.
  struct waiting_write {
    mc_request req;
    std::uint64_t start, first, span;
  };
  std::vector<waiting_write> waiting_;
  struct drain_slot {
    std::uint64_t row_key;  // bank group, bank, row
    std::size_t index;      // into waiting_
  };
  std::vector<drain_slot> drain_order_;
  std::uint64_t last_arrival_ = 0;

  // Statistics.
  std::array<std::uint64_t, 3> count_{};  // by mem_op
  std::array<std::uint64_t, traffic_class_count> bytes_by_class_{};
  std::array<std::array<std::uint64_t, 3>, traffic_phase_count> bytes_by_phase_{};
  std::uint64_t occupancy_area_ = 0;  // sum over requests of (release - arrival) cycles
  unsigned occupancy_max_ = 0;
  std::uint64_t latency_sum_ = 0;     // cycles, arrival to done
  std::uint64_t queue_full_stalls_ = 0;
  std::uint64_t write_drains_ = 0;
  std::uint64_t policy_wait_ = 0;     // cycles requests were held back by the policy
  std::uint64_t policy_held_ = 0;     // requests held back by the policy
  std::uint64_t last_done_ = 0;
  std::uint64_t errors_ = 0;
  std::vector<std::uint64_t> updates_per_bank_;
};

}  // namespace t3vp
