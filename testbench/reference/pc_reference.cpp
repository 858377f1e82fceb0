// Cycle-by-cycle reference model of one HBM2 pseudo-channel with an FR-FCFS controller.
// See pc_reference.h and docs/reference_model.md; the phase and rule numbers in the comments
// (phases 1-7, scheduler S1-S2, timing T1-T12, refresh F1-F4) are those of the document.
#include "testbench/reference/pc_reference.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace t3vp::reference {

const char* to_string(command_kind k) {
  switch (k) {
    case command_kind::act: return "ACT";
    case command_kind::pre: return "PRE";
    case command_kind::ref: return "REF";
    case command_kind::rd: return "RD";
    case command_kind::wr: return "WR";
    case command_kind::upd: return "UPD";
  }
  return "?";
}

namespace {

using cycle_t = std::int64_t;
// "Never happened": far enough in the past that never + any timing value is still in the past.
constexpr cycle_t never = std::numeric_limits<cycle_t>::min() / 4;
constexpr unsigned max_groups = 64;  // bank groups per pseudo-channel supported

bool writes_data(mem_op op) { return op != mem_op::read; }  // WR and UPD put write data on the bus

command_kind column_kind(mem_op op) {
  switch (op) {
    case mem_op::read: return command_kind::rd;
    case mem_op::write: return command_kind::wr;
    case mem_op::update: return command_kind::upd;
  }
  return command_kind::rd;
}

// Timing values as signed cycle counts, plus the derived ones.
struct timing {
  cycle_t bl, cl, cwl, trcd, trp, tras, trc, tccd_s, tccd_l, trrd_s, trrd_l, tfaw, trtp, trtw;
  cycle_t wr_to_pre;   // WR/UPD -> PRE same bank: cwl + BL + tWR
  cycle_t wr_to_rd_l;  // WR/UPD -> RD same bank group: cwl + BL + tWTR_L
  cycle_t wr_to_rd_s;  // WR/UPD -> RD other bank group: cwl + BL + tWTR_S
  cycle_t upd_busy;    // UPD -> next column command, same bank group: 2 * tCCD_L + nmc_alu_cycles
  cycle_t trefi, trfc, trfc_pb;
  refresh_mode refresh;

