#pragma once
// T3's track-and-trigger peripheral: a table beside a GPU's memory controllers that watches every
// near-memory update after it is queued (mc_observer), keyed by the producer's tile id carried in the
// payload extension (not by address), counts the bytes each output tile has received from local and
// remote producers, and when a tile has its programmed number of contributions marks the tile's DMA
// descriptor ready (or, for the region this GPU owns, counts it final). Software programs it through
// registers (docs/blocks/tracker.md).
//
// Capacity: `entries` tiles are tracked in the table at once. A tile whose first contribution finds
// the table full is tracked in a spill area in memory instead: it is never refused and nothing ever
// waits for a free entry (no deadlock), but its trigger pays `spill_penalty_ns` (the spill area's
// read-modify-write). A triggered tile whose descriptor the DMA queue cannot take keeps its entry
// until the queue takes it.
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include "models/dma/dma_engine.h"
#include "models/memory_controller/memory_controller.h"
#include "tlm/register_bank.h"
#include "tlm/stats.h"

namespace t3vp {

struct tracker_config {
  unsigned entries = 256;
  double lookup_ns = 2;          // table lookup and count update, after the request is queued
  double spill_penalty_ns = 100; // a spilled tile's trigger waits for its entry's memory round trip
  double tck_ns = 1;             // memory clock of the observed controllers
};

class tracker : public sc_core::sc_module, public has_stats, public mc_observer {
 public:
  tlm_utils::simple_target_socket<tracker> socket;  // MMIO
  sc_core::sc_out<bool> irq;                          // IRQ_STATUS & IRQ_ENABLE != 0

  tracker(const sc_core::sc_module_name& name, const tracker_config& cfg, dma_engine& dma);

  void on_queued(unsigned pc, const tlm::tlm_generic_payload& gp, std::uint64_t done_cycle) override;
  const register_bank& registers() const { return regs_; }
  unsigned occupancy() const { return unsigned(table_.size()) - spilled_now_; }
  unsigned occupancy_max() const { return occupancy_max_; }
  std::uint64_t spills() const { return spills_; }
  bool enabled() const { return enabled_; }
  // What the tracker still waits for (for the deadlock report).
  std::string state() const;
  void report_stats(stat_sink& sink) const override;

 private:
  struct entry {
    std::uint64_t bytes = 0;
    sc_core::sc_time last;
    bool spilled = false;
  };
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp);
  void on_enable();
  void complete(std::uint32_t tile, const entry& e);
  bool refill(std::uint32_t& tile, sc_core::sc_time& ready);
  void raise_final();
  void update_irq();

  tracker_config cfg_;
  dma_engine& dma_;
  register_bank regs_;
  std::unordered_map<std::uint32_t, entry> table_;
  std::deque<std::pair<std::uint32_t, sc_core::sc_time>> waiting_dma_;  // triggered, DMA queue full
  // Cached programming (read from the registers at enable).
  bool enabled_ = false;
  std::uint64_t c_addr_ = 0, c_end_ = 0, m_ = 0, n_ = 0, tm_ = 0, tn_ = 0, tiles_n_ = 0, threshold_ = 0;
  std::uint64_t final_begin_ = 0, final_end_ = 0, final_tiles_ = 0, final_done_ = 0;
  sc_core::sc_time final_time_;
  sc_core::sc_event final_event_;
  unsigned spilled_now_ = 0, occupancy_max_ = 0;
  std::uint64_t lookups_ = 0, triggers_ = 0, finals_ = 0, spills_ = 0, dma_stalls_ = 0, occupancy_sum_ = 0;
};

}  // namespace t3vp
