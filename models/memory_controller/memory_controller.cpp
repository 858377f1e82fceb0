#include "models/memory_controller/memory_controller.h"

#include <algorithm>
#include "models/hbm/nmc_adder.h"

namespace t3vp {

memory_controller::memory_controller(const sc_core::sc_module_name& name, unsigned index, const mc_config& cfg,
                                     pseudo_channel& pc, sparse_memory* storage)
    : sc_module(name),
      target_socket("target_socket"),
      index_(index),
      cfg_(cfg),
      pc_(pc),
      storage_(storage),
      policy_(make_arbitration_policy(cfg.policy, cfg.mca)) {
  target_socket.register_b_transport(this, &memory_controller::b_transport);
  target_socket.register_transport_dbg(this, &memory_controller::transport_dbg);
  tck_ps_ = sc_core::sc_time(pc.timing().tck_ns, sc_core::SC_NS).value();  // in time-resolution units
  frontend_cycles_ = std::uint64_t(cfg.frontend_latency_ns / pc.timing().tck_ns + 0.5);
  drain_age_cycles_ = std::uint64_t(cfg.write_drain_age_ns / pc.timing().tck_ns + 0.5);
  pc_.set_reorder_window(cfg.reorder_window);
}

bool memory_controller::check(tlm::tlm_generic_payload& gp, const access_info& ai) const {
  const std::uint64_t len = gp.get_data_length();
  if (gp.get_byte_enable_ptr()) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (len == 0 || (storage_ && gp.get_address() + len > storage_->capacity())) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_command() == tlm::TLM_IGNORE_COMMAND || (ai.op == mem_op::read) != gp.is_read() ||
      (ai.op == mem_op::update && (!gp.is_write() || len % element_bytes(ai.dtype) != 0 ||
                                   gp.get_address() % element_bytes(ai.dtype) != 0))) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  return true;
}

void memory_controller::release_until(std::uint64_t cycle) {
  for (auto& q : queue_)
    while (!q.empty() && q.top() <= cycle) q.pop();
}

unsigned memory_controller::occupancy(std::uint64_t cycle, traffic_class cls) const {
  // Entries still held at `cycle` (the heaps hold only entries not yet released at the last arrival).
  const auto& q = queue_[static_cast<int>(cls)];
  if (q.empty() || q.top() > cycle) return unsigned(q.size());
  auto copy = q;
  while (!copy.empty() && copy.top() <= cycle) copy.pop();
  return unsigned(copy.size());
}

std::uint64_t memory_controller::drains_below(std::uint64_t cycle, traffic_class cls, unsigned n) const {
  const min_heap& q = queue_[static_cast<int>(cls)];
  if (q.size() < n) return cycle;
  // Entries leave at their release cycles: fewer than n remain after the (size - n + 1)-th smallest.
  std::vector<std::uint64_t> t;
  t.reserve(q.size());
  for (auto copy = q; !copy.empty(); copy.pop()) t.push_back(copy.top());
  return std::max(cycle, t[q.size() - n]);
}

void memory_controller::account(const mc_request& r, const access_timing& at) {
  queue_[static_cast<int>(r.cls)].push(at.last_column);
  occupancy_area_ += at.last_column - r.arrival + 1;
  latency_sum_ += at.done - r.arrival;
  last_done_ = std::max(last_done_, at.done);
}

