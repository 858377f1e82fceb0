#pragma once
// Cycle-by-cycle, command-level reference model of ONE HBM2 pseudo-channel behind an FR-FCFS
// memory controller. It is the fine model the fast loosely-timed HBM model is validated against:
// it steps every memory-clock cycle (tCK), keeps the state of every bank, and issues ACT / PRE /
// REF on the row command bus and RD / WR / UPD on the column command bus under the timing rules
// of dram_timing. Clarity over speed; the exact rules are listed in docs/reference_model.md.
//
// Not part of the platform: testbench code only (namespace t3vp::reference).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/hbm/hbm_config.h"
#include "tlm/mem_extension.h"

namespace t3vp::reference {

// One access of an initiator: `bytes` contiguous bytes from `pc_addr` (a pseudo-channel-local byte
// address). pc_addr is burst aligned, bytes a non-zero multiple of burst_bytes, and the access
// lies inside the pseudo-channel; simulate() throws std::invalid_argument otherwise.
struct access {
  mem_op op;
  std::uint64_t pc_addr;
  unsigned bytes;
};

// A closed-loop initiator: issues its accesses in order, at most max_outstanding incomplete at
// once, at most one new access every issue_interval cycles (0 is treated as 1), the first one no
// earlier than start_cycle.
struct stream {
  std::vector<access> accesses;
  unsigned max_outstanding = 8;
  unsigned issue_interval = 1;
  std::uint64_t start_cycle = 0;
};

enum class command_kind : std::uint8_t { act, pre, ref, rd, wr, upd };
const char* to_string(command_kind k);
inline bool is_column(command_kind k) { return k == command_kind::rd || k == command_kind::wr || k == command_kind::upd; }
inline bool is_row(command_kind k) { return !is_column(k); }

// One DRAM command as issued (the optional command log).
struct command_record {
  std::uint64_t cycle = 0;
  command_kind kind = command_kind::act;
  int bank_group = -1;  // -1 with bank == -1: an all-bank REF
  int bank = -1;        // within its bank group
  std::uint32_t row = 0;     // ACT and column commands
  std::uint32_t column = 0;  // column commands: burst index within the row
  // Column commands: which burst they serve. -1 / 0 otherwise.
  int stream = -1;
  std::int64_t access = -1;
  unsigned burst = 0;
  bool for_refresh = false;  // a PRE issued because the bank has a refresh due
};

struct options {
  bool record_commands = false;  // fill result::commands
};

struct result {
  std::uint64_t cycles = 0;  // cycle at which the last access completed (0 if there was none)
  std::uint64_t bytes = 0;   // total bytes moved
  // Per burst. A miss is the first column command to its bank after that bank's ACT (the burst
  // that needed the row opened); every other column command is a hit. row_misses == number of
  // ACTs that served at least one burst.
  std::uint64_t row_hits = 0, row_misses = 0;
  double bandwidth_bytes_per_cycle() const { return cycles ? double(bytes) / double(cycles) : 0.0; }
  std::vector<std::vector<std::uint64_t>> completion;  // per stream, per access: completion cycle
  double mean_queue_occupancy = 0;  // entries, time-weighted over cycles [0, cycles)
  unsigned max_queue_occupancy = 0;

  // Additions.
  std::vector<std::vector<std::uint64_t>> admission;  // per stream, per access: cycle it entered the queue
  std::uint64_t activates = 0, precharges = 0, refreshes = 0;  // refreshes: REF commands (per-bank or all-bank)
  std::uint64_t read_bursts = 0, write_bursts = 0, update_bursts = 0;
  std::vector<command_record> commands;  // only with options::record_commands, in issue order
  // Fraction of the peak data rate (burst_bytes / burst_cycles bytes per cycle).
  double fraction_of_peak(const hbm_geometry& g, const dram_timing& t) const {
    return bandwidth_bytes_per_cycle() * t.burst_cycles / g.burst_bytes;
  }
};

// Runs the streams against one pseudo-channel whose controller queue holds `queue_entries`
// accesses, from cycle 0 until the last access completes. Throws std::invalid_argument on a
// malformed input and std::runtime_error if the controller stops making progress.
result simulate(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries,
                const std::vector<stream>& streams);
result simulate(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries,
                const std::vector<stream>& streams, const options& opt);

// Independent self-check of a run recorded with options::record_commands. Re-derives every rule
// of docs/reference_model.md from the command log alone (pairwise, not from the model's state):
// bank state machine, one row and one column command per cycle, every timing constraint, data-bus
// exclusivity, refresh cadence, one column command per burst at the decoded location with the
// right op, completion cycles, initiator limits (order, start, interval, outstanding) and queue
// capacity. Returns one human-readable line per violation (empty: all rules hold).
std::vector<std::string> check_run(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries,
                                   const std::vector<stream>& streams, const result& r);

}  // namespace t3vp::reference
