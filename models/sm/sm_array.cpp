#include "models/sm/sm_array.h"

#include <algorithm>
#include "tlm/trace.h"

#include <algorithm>
#include <cstring>
#include "models/sm/gemm_math.h"
#include "tlm/global_address.h"

namespace t3vp {

sm::sm(const sc_core::sc_module_name& name, unsigned index, sm_array& owner)
    : sc_module(name), socket("socket"), net_socket("net_socket"), index_(index), owner_(owner) {
  SC_HAS_PROCESS(sm);
  SC_THREAD(run);
}

sc_core::sc_time sm::access(tlm::tlm_command cmd, std::uint64_t addr, std::uint8_t* data, std::uint64_t len,
                            sc_core::sc_time at, const producer_id* producer, bool update, int remote_gpu) {
  tlm::tlm_generic_payload* gp =
      pool_.acquire(cmd, remote_gpu >= 0 ? global_address(unsigned(remote_gpu), addr) : addr, data, len);
  mem_extension& ext = ext_of(*gp);
  ext.op = cmd == tlm::TLM_READ_COMMAND ? mem_op::read : update ? mem_op::update : mem_op::write;
  ext.dtype = elem_type::fp16;
  ext.cls = traffic_class::compute;
  // A remote store is the first hop of the reduce-scatter (T3 stage 1): counted as communication there.
  ext.phase = remote_gpu >= 0 ? traffic_phase::reduce_scatter : traffic_phase::gemm;
  if (producer) ext.producer = *producer;
  // Operands only carry data when the kernel computes on it.
  ext.timing_only = cmd == tlm::TLM_READ_COMMAND && owner_.kernel_.data != kernel_data::exact;
  const sc_core::sc_time done = transport_at(remote_gpu >= 0 ? net_socket : socket, *gp, at);
  if (!gp->is_response_ok()) ++errors_;
  gp->release();
  return done;
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
    const gemm_kernel& k = owner_.kernel_;
    const double step_ns = 2.0 * k.tile_m * k.tile_n * k.k_step / (owner_.cfg_.flop_per_cycle * owner_.cfg_.clock_ghz);
    const sc_core::sc_time step_time(step_ns, sc_core::SC_NS);
    slots_.resize(std::max(1u, owner_.cfg_.workgroups_per_sm));
    const sc_core::sc_time begin = sc_core::sc_time_stamp();
    for (auto& w : slots_) start_tile(k, w, begin);
    // The matrix units run one k-step at a time: always the resident workgroup whose operands are
    // ready first. Its next step's operands are requested as its compute starts (double buffering).
    sc_core::sc_time unit_free = begin;
    for (;;) {
      workgroup_slot* next = nullptr;
      for (auto& w : slots_)
        if (w.active && (!next || w.ready < next->ready)) next = &w;
      if (!next) break;
      workgroup_slot& w = *next;
      const sc_core::sc_time start = std::max(w.ready, unit_free);
      stall_ns_ += (start - unit_free).to_seconds() * 1e9;
      sync_to(start);
      sc_core::sc_time next_ready = start;
      if (w.step + 1 < k.k_steps()) {
        issue_loads(k, w, w.step + 1, start);
        next_ready = w.ready;
      }
      if (k.data == kernel_data::exact) {
        // acc += A_frag[rows x kk] . B_frag[kk x cols], FP32 accumulation in increasing k.
        const std::uint32_t kk = std::min(k.k_step, k.k - w.step * k.k_step);
        gemm_tile_fp16_accumulate(reinterpret_cast<const std::uint16_t*>(w.a[w.step & 1].data()), k.k_step,
                                  reinterpret_cast<const std::uint16_t*>(w.b[w.step & 1].data()), k.tile_n,
                                  w.acc.data(), w.cols, w.rows, w.cols, kk);
      }
      unit_free = start + step_time;
      busy_ns_ += step_ns;
      w.ready = next_ready;
      if (++w.step < k.k_steps()) continue;
      sync_to(unit_free);
      const sc_core::sc_time tile_end = store_tile(k, w, unit_free);
      ++tiles_;
      owner_.tile_done(w.tile, tile_end);
      // Stores are posted: the slot takes its next tile when its last compute ends.
      start_tile(k, w, unit_free);
    }
    sync_to(unit_free);
  }
}

bool sm::start_tile(const gemm_kernel& k, workgroup_slot& w, sc_core::sc_time at) {
  w.active = owner_.next_tile(w.tile);
  if (!w.active) return false;
  w.ti = w.tile / k.tiles_n();
  w.tj = w.tile % k.tiles_n();
  w.rows = std::min(k.tile_m, k.m - w.ti * k.tile_m);
  w.cols = std::min(k.tile_n, k.n - w.tj * k.tile_n);
  w.step = 0;
  for (auto* buf : {&w.a[0], &w.a[1]})
    if (buf->size() < k.a_fragment_bytes()) buf->resize(k.a_fragment_bytes());
  for (auto* buf : {&w.b[0], &w.b[1]})
    if (buf->size() < k.b_fragment_bytes()) buf->resize(k.b_fragment_bytes());
  if (k.data == kernel_data::exact) w.acc.assign(std::size_t(w.rows) * w.cols, 0.0f);
  sync_to(at);
  issue_loads(k, w, 0, at);
  return true;
}