  explicit timing(const dram_timing& t)
      : bl(t.burst_cycles), cl(t.cl), cwl(t.cwl), trcd(t.trcd), trp(t.trp), tras(t.tras), trc(t.trc),
        tccd_s(t.tccd_s), tccd_l(t.tccd_l), trrd_s(t.trrd_s), trrd_l(t.trrd_l), tfaw(t.tfaw), trtp(t.trtp),
        trtw(t.trtw), wr_to_pre(cycle_t(t.cwl) + t.burst_cycles + t.twr),
        wr_to_rd_l(cycle_t(t.cwl) + t.burst_cycles + t.twtr_l), wr_to_rd_s(cycle_t(t.cwl) + t.burst_cycles + t.twtr_s),
        upd_busy(2 * cycle_t(t.tccd_l) + t.nmc_alu_cycles), trefi(t.trefi), trfc(t.trfc), trfc_pb(t.trfc_pb),
        refresh(t.refresh) {}
  cycle_t latency(mem_op op) const { return op == mem_op::read ? cl : cwl; }
  cycle_t latency(command_kind k) const { return k == command_kind::rd ? cl : cwl; }
};

void validate(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries, const std::vector<stream>& streams) {
  auto bad = [](const std::string& m) { throw std::invalid_argument("reference::simulate: " + m); };
  if (g.bank_groups == 0 || g.banks_per_group == 0) bad("geometry has no banks");
  if (g.bank_groups > max_groups) bad("more than " + std::to_string(max_groups) + " bank groups");
  if (g.burst_bytes == 0 || g.row_bytes == 0 || g.row_bytes % g.burst_bytes != 0)
    bad("row_bytes must be a non-zero multiple of burst_bytes");
  if (t.burst_cycles == 0) bad("burst_cycles must be > 0");
  if (t.refresh != refresh_mode::off && t.trefi == 0) bad("tREFI must be > 0 with refresh on");
  if (queue_entries == 0) bad("queue_entries must be > 0");
  for (std::size_t s = 0; s < streams.size(); ++s) {
    if (streams[s].max_outstanding == 0) bad("stream " + std::to_string(s) + ": max_outstanding must be > 0");
    for (std::size_t i = 0; i < streams[s].accesses.size(); ++i) {
      const access& a = streams[s].accesses[i];
      const std::string where = "stream " + std::to_string(s) + " access " + std::to_string(i) + ": ";
      if (a.bytes == 0 || a.bytes % g.burst_bytes != 0) bad(where + "bytes must be a non-zero multiple of burst_bytes");
      if (a.pc_addr % g.burst_bytes != 0) bad(where + "pc_addr must be burst aligned");
      if (a.pc_addr + a.bytes > g.pc_capacity_bytes) bad(where + "beyond the pseudo-channel capacity");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The model.

struct burst_req {
  dram_location loc;
  unsigned bank = 0;  // flat bank index: bank_group * banks_per_group + bank
  bool issued = false;
};

struct queue_entry {
  unsigned stream = 0;
  std::size_t index = 0;  // access index within its stream
  mem_op op = mem_op::read;
  cycle_t admitted = 0;
  std::vector<burst_req> bursts;
  std::size_t first_unissued = 0;
  std::size_t issued = 0;
  cycle_t data_end = 0;  // latest data end of its issued bursts
};

struct bank_state {
  bool open = false;
  std::uint32_t row = 0;
  cycle_t last_act = never, last_pre = never, last_rd = never, last_wr = never;  // last_wr: WR or UPD
  cycle_t busy_until = 0;         // end of this bank's current refresh (REF -> ACT)
  bool served_since_act = false;  // a column command has used the row opened by the last ACT
  unsigned refresh_owed = 0;      // per-bank refresh: due refreshes not yet issued
  cycle_t next_due = 0;           // per-bank refresh: next due cycle
};

struct group_state {
  cycle_t last_col = never, last_upd = never, last_wr = never;  // last_wr: WR or UPD
};

struct initiator {
  std::size_t next = 0;  // next access to offer
  unsigned outstanding = 0;
  cycle_t last_admit = never;
  cycle_t waiting_since = -1;  // first cycle the current access was offered; -1: not offering
};

struct in_flight {
  cycle_t done;
  unsigned stream;
};

class pc_model {
 public:
  pc_model(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries, const std::vector<stream>& streams,
           const options& opt)
      : g_(g), t_(t), cap_(queue_entries), streams_(streams), opt_(opt), nbanks_(g.banks()),
        banks_(nbanks_), groups_(g.bank_groups), inits_(streams.size()) {
    res_.completion.resize(streams.size());
    res_.admission.resize(streams.size());
    for (std::size_t s = 0; s < streams.size(); ++s) {
      res_.completion[s].assign(streams[s].accesses.size(), 0);
      res_.admission[s].assign(streams[s].accesses.size(), 0);
    }
    // F1: bank b is due at floor(b * tREFI / N) + k * tREFI; all banks at (k + 1) * tREFI.
    for (unsigned b = 0; b < nbanks_; ++b) banks_[b].next_due = cycle_t(b) * t_.trefi / nbanks_;
    all_next_due_ = t_.trefi;
    stall_limit_ = 100000 + 4 * (t_.trefi + t_.trfc + t_.trfc_pb);
    act_history_ = std::max({t_.trrd_l, t_.trrd_s, t_.tfaw});
    row_ok_.assign(nbanks_, 0);
    pending_hit_.assign(nbanks_, 0);
  }

  result run() {
    double occupancy_sum = 0;
    for (now_ = 0;; ++now_) {
      retire_completions();
      if (finished()) break;
      while (!recent_acts_.empty() && recent_acts_.front().cycle + act_history_ <= now_) recent_acts_.pop_front();
      note_refresh_dues();
      admit();
      occupancy_sum += double(queue_.size());
      res_.max_queue_occupancy = std::max<unsigned>(res_.max_queue_occupancy, unsigned(queue_.size()));
      column_command();
      row_command();
      if (queue_.empty()) last_column_ = now_;
      if (now_ - last_column_ > stall_limit_)
        throw std::runtime_error("reference::simulate: no column command for " + std::to_string(stall_limit_) +
                                 " cycles with a non-empty queue (cycle " + std::to_string(now_) + ")");
    }
    res_.cycles = std::uint64_t(now_);
    res_.mean_queue_occupancy = now_ > 0 ? occupancy_sum / double(now_) : 0.0;
    return std::move(res_);
  }

 private:
  // --- per-cycle phases ---------------------------------------------------------------------

  // Phase 1: an access whose data left the bus at this cycle frees its initiator's slot.
  void retire_completions() {
    for (std::size_t i = 0; i < in_flight_.size();) {
      if (in_flight_[i].done == now_) {
        --inits_[in_flight_[i].stream].outstanding;
        in_flight_[i] = in_flight_.back();
        in_flight_.pop_back();
      } else {
        ++i;
      }
    }
  }

  // Phase 2: the run ends when every access has been offered, served and completed.
  bool finished() const {
    if (!queue_.empty() || !in_flight_.empty()) return false;
    for (std::size_t s = 0; s < streams_.size(); ++s)
      if (inits_[s].next < streams_[s].accesses.size()) return false;
    return true;
  }

  // Phase 3 (F1): refreshes falling due at this cycle become owed.
  void note_refresh_dues() {
    if (t_.refresh == refresh_mode::per_bank) {
      for (bank_state& k : banks_)
        while (now_ >= k.next_due) {
          ++k.refresh_owed;
          k.next_due += t_.trefi;
        }
    } else if (t_.refresh == refresh_mode::all_bank) {
      while (now_ >= all_next_due_) {
        ++all_owed_;
        all_next_due_ += t_.trefi;
      }
    }
  }

  // Phase 4: initiators offer accesses; FIFO by the cycle they started offering, then by index.
  void admit() {
    std::vector<unsigned> offering;
    for (unsigned s = 0; s < streams_.size(); ++s) {
      const stream& st = streams_[s];
      initiator& in = inits_[s];
      if (in.next >= st.accesses.size()) continue;
      if (in.outstanding >= st.max_outstanding) continue;
      if (now_ < cycle_t(st.start_cycle)) continue;
      if (now_ < in.last_admit + cycle_t(std::max(1u, st.issue_interval))) continue;
      if (in.waiting_since < 0) in.waiting_since = now_;
      offering.push_back(s);
    }
    std::stable_sort(offering.begin(), offering.end(),
                     [&](unsigned a, unsigned b) { return inits_[a].waiting_since < inits_[b].waiting_since; });
    for (unsigned s : offering) {
      if (queue_.size() >= cap_) break;
      initiator& in = inits_[s];
      const access& a = streams_[s].accesses[in.next];
      queue_entry e;
      e.stream = s;
      e.index = in.next;
      e.op = a.op;
      e.admitted = now_;
      for (unsigned off = 0; off < a.bytes; off += g_.burst_bytes) {
        burst_req br;
        br.loc = decode_pc_address(g_, a.pc_addr + off);
        br.bank = br.loc.bank_group * g_.banks_per_group + br.loc.bank;
        e.bursts.push_back(br);
      }
      res_.admission[s][in.next] = std::uint64_t(now_);
      res_.bytes += a.bytes;
      queue_.push_back(std::move(e));
      ++in.next;
      ++in.outstanding;
      in.last_admit = now_;
      in.waiting_since = -1;
    }
  }

  // Phase 6 (S1): the column command bus. Oldest entry first, its bursts in order; the first
  // burst whose row is open and whose column timing (T6-T11) is met is issued.
  void column_command() {
    // The bank-group and bus part of the column rules depends only on (bank group, read/write):
    // evaluate it once per cycle, then the bank part (T6) per burst.
    bool group_ok[2][max_groups];
    bool any = false;
    for (unsigned grp = 0; grp < groups_.size(); ++grp)
      for (int w = 0; w < 2; ++w) {
        group_ok[w][grp] = group_allows_column(grp, w ? mem_op::write : mem_op::read);
        any = any || group_ok[w][grp];
      }
    if (!any) return;
    for (std::size_t qi = 0; qi < queue_.size(); ++qi) {
      queue_entry& e = queue_[qi];
      const bool w = writes_data(e.op);
      for (std::size_t bi = e.first_unissued; bi < e.bursts.size(); ++bi) {
        burst_req& br = e.bursts[bi];
        if (br.issued || !group_ok[w][br.loc.bank_group]) continue;
        const bank_state& k = banks_[br.bank];
        if (!k.open || k.row != br.loc.row) continue;  // not a row hit
        if (refresh_pending(br.bank)) continue;        // F3: a bank owing a refresh takes no column command
        if (!bank_allows_column(br.bank)) continue;
        issue_column(qi, bi);
        return;
      }
    }
  }

  // Phase 7: the row command bus. A due refresh first (F2-F4), then the oldest entry that can
  // progress (S2).
  void row_command() {
    if (refresh_command()) return;
    // Which banks could take their row command (ACT if closed, PRE if open) this cycle?
    bool any = false;
    for (unsigned b = 0; b < nbanks_; ++b) {
      const bank_state& k = banks_[b];
      row_ok_[b] = !refresh_pending(b) && (k.open ? can_precharge(b) : can_activate(b));  // F3: no ACT when owed
      any = any || row_ok_[b];
    }
    if (!any) return;
    bool hits_known = false;  // pending_hit_ is computed on first need
    for (const queue_entry& e : queue_) {
      for (std::size_t bi = e.first_unissued; bi < e.bursts.size(); ++bi) {
        const burst_req& br = e.bursts[bi];
        if (br.issued) continue;
        const unsigned b = br.bank;
        const bank_state& k = banks_[b];
        if (k.open && k.row == br.loc.row) continue;  // a hit: nothing to do on the row bus
        if (!row_ok_[b]) continue;
        if (k.open) {
          if (!hits_known) {
            compute_pending_hits();
            hits_known = true;
          }
          if (pending_hit_[b]) continue;  // FR-FCFS: never close a row some queued burst still hits
          precharge(b, false);
        } else {
          activate(b, br.loc.row);
        }
        return;
      }
    }
  }

  // pending_hit_[b]: some queued, not yet issued burst targets the row open in bank b.
  void compute_pending_hits() {
    std::fill(pending_hit_.begin(), pending_hit_.end(), 0);
    for (const queue_entry& e : queue_)
      for (std::size_t bi = e.first_unissued; bi < e.bursts.size(); ++bi) {
        const burst_req& br = e.bursts[bi];
        if (!br.issued && banks_[br.bank].open && banks_[br.bank].row == br.loc.row) pending_hit_[br.bank] = 1;
      }
  }

  // --- refresh ------------------------------------------------------------------------------

  bool refresh_pending(unsigned b) const {
    if (t_.refresh == refresh_mode::per_bank) return banks_[b].refresh_owed > 0;
    if (t_.refresh == refresh_mode::all_bank) return all_owed_ > 0;
    return false;
  }

  // Issues the row command a due refresh needs, if one is allowed this cycle.
  bool refresh_command() {
    if (t_.refresh == refresh_mode::per_bank) {
      // Serve due banks oldest first; a bank that cannot progress this cycle lets the next try.
      std::vector<unsigned> order;
      for (unsigned b = 0; b < nbanks_; ++b)
        if (banks_[b].refresh_owed > 0) order.push_back(b);
      std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) {
        return banks_[a].next_due - cycle_t(banks_[a].refresh_owed) * t_.trefi <
               banks_[b].next_due - cycle_t(banks_[b].refresh_owed) * t_.trefi;
      });
      for (unsigned b : order) {
        bank_state& k = banks_[b];
        if (k.open) {
          if (can_precharge(b)) {
            precharge(b, true);
            return true;
          }
        } else if (can_refresh_bank(b)) {
          k.busy_until = now_ + t_.trfc_pb;
          --k.refresh_owed;
          ++res_.refreshes;
          record(command_kind::ref, int(b / g_.banks_per_group), int(b % g_.banks_per_group));
          return true;
        }
      }
      return false;
    }
    if (t_.refresh == refresh_mode::all_bank && all_owed_ > 0) {
      bool any_open = false;
      for (unsigned b = 0; b < nbanks_; ++b) {
        if (!banks_[b].open) continue;
        any_open = true;
        if (can_precharge(b)) {
          precharge(b, true);
          return true;
        }
      }
      if (any_open) return false;
      for (unsigned b = 0; b < nbanks_; ++b)
        if (!can_refresh_bank(b)) return false;
      for (bank_state& k : banks_) k.busy_until = now_ + t_.trfc;
      --all_owed_;
      ++res_.refreshes;
      record(command_kind::ref, -1, -1);
      return true;
    }
    return false;
  }

  // --- timing checks (T1-T11 of the documentation) -----------------------------------------

  bool can_activate(unsigned b) const {
    const bank_state& k = banks_[b];
    if (k.open) return false;
    if (now_ < k.last_act + t_.trc) return false;  // ACT -> ACT same bank
    if (now_ < k.last_pre + t_.trp) return false;  // PRE -> ACT same bank
    if (now_ < k.busy_until) return false;         // REF -> ACT (tRFCpb / tRFC)
    const unsigned grp = b / g_.banks_per_group;
    unsigned in_faw = 0;
    for (const recent_act& a : recent_acts_) {  // every ACT of the last act_history_ cycles
      if (a.bank != b) {
        const cycle_t gap = (a.bank / g_.banks_per_group == grp) ? t_.trrd_l : t_.trrd_s;
        if (now_ < a.cycle + gap) return false;  // ACT -> ACT other bank: tRRD_L / tRRD_S
      }
      if (now_ < a.cycle + t_.tfaw) ++in_faw;
    }
    if (in_faw >= 4) return false;  // tFAW: at most 4 ACTs in any tFAW-cycle window
    return true;
  }

  bool can_precharge(unsigned b) const {
    const bank_state& k = banks_[b];
    if (!k.open) return false;
    if (now_ < k.last_act + t_.tras) return false;       // ACT -> PRE
    if (now_ < k.last_rd + t_.trtp) return false;        // RD -> PRE
    if (now_ < k.last_wr + t_.wr_to_pre) return false;   // WR/UPD -> PRE (write recovery)
    return true;
  }

  bool can_refresh_bank(unsigned b) const {
    const bank_state& k = banks_[b];
    if (k.open) return false;
    if (now_ < k.last_pre + t_.trp) return false;  // PRE -> REF
    if (now_ < k.last_act + t_.trc) return false;  // ACT -> REF
    if (now_ < k.busy_until) return false;         // REF -> REF
    return true;
  }

  // Column rules, split into the bank part (T6) and the bank-group / data-bus part (T7-T11).
  bool bank_allows_column(unsigned b) const {
    const bank_state& k = banks_[b];
    return k.open && now_ >= k.last_act + t_.trcd;  // ACT -> column same bank
  }

  bool group_allows_column(unsigned grp, mem_op op) const {
    for (unsigned o = 0; o < groups_.size(); ++o) {
      const group_state& q = groups_[o];
      if (o == grp) {
        if (now_ < q.last_col + t_.tccd_l) return false;   // column -> column same bank group
        if (now_ < q.last_upd + t_.upd_busy) return false;  // in-bank read-modify-write occupancy
        if (op == mem_op::read && now_ < q.last_wr + t_.wr_to_rd_l) return false;  // WR -> RD same BG
      } else {
        if (now_ < q.last_col + t_.tccd_s) return false;  // column -> column other bank group
        if (op == mem_op::read && now_ < q.last_wr + t_.wr_to_rd_s) return false;  // WR -> RD other BG
      }
    }
    if (writes_data(op) && now_ + t_.cwl < last_read_data_end_ + t_.trtw) return false;  // RD -> WR turnaround
    if (now_ + t_.latency(op) < bus_free_) return false;  // one burst at a time on the data bus
    return true;
  }

  // --- issuing ------------------------------------------------------------------------------

  void activate(unsigned b, std::uint32_t row) {
    bank_state& k = banks_[b];
    k.open = true;
    k.row = row;
    k.last_act = now_;
    k.served_since_act = false;
    recent_acts_.push_back({now_, b});
    ++res_.activates;
    record(command_kind::act, int(b / g_.banks_per_group), int(b % g_.banks_per_group), row);
  }

  void precharge(unsigned b, bool for_refresh) {
    bank_state& k = banks_[b];
    const std::uint32_t row = k.row;
    k.open = false;
    k.last_pre = now_;
    ++res_.precharges;
    record(command_kind::pre, int(b / g_.banks_per_group), int(b % g_.banks_per_group), row);
    if (opt_.record_commands) res_.commands.back().for_refresh = for_refresh;
  }

  void issue_column(std::size_t qi, std::size_t bi) {
    queue_entry& e = queue_[qi];
    burst_req& br = e.bursts[bi];
    bank_state& k = banks_[br.bank];
    group_state& q = groups_[br.loc.bank_group];
    const cycle_t data_end = now_ + t_.latency(e.op) + t_.bl;
    bus_free_ = data_end;
    q.last_col = now_;
    switch (e.op) {
      case mem_op::read:
        k.last_rd = now_;
        last_read_data_end_ = data_end;
        ++res_.read_bursts;
        break;
      case mem_op::write:
        k.last_wr = now_;
        q.last_wr = now_;
        ++res_.write_bursts;
        break;
      case mem_op::update:
        k.last_wr = now_;
        q.last_wr = now_;
        q.last_upd = now_;
        ++res_.update_bursts;
        break;
    }
    if (k.served_since_act) {
      ++res_.row_hits;
    } else {
      ++res_.row_misses;
      k.served_since_act = true;
    }
    record(column_kind(e.op), int(br.loc.bank_group), int(br.loc.bank), br.loc.row, br.loc.column, int(e.stream),
           std::int64_t(e.index), unsigned(bi));
    last_column_ = now_;
    br.issued = true;
    ++e.issued;
    while (e.first_unissued < e.bursts.size() && e.bursts[e.first_unissued].issued) ++e.first_unissued;
    e.data_end = std::max(e.data_end, data_end);
    if (e.issued == e.bursts.size()) {  // last column command: the entry leaves the queue
      res_.completion[e.stream][e.index] = std::uint64_t(e.data_end);
      in_flight_.push_back({e.data_end, e.stream});
      queue_.erase(queue_.begin() + std::ptrdiff_t(qi));
    }
  }

  void record(command_kind kind, int bg, int bank, std::uint32_t row = 0, std::uint32_t column = 0, int stream = -1,
              std::int64_t access = -1, unsigned burst = 0) {
    if (!opt_.record_commands) return;
    command_record c;
    c.cycle = std::uint64_t(now_);
    c.kind = kind;
    c.bank_group = bg;
    c.bank = bank;
    c.row = row;
    c.column = column;
    c.stream = stream;
    c.access = access;
    c.burst = burst;
    res_.commands.push_back(c);
  }

  const hbm_geometry& g_;
  const timing t_;
  const std::size_t cap_;
  const std::vector<stream>& streams_;
  const options opt_;
  const unsigned nbanks_;

  cycle_t now_ = 0;
  std::vector<bank_state> banks_;
  std::vector<group_state> groups_;
  struct recent_act {
    cycle_t cycle;
    unsigned bank;
  };
  std::deque<recent_act> recent_acts_;  // the ACTs of the last act_history_ cycles (tRRD, tFAW)
  cycle_t act_history_ = 0;             // max(tRRD_L, tRRD_S, tFAW)
  std::vector<char> row_ok_, pending_hit_;  // per-cycle scratch of row_command()
  cycle_t bus_free_ = 0;            // end of the last data burst
  cycle_t last_read_data_end_ = never;
  unsigned all_owed_ = 0;
  cycle_t all_next_due_ = 0;

  std::vector<initiator> inits_;
  std::vector<queue_entry> queue_;  // admission order: index 0 is the oldest
  std::vector<in_flight> in_flight_;
  cycle_t last_column_ = 0;
  cycle_t stall_limit_ = 0;
  result res_;
};

}  // namespace

result simulate(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries,
                const std::vector<stream>& streams) {
  return simulate(g, t, queue_entries, streams, options{});
}

result simulate(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries, const std::vector<stream>& streams,
                const options& opt) {
  validate(g, t, queue_entries, streams);
  return pc_model(g, t, queue_entries, streams, opt).run();
}

// ---------------------------------------------------------------------------------------------
// The independent checker. It knows nothing of pc_model: it re-derives every rule from the log.

namespace {

class checker {
 public:
  checker(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries, const std::vector<stream>& streams,
          const result& r)
      : g_(g), t_(t), tt_(t), cap_(queue_entries), streams_(streams), r_(r), log_(r.commands) {}

