#include "models/collective/collective_engine.h"

#include <sstream>
#include "models/hbm/nmc_adder.h"
#include "models/nic/nic.h"
#include "tlm/log.h"
#include "tlm/trace.h"

namespace t3vp {

collective_engine::collective_engine(const sc_core::sc_module_name& name, const collective_config& cfg, unsigned gpu)
    : sc_module(name), mem_socket("mem_socket"), net_socket("net_socket"), cfg_(cfg), gpu_(gpu) {
  // Each SM runs two roles (as warps of one kernel): workers 0..sms-1 forward (steps that send),
  // workers sms..2sms-1 reduce locally (the last reduce-scatter step) as slices land.
  for (unsigned w = 0; w < 2 * cfg_.sms; ++w) {
    workers_.push_back(std::make_unique<worker_state>());  // (slice buffers grow to the slices used)
    sc_core::sc_spawn_options opt;
    sc_core::sc_spawn([this, w] { worker(w); }, ("worker" + std::to_string(w)).c_str(), &opt);
  }
}

void collective_engine::launch(collective_kernel k) {
  if (running_) return;
  kernel_ = std::move(k);
  if (kernel_.sms == 0 || kernel_.sms > cfg_.sms) kernel_.sms = cfg_.sms;
  running_ = true;
  ++kernels_;
  start_ = sc_core::sc_time_stamp();
  workers_end_ = start_;
  active_ = 2 * kernel_.sms;
  steps_sent_.assign(kernel_.program.steps.size(), 0);
  step_span_.assign(active_trace() ? kernel_.program.steps.size() : 0, time_span{});
  start_event_.notify(sc_core::SC_ZERO_TIME);
}

sc_core::sc_time collective_engine::access(worker_state& ws, bool write, bool remote, std::uint64_t addr,
                                           std::uint8_t* data, std::uint64_t len, const sc_core::sc_time& at,
                                           const ring_step* tag, std::uint32_t slice) {
  tlm::tlm_generic_payload* gp = ws.pool.acquire(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND,
                                                 remote ? global_address(kernel_.program.to, addr) : addr, data, len);
  mem_extension& ext = ext_of(*gp);
  ext.op = write ? mem_op::write : mem_op::read;
  ext.cls = traffic_class::comm;
  ext.phase = kernel_.program.op == ring_op::reduce_scatter ? traffic_phase::reduce_scatter : traffic_phase::all_gather;
  ext.timing_only = !kernel_.data;
  if (tag) {  // what the receiver counts arrivals by
    ext.producer.gpu = std::int32_t(gpu_);
    ext.producer.workgroup = std::int32_t(tag->chunk);
    ext.producer.wavefront = std::int32_t(tag->step);
    ext.producer.tile = std::int32_t(slice);
  }
  const sc_core::sc_time done = transport_at(remote ? net_socket : mem_socket, *gp, at);
  if (!gp->is_response_ok()) {
    ++errors_;
    T3VP_LOG(log_level::error, this, (write ? "write" : "read") << " of 0x" << std::hex << gp->get_address() << " failed");
  }
  gp->release();
  return done;
}

sc_core::sc_time collective_engine::wait_incoming(worker_state& ws, std::uint32_t chunk, std::int64_t slice,
                                                 std::uint64_t bytes) {
  arrival& a = inbox_[key(kernel_.program.op, chunk, slice)];
  if (a.bytes < bytes) {
    ws.qk.sync();
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    ws.waiting = true;
    while (a.bytes < bytes) {
      a.expected = bytes;
      sc_core::wait(arrived_);
    }
    ws.waiting = false;
    wait_ns_ += (sc_core::sc_time_stamp() - t0).to_seconds() * 1e9;
  }
  return a.last;
}

void collective_engine::on_delivered(const tlm::tlm_generic_payload& gp, const sc_core::sc_time& done) {
  const mem_extension* e = gp.get_extension<mem_extension>();
  if (!e || e->producer.workgroup < 0) return;
  if (e->phase != traffic_phase::reduce_scatter && e->phase != traffic_phase::all_gather) return;
  const ring_op op = e->phase == traffic_phase::reduce_scatter ? ring_op::reduce_scatter : ring_op::all_gather;
  for (std::int64_t slice : {std::int64_t(-1), std::int64_t(e->producer.tile)}) {
    arrival& a = inbox_[key(op, std::uint32_t(e->producer.workgroup), slice)];
    a.bytes += gp.get_data_length();
    a.last = std::max(a.last, done);
    if (a.expected && a.bytes >= a.expected) arrived_.notify(sc_core::SC_ZERO_TIME);
  }
}

void collective_engine::worker(unsigned w) {
  worker_state& ws = *workers_[w];
  for (;;) {
    sc_core::wait(start_event_);
    const bool forwarder = w < cfg_.sms;
    const unsigned lane = forwarder ? w : w - cfg_.sms;
    if (lane >= kernel_.sms) continue;
    ws.qk.reset();
    const ring_program& prog = kernel_.program;
    const double add_ns_per_elem = 1.0 / (cfg_.add_elems_per_cycle * cfg_.clock_ghz);
    for (std::size_t si = 0; si < prog.steps.size(); ++si) {
      const ring_step& st = prog.steps[si];
      ws.step = st.step;
      if (st.send != forwarder) continue;
      if (st.send && si > 0 && prog.steps[si - 1].send && steps_sent_[si - 1] < kernel_.sms) {
        ws.qk.sync();
        while (steps_sent_[si - 1] < kernel_.sms) sc_core::wait(step_sent_);
      }
      if (st.bytes == 0) {
        if (st.send && ++steps_sent_[si] == kernel_.sms) step_sent_.notify(sc_core::SC_ZERO_TIME);
        continue;
      }
      const auto catch_up = [&](const sc_core::sc_time& landed) {
        if (landed > sc_core::sc_time_stamp() + ws.qk.get_local_time()) ws.qk.set(landed - sc_core::sc_time_stamp());
      };
      if (st.wait_incoming && (st.send || cfg_.final_reduce_whole_chunk))
        catch_up(wait_incoming(ws, st.chunk, -1, st.bytes));
      const std::uint64_t slices = (st.bytes + cfg_.slice_bytes - 1) / cfg_.slice_bytes;
      const sc_core::sc_time step_begin = sc_core::sc_time_stamp() + ws.qk.get_local_time();
      for (std::uint64_t j = lane; j < slices; j += kernel_.sms) {
        const std::uint64_t off = j * cfg_.slice_bytes, len = std::min<std::uint64_t>(cfg_.slice_bytes, st.bytes - off);
        if (st.wait_incoming && !st.send) catch_up(wait_incoming(ws, st.chunk, std::int64_t(j), len));
        if (ws.a.size() < len) {  // a slice can be far larger than a step (collective.slice_bytes up to 16 MiB)
          ws.a.resize(len);
          ws.b.resize(len);
        }
        const sc_core::sc_time t = sc_core::sc_time_stamp() + ws.qk.get_local_time();
        sc_core::sc_time ready = access(ws, false, false, st.src + off, ws.a.data(), len, t, nullptr, 0);
        bytes_read_ += len;
        if (st.add) {
          ready = std::max(ready, access(ws, false, false, st.recv + off, ws.b.data(), len, t, nullptr, 0));
          bytes_read_ += len;
          if (kernel_.data) nmc_add(elem_type::fp16, ws.a.data(), ws.b.data(), len);
          elements_added_ += len / 2;
          ready += sc_core::sc_time(double(len / 2) * add_ns_per_elem, sc_core::SC_NS);
        }
        const sc_core::sc_time sent = access(ws, true, st.send, st.dst + off, ws.a.data(), len, ready, &st, std::uint32_t(j));
        (st.send ? bytes_sent_ : bytes_written_) += len;
        ws.qk.set(sent - sc_core::sc_time_stamp());
        if (ws.qk.need_sync()) ws.qk.sync();
      }
      if (!step_span_.empty() && lane < slices) {
        const sc_core::sc_time step_end = sc_core::sc_time_stamp() + ws.qk.get_local_time();
        step_span_[si].extend(step_begin, step_end);
      }
      if (st.send && ++steps_sent_[si] == kernel_.sms) step_sent_.notify(sc_core::SC_ZERO_TIME);
    }
    workers_end_ = std::max(workers_end_, sc_core::sc_time_stamp() + ws.qk.get_local_time());
    ws.qk.sync();
    if (--active_ == 0) finish(ws);
  }
}

// The last worker: the kernel is complete when every incoming chunk has landed too.
void collective_engine::finish(worker_state& ws) {
  sc_core::sc_time end = workers_end_;
  for (const auto& in : kernel_.program.incoming) {
    if (in.second == 0) continue;
    end = std::max(end, wait_incoming(ws, in.first, -1, in.second));
  }
  // Forget this kernel's arrivals (the next kernel of the same op counts afresh).
  for (const auto& in : kernel_.program.incoming) {
    const std::uint64_t k0 = key(kernel_.program.op, in.first, -1);
    inbox_.erase(inbox_.lower_bound(k0), inbox_.lower_bound(k0 + (std::uint64_t(1) << 32) - 1));
  }
  if (end > sc_core::sc_time_stamp()) sc_core::wait(end - sc_core::sc_time_stamp());
  end_ = sc_core::sc_time_stamp();
  if (!step_span_.empty()) trace_steps();
  running_ = false;
  done_.notify(sc_core::SC_ZERO_TIME);
}

// One slice per step on the sending or the reducing track; a slice starts no earlier than the previous
// one on its track ends (SMs run ahead of each other by their quantum), so that each track nests.
void collective_engine::trace_steps() const {
  trace_sink* t = active_trace();
  const ring_program& prog = kernel_.program;
  const char* op = prog.op == ring_op::reduce_scatter ? "reduce-scatter" : "all-gather";
  sc_core::sc_time prev[2] = {start_, start_};
  for (std::size_t si = 0; si < prog.steps.size(); ++si) {
    const auto& span = step_span_[si];
    if (span.empty()) continue;
    const ring_step& st = prog.steps[si];
    sc_core::sc_time& p = prev[st.send ? 0 : 1];
    const sc_core::sc_time b = std::max(span.first, p);
    t->slice(int(gpu_), st.send ? trace_tid::ccl_send : trace_tid::ccl_reduce,
             std::string(op) + " step " + std::to_string(st.step) + ": chunk " + std::to_string(st.chunk) +
                 (st.send ? " -> gpu" + std::to_string(prog.to) : " (local)"),
             "collective", b, span.last,
             "\"step\":" + std::to_string(st.step) + ",\"chunk\":" + std::to_string(st.chunk) + ",\"bytes\":" + std::to_string(st.bytes));
    p = std::max(p, span.last);
  }
}

std::string collective_engine::blocked_on() const {
  if (!running_) return "";
  std::ostringstream os;
  os << to_string(kernel_.program.op) << " kernel running, " << active_ << " of " << kernel_.sms << " SMs active";
  for (const auto& [k, a] : inbox_)
    if (a.expected && a.bytes < a.expected)
      os << "; waiting for chunk " << ((k >> 32) & 0x3fffffffu) << " slice " << std::int64_t(k & 0xffffffffu) - 1
         << " from gpu" << kernel_.program.from << " (" << a.bytes
         << " of " << a.expected << " B arrived)";
  return os.str();
}

void collective_engine::report_stats(stat_sink& s) const {
  s.add("kernels", double(kernels_), "kernels", "collective kernels run");
  s.add("bytes_read", double(bytes_read_), "B", "bytes the kernels read from local memory");
  s.add("bytes_written", double(bytes_written_), "B", "bytes the kernels wrote into local memory");
  s.add("bytes_sent", double(bytes_sent_), "B", "bytes the kernels sent to the ring neighbour through the NIC");
  s.add("elements_added", double(elements_added_), "elements", "FP16 additions performed on the SMs");
  s.add("wait_ns", wait_ns_, "ns", "SM time spent waiting for incoming chunks, summed over SMs");
  s.add("errors", double(errors_), "requests", "accesses that returned an error response");
}

}  // namespace t3vp
