#pragma once
// The GPU's shared L2 cache: sliced, set-associative, LRU, write-back, write-allocate. A loosely-timed
// target (annotates delay, never waits) in front of the GPU's HBM.
//
// Functional data is never held here: reads take their data from memory with transport_dbg, writes
// put theirs there at once with transport_dbg. The cache keeps only tags, valid, dirty, LRU and the
// class/phase of each line's last writer, so that the *timing and DRAM traffic* are those of a
// write-back cache (line fills, dirty write-backs as timing-only writes) while memory always holds the
// current data. Updates (near-memory adds) and accesses overlapping an uncached range bypass the cache.
// Full description, statistics and approximations: docs/blocks/l2.md.
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include "tlm/mem_extension.h"
#include "tlm/payload_pool.h"
#include "models/hbm/slot_calendar.h"
#include "tlm/stats.h"

namespace t3vp {

struct l2_config {
  std::uint64_t size_bytes = 16ull << 20;   // total capacity, all slices (B)
  unsigned ways = 16;                       // associativity
  unsigned line_bytes = 128;                // power of two, 32 .. 65536 (B)
  unsigned slices = 32;                     // address-interleaved slices
  double clock_ghz = 1.4;                   // L2 clock (GHz)
  unsigned slice_bytes_per_cycle = 64;      // data bandwidth of one slice (B/cycle)
  unsigned hit_latency_cycles = 120;        // slot-to-data latency of a hit (L2 cycles)
};

class l2_cache : public sc_core::sc_module, public has_stats {
 public:
  tlm_utils::multi_passthrough_target_socket<l2_cache> target_socket;  // from the SMs (many initiators)
  tlm_utils::simple_initiator_socket<l2_cache> memory_socket;          // to the GPU's HBM (GPU-local addresses)

  // Throws std::invalid_argument for an unusable configuration (see docs/blocks/l2.md).
  l2_cache(const sc_core::sc_module_name& name, const l2_config& cfg);

  // Accesses overlapping [base, base+size) bypass the cache entirely. Call before traffic starts
  // (lines already cached inside the range are left as they are).
  void add_uncached_range(std::uint64_t base, std::uint64_t size);
  // Writes back every dirty line (timing-only writes, each occupying its slice for one line slot)
  // and marks it clean. delay: in = start offset from sc_time_stamp(); out = completion of the last
  // write-back (unchanged when nothing is dirty).
  void flush(sc_core::sc_time& delay);
  // Drops every line without writing anything back (the data is already in memory).
  void invalidate_all();

  // Geometry as modelled (ways may be reduced and capacity rounded down, see docs).
  const l2_config& config() const { return cfg_; }
  unsigned ways() const { return ways_; }
  std::uint64_t sets_per_slice() const { return sets_; }
  std::uint64_t capacity_bytes() const { return std::uint64_t(slices_) * sets_ * ways_ * cfg_.line_bytes; }
  unsigned slice_of(std::uint64_t addr) const { return locate(addr >> line_shift_).first; }
  sc_core::sc_time slice_occupancy() const { return sc_core::sc_time::from_value(occ_units_); }
  sc_core::sc_time hit_latency() const { return sc_core::sc_time::from_value(hit_units_); }
  sc_core::sc_time bypass_latency(std::uint64_t length) const;

  // Tags hold line numbers (address / line_bytes) below this; accesses beyond are address errors.
  static constexpr std::uint64_t line_number_limit = 0xffffffffull;

  // Tag-state introspection (no LRU or statistics side effects).
  bool contains(std::uint64_t addr) const;
  bool is_dirty(std::uint64_t addr) const;
  std::uint64_t valid_lines() const;
  std::uint64_t dirty_lines() const;

  // Statistics (definitions in docs/blocks/l2.md).
  std::uint64_t hits(traffic_class c) const { return hits_[int(c)]; }
  std::uint64_t misses(traffic_class c) const { return misses_[int(c)]; }
  std::uint64_t write_backs(traffic_class c) const { return write_backs_[int(c)]; }
  std::uint64_t hits() const { return hits_[0] + hits_[1]; }
  std::uint64_t misses() const { return misses_[0] + misses_[1]; }
  std::uint64_t write_backs() const { return write_backs_[0] + write_backs_[1]; }
  std::uint64_t read_requests() const { return requests_[0]; }
  std::uint64_t write_requests() const { return requests_[1]; }
  std::uint64_t fill_requests() const { return fill_requests_; }
  std::uint64_t bytes_read_from_memory() const { return fill_bytes_; }
  std::uint64_t bytes_written_back() const { return write_back_bytes_; }
  std::uint64_t bypassed_uncached() const { return bypassed_uncached_; }
  std::uint64_t bypassed_updates() const { return bypassed_updates_; }
  std::uint64_t bypassed_requests() const { return bypassed_uncached_ + bypassed_updates_; }
  std::uint64_t errors() const { return errors_; }
  double hit_rate() const;
  double mean_latency_ns() const;
  double mean_bypass_latency_ns() const;

  void report_stats(stat_sink& sink) const override;