  std::vector<std::string> run() {
    std::size_t total_bursts = 0;
    for (const stream& s : streams_)
      for (const access& a : s.accesses) total_bursts += a.bytes / g_.burst_bytes;
    if (total_bursts > 0 && log_.empty()) {
      fail("empty command log (simulate with options::record_commands)");
      return out_;
    }
    check_order_and_state();
    check_pairwise();
    check_faw();
    check_refresh();
    check_bursts_and_initiators();
    return out_;
  }

 private:
  void fail(const std::string& m) {
    if (out_.size() < 50)
      out_.push_back(m);
    else if (out_.size() == 50)
      out_.push_back("... more violations omitted");
  }
  std::string describe(const command_record& c) const {
    std::ostringstream os;
    os << to_string(c.kind) << "@" << c.cycle << " bg" << c.bank_group << " b" << c.bank;
    if (c.kind != command_kind::pre && c.kind != command_kind::ref) os << " row" << c.row;
    if (is_column(c.kind)) os << " col" << c.column << " (s" << c.stream << " a" << c.access << " #" << c.burst << ")";
    return os.str();
  }
  unsigned flat(const command_record& c) const { return unsigned(c.bank_group) * g_.banks_per_group + unsigned(c.bank); }
  bool all_bank(const command_record& c) const { return c.kind == command_kind::ref && c.bank_group < 0; }
  // Does command c act on bank b? (an all-bank REF acts on every bank)
  bool touches(const command_record& c, unsigned b) const { return all_bank(c) || flat(c) == b; }
  bool same_bank(const command_record& a, const command_record& b) const {
    if (all_bank(a) || all_bank(b)) return true;
    return flat(a) == flat(b);
  }

