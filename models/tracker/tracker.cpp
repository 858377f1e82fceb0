#include "models/tracker/tracker.h"

#include <algorithm>
#include <vector>
#include "tlm/trace.h"
#include "tlm/log.h"

namespace t3vp {

namespace {
constexpr std::uint64_t irq_final = 1;
}

tracker::tracker(const sc_core::sc_module_name& name, const tracker_config& cfg, dma_engine& dma)
    : sc_module(name), socket("socket"), irq("irq"), cfg_(cfg), dma_(dma) {
  socket.register_b_transport(this, &tracker::b_transport);
  socket.register_transport_dbg(this, &tracker::transport_dbg);
  auto rw = [&](const char* n, std::uint64_t off, std::uint64_t reset, const char* d) {
    regs_.add({n, off, reset, reg_access::rw, d});
  };
  regs_.add({"ID", 0x000, 0x74726b72, reg_access::ro, "block identifier 'trkr' (0x74726b72)"});
  regs_.add({"CTRL", 0x008, 0, reg_access::rw,
             "bit 0 enable: writing 1 clears the table and starts tracking with the programmed geometry; 0 stops"},
            [this](std::uint64_t) { on_enable(); });
  regs_.add({"STATUS", 0x010, 0, reg_access::ro, "bit 0: every tile of the final region has all its contributions"});
  regs_.add({"IRQ_STATUS", 0x018, 0, reg_access::w1c, "bit 0 final region complete; write 1 to clear"},
            [this](std::uint64_t) { update_irq(); });
  regs_.add({"IRQ_ENABLE", 0x020, 0, reg_access::rw, "interrupt enables, same bits as IRQ_STATUS"},
            [this](std::uint64_t) { update_irq(); });
  rw("C_ADDR", 0x028, 0, "GPU-local address of the tracked output (row-major FP16, dense)");
  rw("M", 0x030, 0, "rows of the output");
  rw("N", 0x038, 0, "columns of the output");
  rw("TILE_M", 0x040, 128, "rows of a tracked tile (the GEMM's workgroup tile)");
  rw("TILE_N", 0x048, 128, "columns of a tracked tile");
  rw("THRESHOLD", 0x050, 2, "contributions that complete a tile (each a whole tile of updates: local GEMM, remote)");
  rw("FINAL_ROW_BEGIN", 0x058, 0, "the region this GPU owns (tiles by first row): complete tiles are final, not sent");
  rw("FINAL_ROW_END", 0x060, 0, "one past the last row of the final region");
  regs_.add({"OCCUPANCY", 0x068, 0, reg_access::ro, "tiles tracked in the table now"}, {},
            [this] { return std::uint64_t(occupancy()); });
  regs_.add({"OCCUPANCY_MAX", 0x070, 0, reg_access::ro, "most tiles tracked in the table at once"}, {},
            [this] { return std::uint64_t(occupancy_max_); });
  regs_.add({"TRIGGERS", 0x078, 0, reg_access::ro, "tiles completed since enable (DMA triggers and final tiles)"}, {},
            [this] { return triggers_ + finals_; });
  regs_.add({"SPILLS", 0x080, 0, reg_access::ro, "tiles tracked in the spill area because the table was full"}, {},
            [this] { return spills_; });
  regs_.add({"CAPACITY", 0x088, cfg_.entries, reg_access::ro, "table entries (tracker.entries)"});
  regs_.add({"FINAL_TIME_PS", 0x090, 0, reg_access::ro, "simulated time (ps) at which the final region became complete"});
  dma_.set_refill([this](std::uint32_t& tile, sc_core::sc_time& ready) { return refill(tile, ready); });
  SC_HAS_PROCESS(tracker);
  SC_METHOD(raise_final);
  sensitive << final_event_;
  dont_initialize();
}

void tracker::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  if (gp.is_write() && delay > sc_core::SC_ZERO_TIME) {  // enabling is visible to every initiator
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
  regs_.access(gp, false);
}

unsigned int tracker::transport_dbg(tlm::tlm_generic_payload& gp) {
  regs_.access(gp, true);
  return gp.is_response_ok() ? 8 : 0;
}

void tracker::on_enable() {
  enabled_ = regs_.get("CTRL") & 1;
  if (!enabled_) return;
  table_.clear();
  waiting_dma_.clear();
  spilled_now_ = 0;
  c_addr_ = regs_.get("C_ADDR");
  m_ = regs_.get("M");
  n_ = regs_.get("N");
  tm_ = std::max<std::uint64_t>(1, regs_.get("TILE_M"));
  tn_ = std::max<std::uint64_t>(1, regs_.get("TILE_N"));
  tiles_n_ = (n_ + tn_ - 1) / tn_;
  c_end_ = c_addr_ + m_ * n_ * 2;
  threshold_ = regs_.get("THRESHOLD");
  final_begin_ = regs_.get("FINAL_ROW_BEGIN");
  final_end_ = regs_.get("FINAL_ROW_END");
  // Tiles (by first row) of the final region.
  const std::uint64_t first_tr = (final_begin_ + tm_ - 1) / tm_, end_tr = std::min((final_end_ + tm_ - 1) / tm_, (m_ + tm_ - 1) / tm_);
  final_tiles_ = end_tr > first_tr ? (end_tr - first_tr) * tiles_n_ : 0;
  final_done_ = 0;
  final_time_ = sc_core::SC_ZERO_TIME;
  regs_.set("STATUS", 0);
  if (final_tiles_ == 0) final_event_.notify(sc_core::SC_ZERO_TIME);
}

void tracker::on_queued(unsigned, const tlm::tlm_generic_payload& gp, std::uint64_t done_cycle) {
  if (!enabled_) return;
  const mem_extension* e = gp.get_extension<mem_extension>();
  if (!e || e->op != mem_op::update || e->producer.tile < 0) return;
  const std::uint64_t addr = gp.get_address();
  if (addr < c_addr_ || addr >= c_end_) return;
  ++lookups_;
  const std::uint32_t tile = std::uint32_t(e->producer.tile);
  auto it = table_.find(tile);
  if (it == table_.end()) {
    it = table_.emplace(tile, entry{}).first;
    if (occupancy() > cfg_.entries) {  // the table is full: track it in the spill area
      it->second.spilled = true;
      ++spilled_now_;
      ++spills_;
    }
    occupancy_max_ = std::max(occupancy_max_, occupancy());
  }
  occupancy_sum_ += occupancy();
  entry& en = it->second;
  en.bytes += gp.get_data_length();
  en.last = std::max(en.last, sc_core::sc_time(double(done_cycle) * cfg_.tck_ns, sc_core::SC_NS));
  const std::uint64_t tr = tile / tiles_n_, tc = tile % tiles_n_;
  const std::uint64_t rows = std::min(tm_, m_ - tr * tm_), cols = std::min(tn_, n_ - tc * tn_);
  if (en.bytes >= threshold_ * rows * cols * 2) {
    const entry done = en;
    if (done.spilled) --spilled_now_;
    table_.erase(it);
    complete(tile, done);
  }
}

void tracker::complete(std::uint32_t tile, const entry& e) {
  sc_core::sc_time at = e.last + sc_core::sc_time(cfg_.lookup_ns + (e.spilled ? cfg_.spill_penalty_ns : 0.0), sc_core::SC_NS);
  const std::uint64_t row = std::uint64_t(tile / tiles_n_) * tm_;
  if (trace_sink* t = active_trace()) {
    const bool final_tile = row >= final_begin_ && row < final_end_;
    if (final_tile || dma_.wants(tile))
      t->instant(int(dma_.gpu()), trace_tid::tracker, (final_tile ? "final tile " : "trigger tile ") + std::to_string(tile),
                 "tracker", at, "\"tile\":" + std::to_string(tile) + (e.spilled ? ",\"spilled\":true" : ""));
  }
  if (row >= final_begin_ && row < final_end_) {
    ++finals_;
    final_time_ = std::max(final_time_, at);
    if (++final_done_ == final_tiles_)
      final_event_.notify(final_time_ > sc_core::sc_time_stamp() ? final_time_ - sc_core::sc_time_stamp() : sc_core::SC_ZERO_TIME);
    return;
  }
  if (!dma_.wants(tile)) return;
  ++triggers_;
  if (!dma_.trigger(tile, at)) {
    ++dma_stalls_;
    waiting_dma_.push_back({tile, at});
  }
}

bool tracker::refill(std::uint32_t& tile, sc_core::sc_time& ready) {
  if (waiting_dma_.empty()) return false;
  tile = waiting_dma_.front().first;
  ready = std::max(waiting_dma_.front().second, sc_core::sc_time_stamp());
  waiting_dma_.pop_front();
  return true;
}

void tracker::raise_final() {
  regs_.set("STATUS", 1);
  regs_.set("FINAL_TIME_PS", std::uint64_t(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5));
  regs_.set("IRQ_STATUS", regs_.get("IRQ_STATUS") | irq_final);
  update_irq();
}

void tracker::update_irq() { irq.write((regs_.get("IRQ_STATUS") & regs_.get("IRQ_ENABLE")) != 0); }

std::string tracker::state() const {
  std::string s = std::string(name()) + ": " + std::to_string(final_done_) + " of " + std::to_string(final_tiles_) +
                  " final tiles complete, " + std::to_string(table_.size()) + " tiles partly counted, " +
                  std::to_string(waiting_dma_.size()) + " waiting for the DMA queue";
  // The lowest-numbered partly counted tiles, with what they have and need.
  std::vector<std::uint32_t> tiles;
  for (const auto& [tile, en] : table_) tiles.push_back(tile);
  std::sort(tiles.begin(), tiles.end());
  for (std::size_t i = 0; i < tiles.size() && i < 4; ++i) {
    const std::uint64_t tr = tiles[i] / tiles_n_, tc = tiles[i] % tiles_n_;
    const std::uint64_t need = threshold_ * std::min(tm_, m_ - tr * tm_) * std::min(tn_, n_ - tc * tn_) * 2;
    s += (i ? ", " : "; tile ") + std::to_string(tiles[i]) + " has " + std::to_string(table_.at(tiles[i]).bytes) +
         " of " + std::to_string(need) + " B";
  }
  return s;
}

void tracker::report_stats(stat_sink& s) const {
  s.add("lookups", double(lookups_), "requests", "updates to the tracked output looked up in the table");
  s.add("triggers", double(triggers_), "tiles", "tiles completed that marked a DMA descriptor ready");
  s.add("final_tiles", double(finals_), "tiles", "tiles of the final region completed");
  s.add("occupancy_max", double(occupancy_max_), "entries", "most tiles tracked in the table at once (sizing: tracker.entries)");
  s.add("occupancy_mean", lookups_ ? double(occupancy_sum_) / double(lookups_) : 0.0, "entries",
        "table occupancy averaged over lookups");
  s.add("spills", double(spills_), "tiles", "tiles tracked in the spill area because the table was full");
  s.add("dma_stalls", double(dma_stalls_), "tiles", "triggered tiles that waited because the DMA queue was full");
}

}  // namespace t3vp