void memory_controller::drain(std::uint64_t now, std::size_t n) {
  // The batch goes to DRAM together from `now`, so the bus turns around once for all of it; writes to
  // the same bank and row go one after another (row hits first, as the controller drains its write
  // queue), each group in the order its first write arrived.
  n = std::min(n, waiting_.size());
  if (n == 0) return;
  ++write_drains_;
  drain_order_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const dram_location loc = decode_pc_address(pc_.geometry(), waiting_[i].first);
    drain_order_.push_back({(std::uint64_t(loc.bank_group) << 56) | (std::uint64_t(loc.bank) << 48) | loc.row, i});
  }
  for (std::size_t i = 0; i < n; ++i) {
    const drain_slot head = drain_order_[i];
    for (std::size_t j = i + 1; j < n; ++j) {  // pull this row's later writes up behind it
      if (drain_order_[j].row_key != head.row_key) continue;
      const drain_slot hit = drain_order_[j];
      std::move_backward(drain_order_.begin() + std::ptrdiff_t(i + 1), drain_order_.begin() + std::ptrdiff_t(j),
                         drain_order_.begin() + std::ptrdiff_t(j + 1));
      drain_order_[++i] = hit;
    }
  }
  for (const drain_slot& d : drain_order_) {
    const waiting_write& w = waiting_[d.index];
    account(w.req, pc_.schedule(mem_op::write, w.first, w.span, std::max(w.start, now), false));
  }
  waiting_.erase(waiting_.begin(), waiting_.begin() + std::ptrdiff_t(n));
}

void memory_controller::drain_writes() {
  if (waiting_.empty()) return;
  drain(drain_age_cycles_ ? waiting_.front().req.arrival + drain_age_cycles_ : last_arrival_, waiting_.size());
}

void memory_controller::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const access_info ai = describe(gp);
  if (!check(gp, ai)) {
    ++errors_;
    return;
  }
  const std::uint64_t addr = gp.get_address();
  const std::uint64_t len = gp.get_data_length();

  // Arrival in memory-clock cycles (rounded up), after the controller's front end.
  const std::uint64_t now = (sc_core::sc_time_stamp() + delay).value();
  std::uint64_t arrival = (now + tck_ps_ - 1) / tck_ps_ + frontend_cycles_;

  // Waiting writes whose first reached the age limit went to DRAM then, before this request arrived
  // (a sparse write stream would otherwise wait for the high watermark and then hold the bus for a
  // whole batch at once): placed first, they no longer hold waiting entries.
  release_until(arrival);
  if (drain_age_cycles_ && !waiting_.empty() && waiting_.front().req.arrival + drain_age_cycles_ <= arrival) {
    drain(waiting_.front().req.arrival + drain_age_cycles_, waiting_.size());
    release_until(arrival);
  }
  // A full queue holds the request back until the oldest entry leaves.
  last_arrival_ = std::max(last_arrival_, arrival);
  unsigned held = unsigned(queue_[0].size() + queue_[1].size() + waiting_.size());
  if (held >= cfg_.queue_entries) {
    ++queue_full_stalls_;
    if (queue_[0].empty() && queue_[1].empty()) drain(arrival, waiting_.size());  // only waiting writes hold it
    auto& q = queue_[0].empty() || (!queue_[1].empty() && queue_[1].top() < queue_[0].top()) ? queue_[1] : queue_[0];
    arrival = q.top();
    q.pop();
    release_until(arrival);
    held = unsigned(queue_[0].size() + queue_[1].size() + waiting_.size());
  }
  const mc_request req{ai.op, ai.cls, arrival, len};
  const std::uint64_t start = std::max(arrival, policy_->admit(req, *this));
  policy_wait_ += start - arrival;
  policy_held_ += start > arrival ? 1 : 0;

  // Timing covers whole bursts; partial bursts are masked writes / discarded read data.
  const hbm_address ha = map_address(pc_.geometry(), addr);
  const std::uint64_t bb = pc_.geometry().burst_bytes;
  const std::uint64_t first = ha.pc_addr & ~(bb - 1);
  const std::uint64_t span = ((ha.pc_addr + len + bb - 1) & ~(bb - 1)) - first;
  std::uint64_t done = arrival;  // a posted write is acknowledged when queued
  if (ai.op == mem_op::write && cfg_.write_drain_high > 0 && policy_->first_ready()) {
    waiting_.push_back({req, start, first, span});
    if (waiting_.size() >= cfg_.write_drain_high) drain(arrival, waiting_.size() - cfg_.write_drain_low);
  } else {
    const access_timing at = pc_.schedule(ai.op, first, span, start, !policy_->first_ready());
    account(req, at);
    done = at.done;
  }
  if (ai.op == mem_op::update) {  // sizing: near-memory updates each bank's adder performs
    const dram_location loc = decode_pc_address(pc_.geometry(), first);
    const std::size_t bank = std::size_t(loc.bank_group) * pc_.geometry().banks_per_group + loc.bank;
    if (updates_per_bank_.size() <= bank) updates_per_bank_.resize(pc_.geometry().banks(), 0);
    ++updates_per_bank_[bank];
  }

  occupancy_max_ = std::max(occupancy_max_, held + 1);
  ++count_[static_cast<int>(ai.op)];
  bytes_by_class_[static_cast<int>(ai.cls)] += len;
  bytes_by_phase_[static_cast<int>(ai.phase)][static_cast<int>(ai.op)] += len;

  if (storage_) {
    std::uint8_t* data = gp.get_data_ptr();
    switch (ai.op) {
      case mem_op::read:
        if (!ai.timing_only) storage_->read(addr, data, len);
        break;
      case mem_op::write:
        if (!ai.timing_only) storage_->write(addr, data, len);
        break;
      case mem_op::update:  // the near-bank adder: atomic read-add-write
        storage_->for_each_piece(addr, len, true, [&](std::uint8_t* p, std::uint64_t off, std::uint64_t n) {
          nmc_add(ai.dtype, p, data + off, n);
        });
        break;
    }
  }
  if (observer_ && ai.op != mem_op::read) observer_->on_queued(index_, gp, done);

  const std::uint64_t done_units = done * tck_ps_;
  delay = sc_core::sc_time::from_value(done_units) - sc_core::sc_time_stamp();
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int memory_controller::transport_dbg(tlm::tlm_generic_payload& gp) {
  const std::uint64_t len = gp.get_data_length();
  if (storage_ && gp.get_address() + len > storage_->capacity()) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return 0;
  }
  if (!storage_) {
    if (gp.is_read()) std::fill_n(gp.get_data_ptr(), len, 0);
  } else if (gp.is_read()) {
    storage_->read(gp.get_address(), gp.get_data_ptr(), len);
  } else if (gp.is_write()) {
    storage_->write(gp.get_address(), gp.get_data_ptr(), len);
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned int>(len);
}