  // Cycles non-decreasing; one row and one column command per cycle; bank state machine.
  void check_order_and_state() {
    const unsigned n = g_.banks();
    std::vector<char> open(n, 0);
    std::vector<std::uint32_t> row(n, 0);
    for (std::size_t i = 0; i < log_.size(); ++i) {
      const command_record& c = log_[i];
      if (i > 0 && c.cycle < log_[i - 1].cycle) fail("log not in cycle order at " + describe(c));
      for (std::size_t j = i; j-- > 0 && log_[j].cycle == c.cycle;)
        if (is_column(log_[j].kind) == is_column(c.kind))
          fail(std::string("two ") + (is_column(c.kind) ? "column" : "row") + " commands in one cycle: " +
               describe(log_[j]) + ", " + describe(c));
      if (all_bank(c)) {
        if (t_.refresh != refresh_mode::all_bank) fail("all-bank REF without all-bank refresh: " + describe(c));
        for (unsigned b = 0; b < n; ++b)
          if (open[b]) fail("all-bank REF with bank " + std::to_string(b) + " open: " + describe(c));
        continue;
      }
      if (c.bank_group < 0 || c.bank < 0 || unsigned(c.bank_group) >= g_.bank_groups ||
          unsigned(c.bank) >= g_.banks_per_group) {
        fail("bad bank in " + describe(c));
        continue;
      }
      const unsigned b = flat(c);
      switch (c.kind) {
        case command_kind::act:
          if (open[b]) fail("ACT to an open bank: " + describe(c));
          open[b] = 1;
          row[b] = c.row;
          break;
        case command_kind::pre:
          if (!open[b]) fail("PRE to a closed bank: " + describe(c));
          open[b] = 0;
          break;
        case command_kind::ref:
          if (t_.refresh != refresh_mode::per_bank) fail("per-bank REF without per-bank refresh: " + describe(c));
          if (open[b]) fail("REF to an open bank: " + describe(c));
          break;
        default:
          if (!open[b]) fail("column command to a closed bank: " + describe(c));
          else if (row[b] != c.row) fail("column command to a row that is not open: " + describe(c));
          break;
      }
    }
  }

