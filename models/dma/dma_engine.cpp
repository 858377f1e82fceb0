#include "models/dma/dma_engine.h"

#include "tlm/global_address.h"
#include "tlm/log.h"
#include "tlm/trace.h"

namespace t3vp {

dma_engine::dma_engine(const sc_core::sc_module_name& name, const dma_config& cfg, unsigned gpu)
    : sc_module(name), socket("socket"), mem_socket("mem_socket"), net_socket("net_socket"), cfg_(cfg), gpu_(gpu) {
  socket.register_b_transport(this, &dma_engine::b_transport);
  socket.register_transport_dbg(this, &dma_engine::transport_dbg);
  auto rw = [&](const char* n, std::uint64_t off, std::uint64_t reset, const char* d) {
    regs_.add({n, off, reset, reg_access::rw, d});
  };
  regs_.add({"ID", 0x000, 0x646d6165, reg_access::ro, "block identifier 'dmae' (0x646d6165)"});
  regs_.add({"STATUS", 0x008, 0, reg_access::ro, "bit 0: a descriptor is queued or in flight"},
            {}, [this] { return std::uint64_t(!idle()); });
  regs_.add({"COMPLETED", 0x010, 0, reg_access::ro, "tile transfers completed since reset"}, {},
            [this] { return completed_; });
  regs_.add({"QUEUE_MAX", 0x018, 0, reg_access::ro, "most ready descriptors queued at once"}, {},
            [this] { return std::uint64_t(queue_max_); });
  rw("C_ADDR", 0x020, 0, "GPU-local address of the tracked output (row-major FP16, dense)");
  rw("M", 0x028, 0, "rows of the output");
  rw("N", 0x030, 0, "columns of the output");
  rw("TILE_M", 0x038, 128, "tile rows (the tracker's tracking unit)");
  rw("TILE_N", 0x040, 128, "tile columns");
  rw("REGIONS", 0x048, 0, "regions in use in the region table (at most 64)");
  regs_.add({"KICK", 0x050, 0, reg_access::wo,
             "write a region index: queue every tile of that region now (a software-started transfer, no tracker)"},
            [this](std::uint64_t v) { kick(v); });
  for (unsigned i = 0; i < dma_max_regions; ++i) {
    const std::string r = "REGION" + std::to_string(i) + "_";
    const std::uint64_t base = 0x100 + 0x20 * i;
    regs_.add({r + "ROW_BEGIN", base, 0, reg_access::rw, "dma_map region: first row"});
    regs_.add({r + "ROW_END", base + 0x08, 0, reg_access::rw, "dma_map region: one past the last row"});
    regs_.add({r + "DST_GPU", base + 0x10, 0, reg_access::rw, "dma_map region: destination GPU of its tiles"});
    regs_.add({r + "ACTION", base + 0x18, 0, reg_access::rw,
               "dma_map region: 0 none, 1 update (read the tile, send it as FP16 updates to DST_GPU, same address)"});
  }
  for (unsigned e = 0; e < cfg_.engines; ++e) {
    engines_.push_back(std::make_unique<engine_state>());
    engines_.back()->index = e;
    sc_core::sc_spawn([this, e] { engine(e); }, ("engine" + std::to_string(e)).c_str());
  }
}

void dma_engine::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) { regs_.access(gp, false); }

unsigned int dma_engine::transport_dbg(tlm::tlm_generic_payload& gp) {
  regs_.access(gp, true);
  return gp.is_response_ok() ? 8 : 0;
}

int dma_engine::region_of(std::uint32_t tile) const {
  const std::uint64_t n = regs_.get("N"), tm = regs_.get("TILE_M"), tn = regs_.get("TILE_N");
  if (!n || !tm || !tn) return -1;
  const std::uint64_t tiles_n = (n + tn - 1) / tn, row = std::uint64_t(tile / tiles_n) * tm;
  const std::uint64_t regions = std::min<std::uint64_t>(regs_.get("REGIONS"), dma_max_regions);
  for (unsigned i = 0; i < regions; ++i) {
    const std::string r = "REGION" + std::to_string(i) + "_";
    if (row >= regs_.get(r + "ROW_BEGIN") && row < regs_.get(r + "ROW_END")) return int(i);
  }
  return -1;
}

bool dma_engine::wants(std::uint32_t tile) const {
  const int r = region_of(tile);
  return r >= 0 && regs_.get("REGION" + std::to_string(r) + "_ACTION") == std::uint64_t(dma_action::update);
}

void dma_engine::kick(std::uint64_t region) {
  const std::uint64_t m = regs_.get("M"), n = regs_.get("N"), tm = regs_.get("TILE_M"), tn = regs_.get("TILE_N");
  if (region >= std::min<std::uint64_t>(regs_.get("REGIONS"), dma_max_regions) || !m || !n || !tm || !tn) return;
  const std::string r = "REGION" + std::to_string(region) + "_";
  const std::uint64_t tiles_n = (n + tn - 1) / tn, tiles_m = (m + tm - 1) / tm;
  for (std::uint64_t tr = 0; tr < tiles_m; ++tr) {
    const std::uint64_t row = tr * tm;
    if (row < regs_.get(r + "ROW_BEGIN") || row >= regs_.get(r + "ROW_END")) continue;
    for (std::uint64_t tc = 0; tc < tiles_n; ++tc) kicked_.push_back(std::uint32_t(tr * tiles_n + tc));
  }
  fill_queue();
}

