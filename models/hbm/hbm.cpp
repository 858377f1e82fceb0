#include "models/hbm/hbm.h"

#include <string>

namespace t3vp {

hbm_device::hbm_device(const sc_core::sc_module_name& name, const hbm_config& cfg, bool with_data) : sc_module(name), cfg_(cfg) {
  const unsigned n = cfg.geometry.pseudo_channels();
  pcs_.reserve(n);
  for (unsigned i = 0; i < n; ++i)
    pcs_.push_back(std::make_unique<pseudo_channel>(("pc" + std::to_string(i)).c_str(), cfg.geometry, cfg.timing));
  if (with_data) storage_ = std::make_unique<sparse_memory>(cfg.geometry.capacity_bytes());
}

void hbm_device::report_stats(stat_sink& s) const {
  std::uint64_t bursts = 0, hits = 0, busy = 0;
  for (const auto& pc : pcs_) {
    bursts += pc->bursts();
    hits += pc->row_hits();
    busy += pc->busy_cycles();
  }
  s.add("bursts", double(bursts), "bursts", "data bursts over all pseudo-channels");
  s.add("row_hit_rate", bursts ? double(hits) / double(bursts) : 0.0, "ratio", "row hits / bursts, all pseudo-channels");
  s.add("busy_ns", double(busy) * cfg_.timing.tck_ns, "ns", "sum over pseudo-channels of data-bus busy time");
  s.add("peak_gbps", cfg_.peak_bytes_per_s() / 1e9, "GB/s", "peak data bandwidth of all pseudo-channels (1 GB = 1e9 B)");
  s.add("pages_touched", storage_ ? double(storage_->pages_touched()) : 0.0, "pages",
        "64 KiB storage pages allocated (memory touched by the run)");
}

}  // namespace t3vp