  // Every pairwise timing rule, checked for every ordered pair of commands close enough in time.
  void check_pairwise() {
    const timing& T = tt_;
    const cycle_t window = 1 + std::max({T.trc, T.trrd_l, T.trrd_s, T.trcd, T.tras, T.trp, T.trtp, T.wr_to_pre,
                                         T.tccd_l, T.tccd_s, T.upd_busy, T.wr_to_rd_l, T.wr_to_rd_s,
                                         T.cl + T.bl + T.trtw, T.cl + T.bl, T.cwl + T.bl, T.trfc, T.trfc_pb});
    for (std::size_t i = 0; i < log_.size(); ++i) {
      const command_record& c = log_[i];  // the later command
      for (std::size_t j = i; j-- > 0;) {
        const command_record& p = log_[j];  // the earlier command
        const cycle_t d = cycle_t(c.cycle) - cycle_t(p.cycle);
        if (d >= window) break;
        auto need = [&](bool applies, cycle_t min_gap, const char* rule) {
          if (applies && d < min_gap)
            fail(std::string(rule) + ": " + describe(p) + " -> " + describe(c) + " is " + std::to_string(d) +
                 " cycles, needs " + std::to_string(min_gap));
        };
        const bool pk_act = p.kind == command_kind::act, ck_act = c.kind == command_kind::act;
        const bool bank = same_bank(p, c);
        const bool pcol = is_column(p.kind), ccol = is_column(c.kind);
        const bool pwr = p.kind == command_kind::wr || p.kind == command_kind::upd;
        const bool cwr = c.kind == command_kind::wr || c.kind == command_kind::upd;
        const bool same_bg = !all_bank(p) && !all_bank(c) && p.bank_group == c.bank_group;
        // Row -> row, same bank.
        need(pk_act && ck_act && bank, T.trc, "tRC (ACT->ACT same bank)");
        need(pk_act && ck_act && !bank && same_bg, T.trrd_l, "tRRD_L (ACT->ACT same bank group)");
        need(pk_act && ck_act && !same_bg, T.trrd_s, "tRRD_S (ACT->ACT other bank group)");
        need(pk_act && c.kind == command_kind::pre && bank, T.tras, "tRAS (ACT->PRE)");
        need(pk_act && c.kind == command_kind::ref && bank, T.trc, "tRC (ACT->REF)");
        need(p.kind == command_kind::pre && ck_act && bank, T.trp, "tRP (PRE->ACT)");
        need(p.kind == command_kind::pre && c.kind == command_kind::ref && bank, T.trp, "tRP (PRE->REF)");
        if (p.kind == command_kind::ref && (ck_act || c.kind == command_kind::ref || ccol) && bank) {
          const cycle_t rfc = all_bank(p) ? T.trfc : T.trfc_pb;
          need(true, rfc, all_bank(p) ? "tRFC (REF->next command)" : "tRFCpb (REF->next command)");
        }
        // Row <-> column, same bank.
        need(pk_act && ccol && bank, T.trcd, "tRCD (ACT->column)");
        need(p.kind == command_kind::rd && c.kind == command_kind::pre && bank, T.trtp, "tRTP (RD->PRE)");
        need(pwr && c.kind == command_kind::pre && bank, T.wr_to_pre, "write recovery (WR/UPD->PRE = CWL+BL+tWR)");
        need(pwr && c.kind == command_kind::ref && bank, T.wr_to_pre + T.trp, "write recovery before REF");
        // Column -> column.
        if (pcol && ccol) {
          need(same_bg, T.tccd_l, "tCCD_L (column->column same bank group)");
          need(!same_bg, T.tccd_s, "tCCD_S (column->column other bank group)");
          need(p.kind == command_kind::upd && same_bg, T.upd_busy, "UPD bank-group occupancy (2*tCCD_L+nmc)");
          need(pwr && c.kind == command_kind::rd && same_bg, T.wr_to_rd_l, "tWTR_L (WR/UPD->RD = CWL+BL+tWTR_L)");
          need(pwr && c.kind == command_kind::rd && !same_bg, T.wr_to_rd_s, "tWTR_S (WR/UPD->RD = CWL+BL+tWTR_S)");
          if (p.kind == command_kind::rd && cwr) {
            const cycle_t write_data = cycle_t(c.cycle) + T.cwl, read_end = cycle_t(p.cycle) + T.cl + T.bl;
            if (write_data < read_end + T.trtw)
              fail("tRTW (RD->WR/UPD): write data at " + std::to_string(write_data) + " but read data ends at " +
                   std::to_string(read_end) + ": " + describe(p) + " -> " + describe(c));
          }
          const cycle_t ps = cycle_t(p.cycle) + T.latency(p.kind), cs = cycle_t(c.cycle) + T.latency(c.kind);
          if (ps < cs + T.bl && cs < ps + T.bl)
            fail("data bus overlap: " + describe(p) + " [" + std::to_string(ps) + "," + std::to_string(ps + T.bl) +
                 ") and " + describe(c) + " [" + std::to_string(cs) + "," + std::to_string(cs + T.bl) + ")");
        }
      }
    }
  }

