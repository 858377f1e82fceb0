#include "models/sm/sm_array.h"

#include <algorithm>
#include <cstring>
#include "models/sm/gemm_math.h"

namespace t3vp {

sm::sm(const sc_core::sc_module_name& name, unsigned index, sm_array& owner)
    : sc_module(name), socket("socket"), index_(index), owner_(owner) {
  SC_HAS_PROCESS(sm);
  SC_THREAD(run);
}

sc_core::sc_time sm::access(tlm::tlm_command cmd, std::uint64_t addr, std::uint8_t* data, std::uint64_t len,
                            sc_core::sc_time at, const producer_id* producer) {
  tlm::tlm_generic_payload* gp = pool_.acquire();
  gp->set_command(cmd);
  gp->set_address(addr);
  gp->set_data_ptr(data);
  gp->set_data_length(static_cast<unsigned>(len));
  gp->set_streaming_width(static_cast<unsigned>(len));
  mem_extension& ext = ext_of(*gp);
  ext.op = cmd == tlm::TLM_READ_COMMAND ? mem_op::read : mem_op::write;
  ext.cls = traffic_class::compute;
  ext.phase = traffic_phase::gemm;
  if (producer) ext.producer = *producer;
  sc_core::sc_time delay = at - sc_core::sc_time_stamp();
  socket->b_transport(*gp, delay);
  if (!gp->is_response_ok()) ++errors_;
  gp->release();
  return sc_core::sc_time_stamp() + delay;
}

sc_core::sc_time sm::load(std::uint64_t addr, std::uint8_t* data, std::uint64_t len, sc_core::sc_time at) {
  const std::uint64_t piece = owner_.cfg_.load_bytes ? owner_.cfg_.load_bytes : len;
  sc_core::sc_time done = at;
  for (std::uint64_t off = 0; off < len; off += piece) {
    done = std::max(done, access(tlm::TLM_READ_COMMAND, addr + off, data + off, std::min(piece, len - off), at, nullptr));
    ++loads_;
  }
  return done;
}

void sm::sync_to(const sc_core::sc_time& t) {
  qk_.set(t - sc_core::sc_time_stamp());
  if (qk_.need_sync()) qk_.sync();
}

void sm::run() {
  for (;;) {
    sc_core::wait(owner_.start_event_);
    qk_.reset();
    sc_core::sc_time now = sc_core::sc_time_stamp();
    std::uint32_t tile;
    while (owner_.next_tile(tile)) {
      sc_core::sc_time tile_end;
      run_tile(owner_.kernel_, tile, now, tile_end);
      owner_.tile_done(tile, tile_end);
      sync_to(now);
    }
  }
}

void sm::run_tile(const gemm_kernel& k, std::uint32_t tile, sc_core::sc_time& now, sc_core::sc_time& tile_end) {
  const std::uint32_t ti = tile / k.tiles_n(), tj = tile % k.tiles_n();
  const std::uint32_t rows = std::min(k.tile_m, k.m - ti * k.tile_m);
  const std::uint32_t cols = std::min(k.tile_n, k.n - tj * k.tile_n);
  const bool exact = k.data == kernel_data::exact;
  const std::uint64_t abytes = k.a_fragment_bytes(), bbytes = k.b_fragment_bytes();
  if (a_buf_.size() < abytes) a_buf_.resize(abytes);
  if (b_buf_.size() < bbytes) b_buf_.resize(bbytes);
  if (exact) acc_.assign(std::size_t(rows) * cols, 0.0f);
  // One k-step of a full tile on the SM's matrix units (edge tiles run padded, as hardware does).
  const double step_ns = 2.0 * k.tile_m * k.tile_n * k.k_step / (owner_.cfg_.flop_per_cycle * owner_.cfg_.clock_ghz);
  const sc_core::sc_time step_time(step_ns, sc_core::SC_NS);

  const sc_core::sc_time begin = now;
  sc_core::sc_time issue = now, compute_end = now;
  for (std::uint32_t s = 0; s < k.k_steps(); ++s) {
    // Keep within a quantum of the other initiators, so that accesses reach shared resources in
    // (nearly) time order.
    sync_to(issue);
    // Double buffering: step s's fragments are requested when step s-1's compute starts.
    const sc_core::sc_time la = load(k.a_fragment(ti, s), a_buf_.data(), abytes, issue);
    const sc_core::sc_time lb = load(k.b_fragment(s, tj), b_buf_.data(), bbytes, issue);
    load_bytes_ += abytes + bbytes;
    const sc_core::sc_time ready = std::max(la, lb);
    const sc_core::sc_time start = std::max(ready, compute_end);
    stall_ns_ += (start - compute_end).to_seconds() * 1e9;
    if (exact) {
      // acc += A_frag[rows x kk] . B_frag[kk x cols], FP32 accumulation in increasing k.
      const std::uint32_t kk = std::min(k.k_step, k.k - s * k.k_step);
      gemm_tile_fp16_accumulate(reinterpret_cast<const std::uint16_t*>(a_buf_.data()), k.k_step,
                                reinterpret_cast<const std::uint16_t*>(b_buf_.data()), k.tile_n, acc_.data(), cols,
                                rows, cols, kk);
    }
    compute_end = start + step_time;
    issue = start;
  }
  busy_ns_ += double(k.k_steps()) * step_ns;

  // Store the output tile row by row (C is row-major), tagged with the producer ids.
  const std::uint64_t row_bytes = std::uint64_t(cols) * 2;
  if (c_buf_.size() < row_bytes) c_buf_.resize(row_bytes);
  const producer_id producer{k.gpu, std::int32_t(tile), 0, std::int32_t(tile)};
  sync_to(compute_end);
  sc_core::sc_time end = compute_end;
  for (std::uint32_t r = 0; r < rows; ++r) {
    const std::uint64_t row = std::uint64_t(ti) * k.tile_m + r;
    auto* out = reinterpret_cast<std::uint16_t*>(c_buf_.data());
    if (exact) round_tile(&acc_[std::size_t(r) * cols], cols, out, cols, 1, cols);
    else if (k.data == kernel_data::synthetic) fill_synthetic_partials(unsigned(k.gpu), row, std::uint64_t(tj) * k.tile_n, 1, cols, out, cols);
    const std::uint64_t addr = k.c + (row * k.ldc + std::uint64_t(tj) * k.tile_n) * 2;
    end = std::max(end, access(tlm::TLM_WRITE_COMMAND, addr, c_buf_.data(), row_bytes, compute_end, &producer));
    ++stores_;
    store_bytes_ += row_bytes;
  }
  ++tiles_;
  (void)begin;
  tile_end = end;     // the tile is complete when its last store has landed
  now = compute_end;  // stores are posted: the SM moves on to its next tile
}

void sm::report_stats(stat_sink& s) const {
  s.add("tiles", double(tiles_), "workgroups", "output tiles (workgroups) executed");
  s.add("loads", double(loads_), "requests", "operand fragment loads issued to the L2");
  s.add("load_bytes", double(load_bytes_), "B", "operand bytes loaded");
  s.add("stores", double(stores_), "requests", "output row-segment stores issued");
  s.add("store_bytes", double(store_bytes_), "B", "output bytes stored");
  s.add("compute_ns", busy_ns_, "ns", "time the matrix units computed (k-steps x step time)");
  s.add("stall_ns", stall_ns_, "ns", "time a k-step waited for its operands after the previous one finished");
  s.add("errors", double(errors_), "requests", "accesses answered with an error response");
}

sm_array::sm_array(const sc_core::sc_module_name& name, const sm_config& cfg) : sc_module(name), cfg_(cfg) {
  for (unsigned i = 0; i < cfg.sms; ++i) sms.push_back(std::make_unique<sm>(("sm" + std::to_string(i)).c_str(), i, *this));
}

void sm_array::launch(const gemm_kernel& k, std::vector<std::uint32_t> order) {
  kernel_ = k;
  order_ = std::move(order);
  next_ = finished_ = 0;
  completed_.clear();
  running_ = true;
  start_ = end_ = sc_core::sc_time_stamp();
  ++kernels_;
  if (order_.empty()) {
    running_ = false;
    done_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  start_event_.notify(sc_core::SC_ZERO_TIME);
}

bool sm_array::next_tile(std::uint32_t& tile) {
  if (next_ >= order_.size()) return false;
  tile = order_[next_++];
  return true;
}

void sm_array::tile_done(std::uint32_t tile, sc_core::sc_time end) {
  completed_.push_back(tile);
  end_ = std::max(end_, end);
  if (++finished_ == order_.size()) {
    running_ = false;
    done_.notify(end_ - sc_core::sc_time_stamp());
  }
}

void sm_array::report_stats(stat_sink& s) const {
  s.add("kernels", double(kernels_), "kernels", "kernels launched");
  s.add("last_kernel_ns", (end_ - start_).to_seconds() * 1e9, "ns", "duration of the last kernel: launch to last store completed");
}

}  // namespace t3vp