 private:
  static const sc_core::sc_module_name& validated(const sc_core::sc_module_name& name, const l2_config& cfg);
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& gp);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);

  void bypass(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, bool is_update);
  bool uncached(std::uint64_t addr, std::uint64_t len) const;
  // (slice, set index = slice * sets + set) of a line address.
  std::pair<unsigned, std::size_t> locate(std::uint64_t line) const {
    // Slice: the line's position within its group of `slices` consecutive lines, permuted by a
    // multiplicative hash of the group number (XOR for power-of-two slice counts, rotation otherwise):
    // consecutive lines always spread over all slices, and power-of-two strides do not camp on one
    // slice. Set within the slice: the group number modulo the sets per slice.
    std::uint64_t group, slice;
    if (slices_pow2_) {
      group = line >> slice_shift_;
      const std::uint64_t pos = line & (slices_ - 1);
      slice = slice_shift_ ? pos ^ ((group * 0x9E3779B97F4A7C15ull) >> (64 - slice_shift_)) : 0;
    } else {
      group = line / slices_;
      const std::uint64_t pos = line % slices_;
      slice = (pos + ((group * 0x9E3779B97F4A7C15ull) >> 32)) % slices_;
    }
    const std::uint64_t set = sets_pow2_ ? (group & sets_mask_) : group % sets_;
    return {unsigned(slice), std::size_t(slice * sets_ + set)};
  }
  // Issues a timing-only write-back of one line at time `at` (time-resolution units); returns the
  // memory's completion time. A memory error is recorded in *err.
  std::uint64_t write_back(std::uint64_t line, std::uint8_t meta, std::uint64_t now, std::uint64_t at,
                           tlm::tlm_response_status* err);
  // Issues one line-fill read of `count` lines from `line` at time `at`; returns the completion time.
  std::uint64_t fill(std::uint64_t line, std::uint64_t count, std::uint64_t now, std::uint64_t at,
                     const mem_extension& proto, tlm::tlm_response_status* err);

  l2_config cfg_;
  unsigned ways_;
  std::uint64_t sets_;
  unsigned slices_;
  unsigned line_shift_;
  bool slices_pow2_, sets_pow2_;
  unsigned slice_shift_;       // log2(slices) when a power of two
  std::uint64_t sets_mask_;    // sets-1 when a power of two
  std::uint64_t max_fill_lines_;

  // Time in time-resolution units (sc_time::value()).
  double cycle_units_;
  std::uint64_t occ_units_;    // one line's slot in its slice
  std::uint64_t hit_units_;

  // Tag state, flat and cache-line aligned, one block per set; set index = slice * sets + set.
  // tags_: ways_pad_ line numbers (addr >> line_shift) of 32 bits, invalid_tag for an empty way and the
  //       padding; addresses whose line number does not fit are answered with an address error. (Four
  //       bytes a tag keep a 16-way set in one host cache line: tag lookups are most of the host's
  //       cache misses when several GPUs are simulated.)
  // aux_: ways_pad_ LRU ranks (0 = most recently used .. ways-1 = least; always a permutation; the
  //       padding bytes hold 0x7f and never change), then ways meta bytes (dirty bit | last writer's
  //       class and phase); aux_stride_ = 2 * ways_pad_ bytes per set. Empty ways always hold the
  //       oldest ranks (lines are only ever emptied all at once), so the victim is always rank ways-1.
  template <typename T>
  struct aligned_allocator {
    using value_type = T;
    aligned_allocator() = default;
    template <typename U>
    aligned_allocator(const aligned_allocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
    bool operator==(const aligned_allocator&) const { return true; }
    bool operator!=(const aligned_allocator&) const { return false; }
  };
  static constexpr std::uint32_t invalid_tag = std::uint32_t(line_number_limit);
  unsigned ways_pad_;    // ways rounded up to a multiple of 16
  unsigned aux_stride_;
  std::vector<std::uint32_t, aligned_allocator<std::uint32_t>> tags_;
  std::vector<std::uint8_t, aligned_allocator<std::uint8_t>> aux_;
  std::vector<slot_calendar> slots_;  // per slice: occupied line slots (slot i = [i, i+1) * occ_units_)
  std::uint64_t reserve_slot(unsigned slice, std::uint64_t first);  // first: earliest slot index

  void reset_tags();

  std::vector<std::pair<std::uint64_t, std::uint64_t>> uncached_;  // [begin, end)
  payload_pool pool_;
  std::vector<std::uint8_t> scratch_;  // discarded fill data / write-back payload

  // Statistics.
  std::uint64_t hits_[traffic_class_count] = {};
  std::uint64_t misses_[traffic_class_count] = {};
  std::uint64_t write_backs_[traffic_class_count] = {};
  std::uint64_t requests_[2] = {};  // read, write (cached path, served)
  std::uint64_t fill_requests_ = 0;
  std::uint64_t fill_bytes_ = 0;
  std::uint64_t write_back_bytes_ = 0;
  std::uint64_t bypassed_uncached_ = 0;
  std::uint64_t bypassed_updates_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t latency_units_ = 0;         // sum over served cached requests of done - arrival
  std::uint64_t bypass_latency_units_ = 0;  // sum over served bypassed requests
  std::uint64_t bypass_served_ = 0;
};

}  // namespace t3vp