  void check_faw() {
    std::vector<std::uint64_t> acts;
    for (const command_record& c : log_)
      if (c.kind == command_kind::act) acts.push_back(c.cycle);
    for (std::size_t i = 4; i < acts.size(); ++i)
      if (acts[i] - acts[i - 4] < t_.tfaw)
        fail("tFAW: 5 ACTs within " + std::to_string(acts[i] - acts[i - 4] + 1) + " cycles, ending at cycle " +
             std::to_string(acts[i]));
  }

  // Every refresh is issued within a bounded delay after falling due, in order, and none is missing.
  void check_refresh() {
    const timing& T = tt_;
    const unsigned n = g_.banks();
    const cycle_t slack = T.trc + T.wr_to_pre + T.trp + 4 * cycle_t(n) + 16;
    const cycle_t end = cycle_t(r_.cycles);
    auto check_series = [&](const std::vector<cycle_t>& refs, cycle_t first_due, const std::string& who) {
      std::size_t expected = 0;  // dues that must have been served by the end of the run
      for (cycle_t due = first_due; due + slack <= end; due += T.trefi) ++expected;
      if (refs.size() < expected)
        fail(who + ": " + std::to_string(refs.size()) + " REFs, expected at least " + std::to_string(expected));
      for (std::size_t k = 0; k < refs.size(); ++k) {
        const cycle_t due = first_due + cycle_t(k) * T.trefi;
        if (refs[k] < due || refs[k] > due + slack)
          fail(who + ": REF #" + std::to_string(k) + " at " + std::to_string(refs[k]) + ", due at " +
               std::to_string(due) + " (allowed delay " + std::to_string(slack) + ")");
      }
    };
    if (t_.refresh == refresh_mode::per_bank) {
      std::vector<std::vector<cycle_t>> refs(n);
      for (const command_record& c : log_)
        if (c.kind == command_kind::ref && !all_bank(c)) refs[flat(c)].push_back(cycle_t(c.cycle));
      for (unsigned b = 0; b < n; ++b)
        check_series(refs[b], cycle_t(b) * T.trefi / n, "per-bank refresh of bank " + std::to_string(b));
    } else if (t_.refresh == refresh_mode::all_bank) {
      std::vector<cycle_t> refs;
      for (const command_record& c : log_)
        if (all_bank(c)) refs.push_back(cycle_t(c.cycle));
      check_series(refs, T.trefi, "all-bank refresh");
    } else {
      for (const command_record& c : log_)
        if (c.kind == command_kind::ref) fail("REF with refresh off: " + describe(c));
    }
  }

