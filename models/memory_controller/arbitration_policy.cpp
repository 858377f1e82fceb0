#include "models/memory_controller/arbitration_policy.h"

#include <algorithm>
#include <stdexcept>

namespace t3vp {

std::uint64_t mca_policy::admit(const mc_request& r, const mc_queue_view& q) {
  if (r.cls == traffic_class::compute) {
    if (!started_) started_ = true, first_ = r.arrival;
    if (!chosen_) {
      if (r.arrival < first_ + cfg_.window_cycles) {
        bytes_ += r.bytes;
      } else {
        const double intensity = double(bytes_) / (double(cfg_.window_cycles) * cfg_.peak_bytes_per_cycle);
        memory_intensive_ = intensity > cfg_.intensity_cut;
        chosen_ = true;
      }
    }
    return r.arrival;
  }
  return std::min(q.drains_below(r.arrival, traffic_class::compute, threshold()), r.arrival + cfg_.starvation_cycles);
}

std::unique_ptr<arbitration_policy> make_arbitration_policy(const std::string& name, const mca_config& mca) {
  if (name == "fr-fcfs") return std::make_unique<fr_fcfs_policy>();
  if (name == "fcfs") return std::make_unique<fcfs_policy>();
  if (name == "mca") return std::make_unique<mca_policy>(mca);
  throw std::invalid_argument("unknown arbitration policy '" + name + "'");
}

}  // namespace t3vp
