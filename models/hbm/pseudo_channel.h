#pragma once
// One HBM pseudo-channel: its banks with open-row state, and the command timing that bounds how fast
// bursts can be served. Loosely timed: the memory controller hands it one access at a time (in arrival
// order) and it places every burst's commands at the earliest cycle all timing rules allow, keeping
// per-bank, per-bank-group and data-bus state. docs/blocks/hbm.md states the rules and approximations.
#include <array>
#include <cstdint>
#include <vector>
#include <systemc>
#include "models/hbm/hbm_config.h"
#include "models/hbm/slot_calendar.h"
#include "tlm/mem_extension.h"
#include "tlm/stats.h"

namespace t3vp {

struct access_timing {
  std::uint64_t first_command;  // cycle of the first command issued for the access
  std::uint64_t first_data;     // cycle the access's first data burst starts on the bus
  std::uint64_t last_column;    // cycle of the last column command (the queue entry is released then)
  std::uint64_t done;           // cycle at which the last data burst has left the bus
};

class pseudo_channel : public sc_core::sc_module, public has_stats {
 public:
  pseudo_channel(const sc_core::sc_module_name& name, const hbm_geometry& g, const dram_timing& t);

  // Places the bursts of one access (pc_addr burst aligned, bytes a multiple of the burst size) not before
  // cycle `earliest`. Each burst takes the earliest slot that every timing rule allows, even ahead of
  // bursts of older accesses to other banks (first-ready), but never more than `reorder_window` accesses
  // ahead; with in_order, not ahead of any older access (FCFS).
  access_timing schedule(mem_op op, std::uint64_t pc_addr, std::uint64_t bytes, std::uint64_t earliest, bool in_order);

  void set_reorder_window(unsigned w);
  const dram_timing& timing() const { return t_; }
  const hbm_geometry& geometry() const { return g_; }

  // Statistics (docs/statistics.md).
  std::uint64_t row_hits() const { return row_hits_; }
  std::uint64_t row_misses() const { return row_misses_; }
  std::uint64_t bursts() const { return bursts_; }
  std::uint64_t busy_cycles() const { return busy_cycles_; }
  std::uint64_t refreshes() const { return refreshes_; }
  void report_stats(stat_sink& sink) const override;

 private:
  struct bank_state {
    std::int64_t open_row = -1;
    std::uint64_t act_ok = 0;   // earliest next ACT (tRC, tRP after the last PRE, refresh)
    std::uint64_t col_ok = 0;   // earliest column command (tRCD)
    std::uint64_t pre_ok = 0;   // earliest PRE (tRAS, tRTP, tWR)
    std::int64_t refresh_epoch = -1;  // index of the last refresh applied
    std::uint64_t refresh_offset = 0;
    std::uint64_t next_refresh = ~0ull;  // due time of the next refresh not yet applied
    // Rows this bank had open before the current one: a burst that arrives (in simulated time) while
    // such a row was still open may be served as a hit inside that interval, if it fits before the
    // precharge already placed. Keeps row hits when initiators run ahead of each other (quantum).
    struct closed_row {
      std::int64_t row = -1;
      std::uint64_t col_ok = 0, pre = 0;
    };
    std::array<closed_row, 4> history;
    unsigned history_pos = 0;
  };

  void apply_refresh(bank_state& b, std::uint64_t t);
  std::uint64_t place_act(unsigned bg, std::uint64_t t);
  std::uint64_t open_row_for(bank_state& b, unsigned bg, std::uint32_t row, std::uint64_t earliest,
                             std::uint64_t col_floor, std::uint64_t& first_cmd);
  access_timing schedule_block(mem_op op, std::uint64_t pc_addr, std::uint64_t bytes, std::uint64_t earliest,
                               std::uint64_t col_floor);
  std::uint64_t place_block(bool is_write, std::uint64_t c, std::uint64_t bus_len, std::uint64_t span,
                            const std::uint64_t* group_begin, const std::uint64_t* group_end, std::uint64_t limit);
  // The earliest legal column cycle >= c, reserved; or ~0 (nothing reserved) if it would exceed limit.
  std::uint64_t place_column(unsigned bg, bool is_write, unsigned occupancy, std::uint64_t c,
                             std::uint64_t limit = ~0ull);

  hbm_geometry g_;
  dram_timing t_;
  std::vector<bank_state> banks_;
  // Reservation calendars: data bus (all: access blocks only; reads, writes), column slots (channel,
  // per bank group), row activations (channel, per bank group).
  slot_calendar bus_, bus_read_, bus_write_, col_any_, act_any_;
  bool spacing_from_bus_ = false;  // tCCD_S follows from the bus and turnaround rules: col_any_ unused
  std::vector<slot_calendar> col_group_, act_group_;
  struct window_entry {
    std::uint64_t arrival = 0, first_data = 0;
  };
  std::vector<window_entry> window_;
  // Per bank group and direction: the last column search began at `start` and ended at `answer` for
  // this occupancy; every cycle in [start, answer) broke a rule then.
  struct column_hint {
    std::uint64_t start = 0, answer = 0;
    unsigned occupancy = 0;
  };
  std::array<column_hint, 16> hints_{};  // (bank groups <= 8)
  pc_address_decoder decoder_{g_};  // the last accesses (ring): the reorder window
  std::uint64_t accesses_ = 0;
  std::uint64_t last_data_end_ = 0;  // for in-order placement
  std::uint64_t refresh_period_ = 0, refresh_duration_ = 0;

  std::uint64_t row_hits_ = 0, row_misses_ = 0, past_hits_ = 0, bursts_ = 0, busy_cycles_ = 0, refreshes_ = 0, overtakes_ = 0;
};

}  // namespace t3vp