void sm::issue_loads(const gemm_kernel& k, workgroup_slot& w, std::uint32_t step, sc_core::sc_time at) {
  const sc_core::sc_time la = load(k.a_fragment(w.ti, step), w.a[step & 1].data(), k.a_fragment_bytes(), at);
  const sc_core::sc_time lb = load(k.b_fragment(step, w.tj), w.b[step & 1].data(), k.b_fragment_bytes(), at);
  load_bytes_ += k.a_fragment_bytes() + k.b_fragment_bytes();
  w.ready = std::max(la, lb);
}

// The output tile is stored row by row (C is row-major), tagged with the producer ids.
sc_core::sc_time sm::store_tile(const gemm_kernel& k, workgroup_slot& w, sc_core::sc_time at) {
  const std::uint64_t row_bytes = std::uint64_t(w.cols) * 2;
  if (c_buf_.size() < row_bytes) c_buf_.resize(row_bytes);
  const producer_id producer{k.gpu, std::int32_t(w.tile), 0, std::int32_t(w.tile)};
  const std::uint64_t first_row = std::uint64_t(w.ti) * k.tile_m;
  const int remote = k.remote_gpu >= 0 && first_row >= k.remote_row_begin && first_row < k.remote_row_end ? k.remote_gpu : -1;
  sc_core::sc_time end = at;
  auto* out = reinterpret_cast<std::uint16_t*>(c_buf_.data());
  for (std::uint32_t r = 0; r < w.rows; ++r) {
    const std::uint64_t row = std::uint64_t(w.ti) * k.tile_m + r;
    if (k.data == kernel_data::exact)
      round_tile(&w.acc[std::size_t(r) * w.cols], w.cols, out, w.cols, 1, w.cols);
    else if (k.data == kernel_data::synthetic)
      fill_synthetic_partials(unsigned(k.gpu), row, std::uint64_t(w.tj) * k.tile_n, 1, w.cols, out, w.cols);
    const std::uint64_t addr = k.c + (row * k.ldc + std::uint64_t(w.tj) * k.tile_n) * 2;
    end = std::max(end, access(tlm::TLM_WRITE_COMMAND, addr, c_buf_.data(), row_bytes, at, &producer, k.store_update,
                               remote));
    ++stores_;
    store_bytes_ += row_bytes;
  }
  return end;
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

void sm_array::launch(const gemm_kernel& k, std::vector<std::uint32_t> order, unsigned chunks) {
  kernel_ = k;
  chunks_ = std::max(1u, chunks);
  chunk_span_.assign(active_trace() ? chunks_ : 0, time_span{});
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
  if (!chunk_span_.empty()) {
    const std::uint64_t rows_per_chunk = (kernel_.m + chunks_ - 1) / chunks_;
    const std::size_t c = std::min<std::size_t>(chunks_ - 1, std::uint64_t(tile / kernel_.tiles_n()) * kernel_.tile_m / rows_per_chunk);
    chunk_span_[c].extend(end, end);
  }
  if (++finished_ == order_.size()) {
    running_ = false;
    // Kernel end is a release: dirty output lines are written back, so that other agents (the
    // collectives, other GPUs) find the result in memory.
    if (on_kernel_end_) end_ = on_kernel_end_(end_);
    if (!chunk_span_.empty()) trace_stages();
    done_.notify(end_ - sc_core::sc_time_stamp());
  }
}

// GEMM stages: each chunk from its first to its last completed tile, in the order they began; a
// slice starts no earlier than the previous one ends, so that the track nests.
void sm_array::trace_stages() const {
  trace_sink* t = active_trace();
  std::vector<std::size_t> order;
  for (std::size_t c = 0; c < chunk_span_.size(); ++c)
    if (!chunk_span_[c].empty()) order.push_back(c);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return chunk_span_[a].first < chunk_span_[b].first; });
  sc_core::sc_time prev = start_;
  for (std::size_t s = 0; s < order.size(); ++s) {
    const auto& span = chunk_span_[order[s]];
    const sc_core::sc_time b = std::max(span.first, prev);
    t->slice(kernel_.gpu, trace_tid::gemm_stages, "stage " + std::to_string(s + 1) + ": chunk " + std::to_string(order[s]),
             "gemm", b, span.last, "\"chunk\":" + std::to_string(order[s]));
    prev = std::max(prev, span.last);
  }
}

void sm_array::report_stats(stat_sink& s) const {
  s.add("kernels", double(kernels_), "kernels", "kernels launched");
  s.add("last_kernel_ns", (end_ - start_).to_seconds() * 1e9, "ns", "duration of the last kernel: launch to last store completed and the L2 written back");
}

}  // namespace t3vp