void memory_controller::report_stats(stat_sink& s) const {
  const double tck = pc_.timing().tck_ns;
  const std::uint64_t n = count_[0] + count_[1] + count_[2];
  s.add("reads", double(count_[0]), "requests", "read requests served");
  s.add("writes", double(count_[1]), "requests", "write requests served (including L2 write-backs)");
  s.add("updates", double(count_[2]), "requests", "near-memory update requests served");
  s.add("bytes.compute", double(bytes_by_class_[0]), "B", "bytes requested by compute-class traffic");
  s.add("bytes.comm", double(bytes_by_class_[1]), "B", "bytes requested by communication-class traffic");
  s.add("queue.mean", last_done_ ? double(occupancy_area_) / double(last_done_) : 0.0, "requests",
        "time-weighted mean queue occupancy over [0, last completion]: sum of entry residencies / that time");
  s.add("queue.max", double(occupancy_max_), "requests", "largest number of entries held at once");
  s.add("queue.full_stalls", double(queue_full_stalls_), "requests", "requests that found the queue full on arrival");
  s.add("latency.mean_ns", n ? double(latency_sum_) / double(n) * tck : 0.0, "ns",
        "mean time from queue entry to last data, over all requests");
  s.add("policy_wait_ns", double(policy_wait_) * tck, "ns", "total time requests were held back by the arbitration policy");
  s.add("policy_held", double(policy_held_), "requests", "requests the arbitration policy held back past their arrival");
  s.add("write_drains", double(write_drains_), "batches",
        "times waiting posted writes were placed together (mc.write_drain_high writes waited, the first reached "
        "mc.write_drain_age_ns, a full queue held only waiting writes, or the run ended)");
  s.add("errors", double(errors_), "requests", "requests answered with an error response");
}

}  // namespace t3vp
