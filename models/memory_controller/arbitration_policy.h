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

// Throws std::invalid_argument for an unknown name.
std::unique_ptr<arbitration_policy> make_arbitration_policy(const std::string& name);

}  // namespace t3vp
