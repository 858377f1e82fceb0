#pragma once
// T3's DMA engine: descriptors programmed through registers before the kernel (dma_map: per output
// region, what to do with a tile once the tracker says it is complete); when the tracker marks a
// tile ready, an engine reads the tile from local HBM (communication traffic, phase reduce-scatter)
// and sends it row by row through the NIC as near-memory FP16 updates into the same address of the
// region's destination GPU. Register map: docs/blocks/dma_engine.md.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include "tlm/payload_pool.h"
#include "tlm/register_bank.h"
#include "tlm/stats.h"

namespace t3vp {

struct dma_config {
  unsigned engines = 4;       // transfers in flight at once
  unsigned queue_depth = 64;  // ready descriptors the engine holds
};

constexpr unsigned dma_max_regions = 64;
enum class dma_action : std::uint64_t { none = 0, update = 1 };

class dma_engine : public sc_core::sc_module, public has_stats {
 public:
  unsigned gpu() const { return gpu_; }
  tlm_utils::simple_target_socket<dma_engine> socket;  // MMIO
  tlm_utils::simple_initiator_socket<dma_engine> mem_socket;  // local HBM (past the L2)
  tlm_utils::simple_initiator_socket<dma_engine> net_socket;  // the NIC

  dma_engine(const sc_core::sc_module_name& name, const dma_config& cfg, unsigned gpu);

  // Whether a complete tile has a transfer programmed (its region's action is not none).
  bool wants(std::uint32_t tile) const;
  // The tracker marks a tile's descriptor ready at `ready`; false when the queue is full (the tracker
  // keeps it and offers it again when refill() is called).
  bool trigger(std::uint32_t tile, const sc_core::sc_time& ready);
  // Called whenever a queue slot frees: the tracker hands over one waiting tile, if it has any.
  void set_refill(std::function<bool(std::uint32_t& tile, sc_core::sc_time& ready)> f) { refill_ = std::move(f); }

  bool idle() const { return queue_.empty() && kicked_.empty() && in_flight_ == 0; }
  std::uint64_t completed() const { return completed_; }
  unsigned queue_max() const { return queue_max_; }
  std::uint64_t refused() const { return refused_; }
  const register_bank& registers() const { return regs_; }
  void report_stats(stat_sink& sink) const override;

 private:
  struct descriptor {
    std::uint32_t tile;
    sc_core::sc_time ready;
  };
  struct engine_state {
    unsigned index = 0;  // trace track
    tlm_utils::tlm_quantumkeeper qk;
    payload_pool pool;
    std::vector<std::uint8_t> data;
  };
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp);
  void engine(unsigned e);
  void transfer(engine_state& es, const descriptor& d);
  int region_of(std::uint32_t tile) const;
  void kick(std::uint64_t region);
  void fill_queue();
  sc_core::sc_time access(engine_state& es, bool write, std::uint64_t addr, std::uint8_t* data, std::uint64_t len,
                          const sc_core::sc_time& at, std::uint32_t tile, int dst_gpu);

  dma_config cfg_;
  unsigned gpu_;
  register_bank regs_;
  std::vector<std::unique_ptr<engine_state>> engines_;
  std::deque<descriptor> queue_;
  std::deque<std::uint32_t> kicked_;  // tiles of kicked regions not yet queued
  sc_core::sc_event queued_;
  std::function<bool(std::uint32_t&, sc_core::sc_time&)> refill_;
  unsigned in_flight_ = 0, queue_max_ = 0;
  std::uint64_t triggers_ = 0, refused_ = 0, completed_ = 0, bytes_read_ = 0, bytes_sent_ = 0, errors_ = 0;
  double busy_ns_ = 0;
};

}  // namespace t3vp
