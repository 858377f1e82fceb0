#include "models/memory_controller/arbitration_policy.h"

#include <stdexcept>

namespace t3vp {

std::unique_ptr<arbitration_policy> make_arbitration_policy(const std::string& name) {
  if (name == "fr-fcfs") return std::make_unique<fr_fcfs_policy>();
  if (name == "fcfs") return std::make_unique<fcfs_policy>();
  throw std::invalid_argument("unknown arbitration policy '" + name + "'");
}

}  // namespace t3vp
