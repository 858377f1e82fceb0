#pragma once
// The HBM of one GPU: its pseudo-channels (banks, timing, near-memory adders) and the data they hold.
#include <memory>
#include <vector>
#include <systemc>
#include "models/hbm/hbm_config.h"
#include "models/hbm/pseudo_channel.h"
#include "models/hbm/sparse_memory.h"
#include "tlm/stats.h"

namespace t3vp {

class hbm_device : public sc_core::sc_module, public has_stats {
 public:
  // with_data=false models timing only (data.mode=off): no storage at all.
  hbm_device(const sc_core::sc_module_name& name, const hbm_config& cfg, bool with_data);

  const hbm_config& config() const { return cfg_; }
  pseudo_channel& pc(unsigned i) { return *pcs_[i]; }
  unsigned pseudo_channels() const { return unsigned(pcs_.size()); }
  sparse_memory* storage() { return storage_.get(); }

  void report_stats(stat_sink& sink) const override;

 private:
  hbm_config cfg_;
  std::vector<std::unique_ptr<pseudo_channel>> pcs_;
  std::unique_ptr<sparse_memory> storage_;
};

}  // namespace t3vp