  // Column commands vs the accesses; completion; initiator limits; queue capacity; totals.
  void check_bursts_and_initiators() {
    const timing& T = tt_;
    std::uint64_t bytes = 0, hits = 0, misses = 0, acts = 0, pres = 0, refs = 0;
    std::uint64_t nrd = 0, nwr = 0, nupd = 0;
    // Column command per burst, per access: data end and last column cycle.
    std::vector<std::vector<std::vector<int>>> seen(streams_.size());
    std::vector<std::vector<cycle_t>> data_end(streams_.size()), last_col(streams_.size());
    for (std::size_t s = 0; s < streams_.size(); ++s) {
      seen[s].resize(streams_[s].accesses.size());
      data_end[s].assign(streams_[s].accesses.size(), -1);
      last_col[s].assign(streams_[s].accesses.size(), -1);
      for (std::size_t a = 0; a < streams_[s].accesses.size(); ++a) {
        seen[s][a].assign(streams_[s].accesses[a].bytes / g_.burst_bytes, 0);
        bytes += streams_[s].accesses[a].bytes;
      }
    }
    std::vector<char> served(g_.banks(), 1);
    for (const command_record& c : log_) {
      if (c.kind == command_kind::act) {
        ++acts;
        served[flat(c)] = 0;
        continue;
      }
      if (c.kind == command_kind::pre) ++pres;
      if (c.kind == command_kind::ref) ++refs;
      if (!is_column(c.kind)) continue;
      if (served[flat(c)]) {
        ++hits;
      } else {
        ++misses;
        served[flat(c)] = 1;
      }
      nrd += c.kind == command_kind::rd;
      nwr += c.kind == command_kind::wr;
      nupd += c.kind == command_kind::upd;
      if (c.stream < 0 || std::size_t(c.stream) >= streams_.size() || c.access < 0 ||
          std::size_t(c.access) >= streams_[std::size_t(c.stream)].accesses.size()) {
        fail("column command for an unknown access: " + describe(c));
        continue;
      }
      const std::size_t s = std::size_t(c.stream), a = std::size_t(c.access);
      const access& acc = streams_[s].accesses[a];
      if (c.burst >= seen[s][a].size()) {
        fail("column command for a burst beyond its access: " + describe(c));
        continue;
      }
      ++seen[s][a][c.burst];
      const command_kind want = acc.op == mem_op::read ? command_kind::rd
                                : acc.op == mem_op::write ? command_kind::wr
                                                          : command_kind::upd;
      if (c.kind != want) fail("column command of the wrong kind: " + describe(c));
      const dram_location loc = decode_pc_address(g_, acc.pc_addr + std::uint64_t(c.burst) * g_.burst_bytes);
      if (unsigned(c.bank_group) != loc.bank_group || unsigned(c.bank) != loc.bank || c.row != loc.row ||
          c.column != loc.column)
        fail("column command at the wrong location: " + describe(c));
      if (s < r_.admission.size() && a < r_.admission[s].size() && c.cycle < r_.admission[s][a])
        fail("column command before its access was admitted: " + describe(c));
      data_end[s][a] = std::max(data_end[s][a], cycle_t(c.cycle) + T.latency(c.kind) + T.bl);
      last_col[s][a] = std::max(last_col[s][a], cycle_t(c.cycle));
    }
    auto totals = [&](const char* what, std::uint64_t got, std::uint64_t want) {
      if (got != want)
        fail(std::string("result.") + what + " = " + std::to_string(got) + ", the log says " + std::to_string(want));
    };
    totals("bytes", r_.bytes, bytes);
    totals("row_hits", r_.row_hits, hits);
    totals("row_misses", r_.row_misses, misses);
    totals("activates", r_.activates, acts);
    totals("precharges", r_.precharges, pres);
    totals("refreshes", r_.refreshes, refs);
    totals("read_bursts", r_.read_bursts, nrd);
    totals("write_bursts", r_.write_bursts, nwr);
    totals("update_bursts", r_.update_bursts, nupd);

    if (r_.completion.size() != streams_.size() || r_.admission.size() != streams_.size()) {
      fail("result.completion / result.admission do not have one row per stream");
      return;
    }
    cycle_t last_done = 0;
    std::vector<std::pair<cycle_t, int>> queue_events;  // (cycle, +1 admit / -1 leave after last column)
    double held_cycles = 0;
    for (std::size_t s = 0; s < streams_.size(); ++s) {
      const stream& st = streams_[s];
      if (r_.completion[s].size() != st.accesses.size() || r_.admission[s].size() != st.accesses.size()) {
        fail("stream " + std::to_string(s) + ": wrong number of completion / admission entries");
        continue;
      }
      for (std::size_t a = 0; a < st.accesses.size(); ++a) {
        const std::string who = "stream " + std::to_string(s) + " access " + std::to_string(a);
        for (std::size_t k = 0; k < seen[s][a].size(); ++k)
          if (seen[s][a][k] != 1)
            fail(who + " burst " + std::to_string(k) + ": " + std::to_string(seen[s][a][k]) + " column commands");
        const cycle_t adm = cycle_t(r_.admission[s][a]), done = cycle_t(r_.completion[s][a]);
        if (done != data_end[s][a])
          fail(who + ": completion " + std::to_string(done) + ", but its last data leaves the bus at " +
               std::to_string(data_end[s][a]));
        last_done = std::max(last_done, done);
        // Initiator rules: start, order and interval, outstanding limit.
        if (adm < cycle_t(st.start_cycle)) fail(who + ": admitted before start_cycle");
        if (a > 0 && adm < cycle_t(r_.admission[s][a - 1]) + cycle_t(std::max(1u, st.issue_interval)))
          fail(who + ": admitted " + std::to_string(adm - cycle_t(r_.admission[s][a - 1])) +
               " cycles after the previous access (interval " + std::to_string(st.issue_interval) + ")");
        unsigned outstanding = 0;  // earlier accesses not complete at this admission
        for (std::size_t p = 0; p < a; ++p)
          if (cycle_t(r_.completion[s][p]) > adm) ++outstanding;
        if (outstanding >= st.max_outstanding)
          fail(who + ": admitted with " + std::to_string(outstanding) + " accesses outstanding");
        if (last_col[s][a] >= 0) {
          queue_events.push_back({adm, +1});
          queue_events.push_back({last_col[s][a] + 1, -1});
          held_cycles += double(last_col[s][a] + 1 - adm);
        }
      }
    }
    if (cycle_t(r_.cycles) != last_done)
      fail("result.cycles = " + std::to_string(r_.cycles) + ", last completion at " + std::to_string(last_done));
    std::sort(queue_events.begin(), queue_events.end());  // leaves (-1) before admissions at one cycle
    int held = 0, max_held = 0;
    for (const auto& ev : queue_events) {
      held += ev.second;
      max_held = std::max(max_held, held);
    }
    if (unsigned(max_held) > cap_)
      fail("queue held " + std::to_string(max_held) + " entries, capacity " + std::to_string(cap_));
    if (unsigned(max_held) != r_.max_queue_occupancy)
      fail("result.max_queue_occupancy = " + std::to_string(r_.max_queue_occupancy) + ", the log says " +
           std::to_string(max_held));
    const double mean = r_.cycles ? held_cycles / double(r_.cycles) : 0.0;
    if (std::fabs(mean - r_.mean_queue_occupancy) > 1e-9 * std::max(1.0, mean))
      fail("result.mean_queue_occupancy = " + std::to_string(r_.mean_queue_occupancy) + ", the log says " +
           std::to_string(mean));
  }

  const hbm_geometry& g_;
  const dram_timing& t_;
  const timing tt_;
  const unsigned cap_;
  const std::vector<stream>& streams_;
  const result& r_;
  const std::vector<command_record>& log_;
  std::vector<std::string> out_;
};

}  // namespace

std::vector<std::string> check_run(const hbm_geometry& g, const dram_timing& t, unsigned queue_entries,
                                   const std::vector<stream>& streams, const result& r) {
  return checker(g, t, queue_entries, streams, r).run();
}

}  // namespace t3vp::reference
