#include "models/command_processor/command_processor.h"

#include "tlm/log.h"

namespace t3vp {

namespace {
constexpr std::uint64_t irq_done = 1, irq_error = 2;
}

command_processor::command_processor(const sc_core::sc_module_name& name, sm_array& sms, collective_engine* ccl,
                                     order_fn order, std::uint64_t memory_bytes, std::int32_t gpu)
    : sc_module(name), socket("socket"), irq("irq"), sms_(sms), ccl_(ccl), order_(std::move(order)),
      memory_bytes_(memory_bytes), gpu_(gpu) {
  socket.register_b_transport(this, &command_processor::b_transport);
  socket.register_transport_dbg(this, &command_processor::transport_dbg);
  auto rw = [&](const char* n, std::uint64_t off, std::uint64_t reset, const char* d) {
    regs_.add({n, off, reset, reg_access::rw, d});
  };
  regs_.add({"ID", 0x000, 0x74337670, reg_access::ro, "block identifier 't3vp' (0x74337670)"});
  regs_.add({"STATUS", 0x008, 0, reg_access::ro, "0 idle, 1 running, 2 done, 3 error (bad descriptor)"});
  regs_.add({"DOORBELL", 0x010, 0, reg_access::wo, "write 1: launch the kernel described by the descriptor registers"},
            [this](std::uint64_t v) {
              if (v & 1) launch();
            });
  regs_.add({"IRQ_STATUS", 0x018, 0, reg_access::w1c, "bit 0 kernel done, bit 1 kernel rejected; write 1 to clear"},
            [this](std::uint64_t) { update_irq(); });
  regs_.add({"IRQ_ENABLE", 0x020, 0, reg_access::rw, "interrupt enables, same bits as IRQ_STATUS"},
            [this](std::uint64_t) { update_irq(); });
  regs_.add({"KERNEL_TIME_PS", 0x028, 0, reg_access::ro, "duration of the last kernel, doorbell to last store and the L2 write-back after it, ps"});
  regs_.add({"ERROR_CODE", 0x030, 0, reg_access::ro,
             "why the last launch was rejected: 0 none, 1 matrix size, 2 tile, 3 operand address, 4 dispatch order, "
             "5 kernel type, 6 ring descriptor"});
  rw("A_ADDR", 0x040, 0, "GPU-local address of packed A (M x K, FP16, k-step fragments)");
  rw("B_ADDR", 0x048, 0, "GPU-local address of packed B (K x N, FP16, k-step fragments)");
  rw("C_ADDR", 0x050, 0, "GPU-local address of C (M x N, FP16, row-major); collectives: the tensor");
  rw("M", 0x058, 0, "rows of A and C; collectives: rows of the tensor");
  rw("N", 0x060, 0, "columns of B and C; collectives: columns of the tensor (LDC must equal N)");
  rw("K", 0x068, 0, "columns of A, rows of B");
  rw("LDC", 0x070, 0, "row pitch of C in elements (>= N)");
  rw("TILE_M", 0x078, 128, "workgroup tile rows");
  rw("TILE_N", 0x080, 128, "workgroup tile columns");
  rw("K_STEP", 0x088, 32, "k elements per step");
  rw("ORDER", 0x090, 0, "dispatch order: 0 row-major, 1 column-major, 2 T3 stage order, 3 grouped");
  rw("ORDER_DEVICES", 0x098, 1, "T3 stage order: number of devices (chunks)");
  rw("ORDER_RANK", 0x0a0, 0, "T3 stage order: this device's rank");
  rw("DATA_MODE", 0x0a8, 1, "0 exact (compute), 1 synthetic partials, 2 off (no data)");
  rw("SEED", 0x0b0, 0, "seed of the deterministic inputs (exact mode bookkeeping)");
  rw("KERNEL", 0x0b8, 0, "kernel type: 0 GEMM, 1 ring reduce-scatter, 2 ring all-gather");
  rw("RECV_ADDR", 0x0c0, 0, "ring reduce-scatter: GPU-local receive buffer (as large as the tensor; same on every GPU)");
  rw("RING_DEVICES", 0x0c8, 2, "ring collectives: devices in the ring (>= 2)");
  rw("RING_RANK", 0x0d0, 0, "ring collectives: this device's rank; it sends to rank-1 and receives from rank+1");
  rw("RING_SMS", 0x0d8, 0, "ring collectives: SMs the kernel uses (0: all the collective engine has)");
  rw("STORE_OP", 0x0e0, 0, "GEMM output stores: 0 writes (through the L2), 1 near-memory FP16 updates (bypass the L2; T3)");
  rw("REMOTE_ROW_BEGIN", 0x0e8, 0, "remote_map: tiles whose first row is in [REMOTE_ROW_BEGIN, REMOTE_ROW_END) ...");
  rw("REMOTE_ROW_END", 0x0f0, 0, "... are stored into GPU REMOTE_GPU's memory at the same address (empty: none)");
  rw("REMOTE_GPU", 0x0f8, 0, "remote_map: the GPU the remote-mapped tiles go to");
  rw("ORDER_GROUP", 0x100, 0, "grouped and T3 stage orders: tile rows per band, column by column within it (0: row-major)");
  rw("ORDER_SERPENTINE", 0x108, 0, "grouped and T3 stage orders: 1 runs every second band's columns right to left");
  SC_HAS_PROCESS(command_processor);
  SC_METHOD(on_done);
  sensitive << sms_.done_event();
  if (ccl_) sensitive << ccl_->done_event();
  dont_initialize();
}

void command_processor::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  // A register write has effects other initiators see (a launch): synchronise first.
  if (gp.is_write() && delay > sc_core::SC_ZERO_TIME) {
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
  regs_.access(gp, false);
}

unsigned int command_processor::transport_dbg(tlm::tlm_generic_payload& gp) {
  regs_.access(gp, true);
  return gp.is_response_ok() ? 8 : 0;
}

std::string command_processor::validate(const gemm_kernel& k, std::uint64_t& code) const {
  code = 1;
  if (!k.m || !k.n || !k.k) return "zero matrix size";
  if (k.ldc < k.n) return "LDC smaller than N";
  code = 2;
  if (!k.tile_m || !k.tile_n || !k.k_step || k.tile_m > 1024 || k.tile_n > 1024 || k.k_step > 1024) return "bad tile";
  // A workgroup holds two A and two B fragments (double buffering) and its FP32 accumulators.
  const std::uint64_t lds = 2 * (k.a_fragment_bytes() + k.b_fragment_bytes()) + std::uint64_t(k.tile_m) * k.tile_n * 4;
  if (lds > (1u << 20)) return "tile larger than an SM can hold";
  code = 3;
  if (k.a + k.a_packed_bytes() > memory_bytes_ || k.b + k.b_packed_bytes() > memory_bytes_ ||
      k.c + k.c_bytes() > memory_bytes_)
    return "operand outside memory";
  code = 0;
  return "";
}

void command_processor::reject(const std::string& problem, std::uint64_t code) {
  ++rejected_;
  T3VP_LOG(log_level::warning, this, "kernel rejected: " << problem);
  regs_.set("STATUS", std::uint64_t(cp_status::error));
  regs_.set("ERROR_CODE", code);
  regs_.set("IRQ_STATUS", regs_.get("IRQ_STATUS") | irq_error);
  update_irq();
}

void command_processor::launch_collective(kernel_kind kind) {
  if (!ccl_) return reject("this GPU has no collective engine", 5);
  ring_tensor t;
  t.rows = regs_.get("M");
  t.cols = regs_.get("N");
  t.buffer = regs_.get("C_ADDR");
  t.recv = regs_.get("RECV_ADDR");
  const std::uint64_t devices = regs_.get("RING_DEVICES"), rank = regs_.get("RING_RANK");
  if (!t.rows || !t.cols || t.rows > (1ull << 31) || t.cols > (1ull << 31)) return reject("bad tensor size", 1);
  if (regs_.get("LDC") != t.cols) return reject("a collective's tensor must be dense (LDC = N)", 1);
  if (devices < 2 || devices > 4096 || rank >= devices) return reject("bad ring devices or rank", 6);
  const bool rs = kind == kernel_kind::reduce_scatter;
  if (t.buffer + t.bytes() > memory_bytes_ || (rs && t.recv + t.bytes() > memory_bytes_))
    return reject("tensor or receive buffer outside memory", 3);
  if (rs && t.recv < t.buffer + t.bytes() && t.buffer < t.recv + t.bytes())
    return reject("receive buffer overlaps the tensor", 3);
  collective_kernel k;
  k.program = make_ring_program(rs ? ring_op::reduce_scatter : ring_op::all_gather, t, unsigned(devices), unsigned(rank));
  k.data = regs_.get("DATA_MODE") != 2;
  k.sms = unsigned(regs_.get("RING_SMS"));
  ++launches_;
  running_ = kind;
  regs_.set("ERROR_CODE", 0);
  regs_.set("STATUS", std::uint64_t(cp_status::running));
  ccl_->launch(std::move(k));
}

void command_processor::launch() {
  if (sms_.busy() || (ccl_ && ccl_->busy())) return;  // a doorbell while running is ignored (STATUS says running)
  const std::uint64_t kind = regs_.get("KERNEL");
  if (kind == std::uint64_t(kernel_kind::reduce_scatter) || kind == std::uint64_t(kernel_kind::all_gather))
    return launch_collective(kernel_kind(kind));
  if (kind != std::uint64_t(kernel_kind::gemm)) return reject("unknown kernel type " + std::to_string(kind), 5);
  gemm_kernel k;
  k.a = regs_.get("A_ADDR");
  k.b = regs_.get("B_ADDR");
  k.c = regs_.get("C_ADDR");
  k.m = std::uint32_t(regs_.get("M"));
  k.n = std::uint32_t(regs_.get("N"));
  k.k = std::uint32_t(regs_.get("K"));
  k.ldc = std::uint32_t(regs_.get("LDC"));
  k.tile_m = std::uint32_t(regs_.get("TILE_M"));
  k.tile_n = std::uint32_t(regs_.get("TILE_N"));
  k.k_step = std::uint32_t(regs_.get("K_STEP"));
  const std::uint64_t dm = regs_.get("DATA_MODE");
  k.data = dm == 0 ? kernel_data::exact : dm == 2 ? kernel_data::off : kernel_data::synthetic;
  k.gpu = gpu_;
  k.seed = std::uint32_t(regs_.get("SEED"));
  k.store_update = regs_.get("STORE_OP") == 1;
  k.group_rows = std::uint32_t(regs_.get("ORDER_GROUP"));
  k.serpentine = regs_.get("ORDER_SERPENTINE") == 1;
  k.remote_row_begin = std::uint32_t(regs_.get("REMOTE_ROW_BEGIN"));
  k.remote_row_end = std::uint32_t(regs_.get("REMOTE_ROW_END"));
  if (k.remote_row_end > k.remote_row_begin) k.remote_gpu = std::int32_t(regs_.get("REMOTE_GPU"));
  std::uint64_t code = 0;
  std::string problem = validate(k, code);
  std::vector<std::uint32_t> order;
  if (problem.empty()) {
    try {
      order = order_(k, dispatch_kind(regs_.get("ORDER")), unsigned(regs_.get("ORDER_DEVICES")),
                     unsigned(regs_.get("ORDER_RANK")));
    } catch (const std::exception& e) {
      problem = e.what();
      code = 4;
    }
  }
  if (!problem.empty()) return reject(problem, code);
  ++launches_;
  running_ = kernel_kind::gemm;
  regs_.set("ERROR_CODE", 0);
  regs_.set("STATUS", std::uint64_t(cp_status::running));
  sms_.launch(k, std::move(order), unsigned(regs_.get("ORDER_DEVICES")));
}

void command_processor::on_done() {
  regs_.set("STATUS", std::uint64_t(cp_status::done));
  const sc_core::sc_time t = running_ == kernel_kind::gemm ? sms_.last_end() - sms_.last_start()
                                                           : ccl_->last_end() - ccl_->last_start();
  regs_.set("KERNEL_TIME_PS", std::uint64_t(t.to_seconds() * 1e12 + 0.5));
  regs_.set("IRQ_STATUS", regs_.get("IRQ_STATUS") | irq_done);
  update_irq();
}

void command_processor::update_irq() { irq.write((regs_.get("IRQ_STATUS") & regs_.get("IRQ_ENABLE")) != 0); }

void command_processor::report_stats(stat_sink& s) const {
  s.add("launches", double(launches_), "kernels", "kernels launched by the doorbell");
  s.add("rejected", double(rejected_), "kernels", "doorbells refused because the descriptor was invalid");
}

}  // namespace t3vp
