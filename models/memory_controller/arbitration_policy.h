#pragma once
// How a memory controller decides when a queued request may go to DRAM. FR-FCFS is the default;
// T3's memory-controller arbitration (MCA) plugs in as another policy.
#include <cstdint>
#include <memory>
#include <string>
#include "tlm/mem_extension.h"

namespace t3vp {

struct mc_request {
  mem_op op;
  traffic_class cls;
  std::uint64_t arrival;  // cycle the request entered the queue
  std::uint64_t bytes;
};

// What a policy may see of the controller's queue at a given cycle.
class mc_queue_view {
 public:
  virtual ~mc_queue_view() = default;
  virtual unsigned occupancy(std::uint64_t cycle, traffic_class cls) const = 0;
  virtual unsigned capacity() const = 0;
  // The earliest cycle >= `cycle` at which fewer than n requests of class cls are queued (of those
  // queued now).
  virtual std::uint64_t drains_below(std::uint64_t cycle, traffic_class cls, unsigned n) const = 0;
};

class arbitration_policy {
 public:
  virtual ~arbitration_policy() = default;
  virtual const char* name() const = 0;
  // Earliest cycle at which the request may start being served (>= r.arrival).
  virtual std::uint64_t admit(const mc_request& r, const mc_queue_view& q) = 0;
  // May a request whose bank is ready use idle data-bus slots ahead of older requests (first-ready)?
  virtual bool first_ready() const = 0;
};

// Row hits and ready banks first (within the reorder window), then the oldest.
class fr_fcfs_policy : public arbitration_policy {
 public:
  const char* name() const override { return "fr-fcfs"; }
  std::uint64_t admit(const mc_request& r, const mc_queue_view&) override { return r.arrival; }
  bool first_ready() const override { return true; }
};

// Strict arrival order: a reference point for what reordering buys.
class fcfs_policy : public arbitration_policy {
 public:
  const char* name() const override { return "fcfs"; }
  std::uint64_t admit(const mc_request& r, const mc_queue_view&) override { return r.arrival; }
  bool first_ready() const override { return false; }
};

// T3's memory-controller arbitration (reference/t3.md section 2.5): the producer (compute class) is
// never held back; a communication request is issued only once fewer than `threshold` compute
// requests are queued, or after the starvation limit. The threshold is chosen from the compute
// traffic's memory intensity in the first window of the kernel (its first stage): a memory-intensive
// producer (intensity above intensity_cut of the pseudo-channel's peak) gets the low threshold.
// Thresholds, window and limit are not published: parameters (mc.mca_*), documented in
// docs/blocks/memory_controller.md.
struct mca_config {
  unsigned threshold_low = 4, threshold_high = 64;
  double intensity_cut = 0.5;
  std::uint64_t window_cycles = 10000, starvation_cycles = 2000;
  double peak_bytes_per_cycle = 16;  // the pseudo-channel's peak (burst bytes / burst cycles)
};

class mca_policy : public arbitration_policy {
 public:
  explicit mca_policy(const mca_config& cfg) : cfg_(cfg) {}
  const char* name() const override { return "mca"; }
  std::uint64_t admit(const mc_request& r, const mc_queue_view& q) override;
  bool first_ready() const override { return true; }
  unsigned threshold() const { return chosen_ && memory_intensive_ ? cfg_.threshold_low : cfg_.threshold_high; }
  bool chosen() const { return chosen_; }
  // The first window's intensity was above the cut: the producer got the low threshold.
  bool memory_intensive() const { return memory_intensive_; }

 private:
  mca_config cfg_;
  bool started_ = false, chosen_ = false, memory_intensive_ = false;
  std::uint64_t first_ = 0, bytes_ = 0;
};

// Throws std::invalid_argument for an unknown name.
std::unique_ptr<arbitration_policy> make_arbitration_policy(const std::string& name, const mca_config& mca = {});

}  // namespace t3vp