// Kicked tiles first, then tiles the tracker holds for lack of queue space.
void dma_engine::fill_queue() {
  while (queue_.size() < cfg_.queue_depth && !kicked_.empty()) {
    trigger(kicked_.front(), sc_core::sc_time_stamp());
    kicked_.pop_front();
  }
  std::uint32_t tile;
  sc_core::sc_time ready;
  while (queue_.size() < cfg_.queue_depth && refill_ && refill_(tile, ready)) trigger(tile, ready);
}

bool dma_engine::trigger(std::uint32_t tile, const sc_core::sc_time& ready) {
  if (queue_.size() >= cfg_.queue_depth) {
    ++refused_;
    return false;
  }
  ++triggers_;
  queue_.push_back({tile, ready});
  queue_max_ = std::max(queue_max_, unsigned(queue_.size()));
  queued_.notify(sc_core::SC_ZERO_TIME);
  return true;
}

sc_core::sc_time dma_engine::access(engine_state& es, bool write, std::uint64_t addr, std::uint8_t* data,
                                    std::uint64_t len, const sc_core::sc_time& at, std::uint32_t tile, int dst_gpu) {
  tlm::tlm_generic_payload* gp = es.pool.acquire(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND,
                                                 write ? global_address(unsigned(dst_gpu), addr) : addr, data, len);
  mem_extension& ext = ext_of(*gp);
  ext.op = write ? mem_op::update : mem_op::read;
  ext.dtype = elem_type::fp16;
  ext.cls = traffic_class::comm;
  ext.phase = traffic_phase::reduce_scatter;
  ext.producer = producer_id{std::int32_t(gpu_), std::int32_t(tile), -1, std::int32_t(tile)};
  const sc_core::sc_time done = transport_at(write ? net_socket : mem_socket, *gp, at);
  if (!gp->is_response_ok()) {
    ++errors_;
    T3VP_LOG(log_level::error, this, (write ? "update" : "read") << " of 0x" << std::hex << gp->get_address() << " failed");
  }
  gp->release();
  return done;
}

// One tile: every row read from local HBM at once, then sent as updates (the NIC serializes them).
void dma_engine::transfer(engine_state& es, const descriptor& d) {
  const std::uint64_t c = regs_.get("C_ADDR"), m = regs_.get("M"), n = regs_.get("N");
  const std::uint64_t tm = regs_.get("TILE_M"), tn = regs_.get("TILE_N"), tiles_n = (n + tn - 1) / tn;
  const std::uint64_t r0 = std::uint64_t(d.tile / tiles_n) * tm, c0 = std::uint64_t(d.tile % tiles_n) * tn;
  const std::uint64_t rows = std::min(tm, m - r0), cols = std::min(tn, n - c0), row_bytes = cols * 2;
  const int dst = int(regs_.get("REGION" + std::to_string(region_of(d.tile)) + "_DST_GPU"));
  es.data.resize(rows * row_bytes);
  const sc_core::sc_time start = std::max(sc_core::sc_time_stamp() + es.qk.get_local_time(), d.ready);
  sc_core::sc_time loaded = start;
  for (std::uint64_t r = 0; r < rows; ++r)
    loaded = std::max(loaded, access(es, false, c + ((r0 + r) * n + c0) * 2, es.data.data() + r * row_bytes, row_bytes,
                                     start, d.tile, dst));
  sc_core::sc_time sent = loaded;
  for (std::uint64_t r = 0; r < rows; ++r)
    sent = std::max(sent, access(es, true, c + ((r0 + r) * n + c0) * 2, es.data.data() + r * row_bytes, row_bytes,
                                 loaded, d.tile, dst));
  bytes_read_ += rows * row_bytes;
  bytes_sent_ += rows * row_bytes;
  busy_ns_ += (sent - start).to_seconds() * 1e9;
  if (trace_sink* t = active_trace())
    t->slice(int(gpu_), trace_tid::dma + int(es.index),
             "tile " + std::to_string(d.tile) + " -> gpu" + std::to_string(dst), "dma", start, sent,
             "\"tile\":" + std::to_string(d.tile) + ",\"bytes\":" + std::to_string(rows * row_bytes));
  es.qk.set(sent - sc_core::sc_time_stamp());
}

void dma_engine::engine(unsigned e) {
  engine_state& es = *engines_[e];
  for (;;) {
    while (queue_.empty()) sc_core::wait(queued_);
    const descriptor d = queue_.front();
    queue_.pop_front();
    ++in_flight_;
    fill_queue();
    es.qk.reset();
    transfer(es, d);
    es.qk.sync();
    --in_flight_;
    ++completed_;
  }
}

void dma_engine::report_stats(stat_sink& s) const {
  s.add("triggers", double(triggers_), "descriptors", "tile descriptors the tracker marked ready and the queue took");
  s.add("refused", double(refused_), "descriptors", "ready descriptors refused because the queue was full (retried later)");
  s.add("completed", double(completed_), "transfers", "tile transfers finished (read and sent)");
  s.add("queue_max", double(queue_max_), "descriptors", "most ready descriptors queued at once (sizing: dma.queue_depth)");
  s.add("bytes_read", double(bytes_read_), "B", "tile bytes read from local HBM");
  s.add("bytes_sent", double(bytes_sent_), "B", "tile bytes sent as updates through the NIC");
  s.add("busy_ns", busy_ns_, "ns", "sum over transfers of the time from start to the last row on the wire");
  s.add("errors", double(errors_), "requests", "accesses answered with an error response");
}

}  // namespace t3vp
