#include "models/l2/l2_cache.h"

#include <immintrin.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include "tlm/host_cpu.h"
#include "tlm/log.h"

namespace t3vp {
namespace {

constexpr std::uint8_t meta_dirty = 0x80;
constexpr std::uint8_t meta_class_bit = 0x04;  // set: comm
constexpr std::uint8_t meta_phase_mask = 0x03;
static_assert(traffic_phase_count <= 4, "line meta keeps the phase in two bits");
static_assert(traffic_class_count <= 2, "line meta keeps the class in one bit");

// Largest coalesced line fill (bounds the scratch buffer); at least one line.
constexpr std::uint64_t max_fill_bytes = 256u << 10;

bool is_pow2(std::uint64_t x) { return x && !(x & (x - 1)); }
unsigned log2u(std::uint64_t x) {
  unsigned s = 0;
  while ((std::uint64_t(1) << s) < x) ++s;
  return s;
}

std::uint8_t writer_meta(traffic_class c, traffic_phase p) {
  return std::uint8_t(meta_dirty | (c == traffic_class::comm ? meta_class_bit : 0) |
                      (static_cast<std::uint8_t>(p) & meta_phase_mask));
}

constexpr std::uint64_t ones8 = 0x0101010101010101ull, high8 = 0x8080808080808080ull;

// Makes way w of a set the most recently used: every rank below w's moves one step older, w's becomes
// 0. Eight ranks per step: all ranks are < 128, so ((r-1 | 0x80) - x) has its byte's top bit set
// exactly when x < r, and no byte borrows from its neighbour.
inline void touch(std::uint8_t* rank, unsigned w, unsigned ways_pad) {
  const unsigned r = rank[w];
  if (r == 0) return;
  const std::uint64_t lim = (std::uint64_t(r - 1) * ones8) | high8;
  for (unsigned k = 0; k < ways_pad; k += 8) {
    std::uint64_t x;
    std::memcpy(&x, rank + k, 8);
    x += ((lim - x) & high8) >> 7;
    std::memcpy(rank + k, &x, 8);
  }
  rank[w] = 0;
}

// The way whose rank is `r` (ranks are a permutation, so it exists).
inline unsigned way_of_rank(const std::uint8_t* rank, unsigned r) {
  const std::uint64_t pattern = std::uint64_t(r) * ones8;
  for (unsigned k = 0;; k += 8) {
    std::uint64_t x;
    std::memcpy(&x, rank + k, 8);
    x ^= pattern;  // zero byte where rank == r
    const std::uint64_t z = (x - ones8) & ~x & high8;  // lowest set bit marks the first zero byte exactly
    if (z) return k + unsigned(__builtin_ctzll(z) >> 3);
  }
}

// The way holding `line`, or `ways_pad` when none does (padding tags are invalid and never match).
// Every L2 access looks up its lines, so where the host has AVX-512 sixteen tags are compared at once.
[[gnu::target("avx512f")]] [[gnu::noinline]] unsigned find_way_avx512(const std::uint32_t* tags, std::uint32_t line,
                                                                       unsigned ways_pad) {
  const __m512i want = _mm512_set1_epi32(static_cast<int>(line));
  for (unsigned k = 0; k < ways_pad; k += 16) {
    const __mmask16 m = _mm512_cmpeq_epi32_mask(_mm512_load_si512(tags + k), want);
    if (m) return k + unsigned(__builtin_ctz(m));
  }
  return ways_pad;
}
const bool host_has_avx512f = host_cpu().avx512f;

inline unsigned find_way(const std::uint32_t* tags, std::uint32_t line, unsigned ways_pad) {
  if (host_has_avx512f) return find_way_avx512(tags, line, ways_pad);
  for (unsigned k = 0; k < ways_pad; k += 8) {
    const unsigned m = unsigned(tags[k] == line) | unsigned(tags[k + 1] == line) << 1 |
                       unsigned(tags[k + 2] == line) << 2 | unsigned(tags[k + 3] == line) << 3 |
                       unsigned(tags[k + 4] == line) << 4 | unsigned(tags[k + 5] == line) << 5 |
                       unsigned(tags[k + 6] == line) << 6 | unsigned(tags[k + 7] == line) << 7;
    if (m) return k + unsigned(__builtin_ctz(m));
  }
  return ways_pad;
}

void fail(const std::string& what) { throw std::invalid_argument("l2_cache: " + what); }

}  // namespace

// Checked before the sc_module base is constructed, so that a bad configuration throws without
// leaving a half-built module in the hierarchy.
const sc_core::sc_module_name& l2_cache::validated(const sc_core::sc_module_name& name, const l2_config& cfg) {
  if (!is_pow2(cfg.line_bytes) || cfg.line_bytes < 32 || cfg.line_bytes > 65536)
    fail("line_bytes must be a power of two in [32, 65536], got " + std::to_string(cfg.line_bytes));
  if (cfg.ways == 0 || cfg.ways > 128) fail("ways must be in [1, 128], got " + std::to_string(cfg.ways));
  if (cfg.slices == 0) fail("slices must be at least 1");
  if (cfg.slice_bytes_per_cycle == 0) fail("slice_bytes_per_cycle must be at least 1");
  if (!(cfg.clock_ghz > 0) || !std::isfinite(cfg.clock_ghz)) fail("clock_ghz must be positive");
  if (cfg.size_bytes / cfg.line_bytes / cfg.slices == 0)
    fail("size_bytes (" + std::to_string(cfg.size_bytes) + ") holds less than one line per slice");
  return name;
}

l2_cache::l2_cache(const sc_core::sc_module_name& name, const l2_config& cfg)
    : sc_module(validated(name, cfg)), target_socket("target_socket"), memory_socket("memory_socket"), cfg_(cfg) {
  const std::uint64_t lines_per_slice = cfg.size_bytes / cfg.line_bytes / cfg.slices;
  // A slice too small for `ways` lines becomes one fully associative set; otherwise the capacity is
  // rounded down to whole sets.
  ways_ = unsigned(std::min<std::uint64_t>(cfg.ways, lines_per_slice));
  sets_ = lines_per_slice / ways_;
  slices_ = cfg.slices;
  line_shift_ = log2u(cfg.line_bytes);
  slices_pow2_ = is_pow2(slices_);
  slice_shift_ = slices_pow2_ ? log2u(slices_) : 0;
  sets_pow2_ = is_pow2(sets_);
  sets_mask_ = sets_pow2_ ? sets_ - 1 : 0;
  max_fill_lines_ = std::max<std::uint64_t>(1, max_fill_bytes >> line_shift_);

  const double units_per_ns = double(sc_core::sc_time(1.0, sc_core::SC_NS).value());
  cycle_units_ = units_per_ns / cfg.clock_ghz;
  const std::uint64_t occ_cycles = (cfg.line_bytes + cfg.slice_bytes_per_cycle - 1) / cfg.slice_bytes_per_cycle;
  occ_units_ = std::uint64_t(std::llround(double(occ_cycles) * cycle_units_));
  hit_units_ = std::uint64_t(std::llround(double(cfg.hit_latency_cycles) * cycle_units_));

  ways_pad_ = (ways_ + 15) & ~15u;  // a set's tags fill whole 64-byte host cache lines
  aux_stride_ = 2 * ways_pad_;
  tags_.resize(std::size_t(slices_) * sets_ * ways_pad_);
  aux_.resize(std::size_t(slices_) * sets_ * aux_stride_);
  reset_tags();
  slots_.assign(slices_, slot_calendar());
  scratch_.assign(std::size_t(max_fill_lines_) << line_shift_, 0);

  target_socket.register_b_transport(this, &l2_cache::b_transport);
  target_socket.register_transport_dbg(this, &l2_cache::transport_dbg);
  target_socket.register_get_direct_mem_ptr(this, &l2_cache::get_direct_mem_ptr);
}

void l2_cache::add_uncached_range(std::uint64_t base, std::uint64_t size) {
  if (size == 0) return;
  const std::uint64_t end = size > ~std::uint64_t(0) - base ? ~std::uint64_t(0) : base + size;
  uncached_.emplace_back(base, end);
}

bool l2_cache::uncached(std::uint64_t addr, std::uint64_t len) const {
  const std::uint64_t last = addr + (len - 1);  // len >= 1 and no overflow: checked by the caller
  for (const auto& r : uncached_)
    if (addr < r.second && last >= r.first) return true;
  return false;
}

void l2_cache::reset_tags() {
  std::fill(tags_.begin(), tags_.end(), invalid_tag);
  for (std::size_t i = 0, n = std::size_t(slices_) * sets_; i < n; ++i) {
    std::uint8_t* rank = &aux_[i * aux_stride_];
    for (unsigned w = 0; w < ways_pad_; ++w) rank[w] = w < ways_ ? std::uint8_t(w) : std::uint8_t(0x7f);
    std::fill_n(rank + ways_pad_, ways_pad_, std::uint8_t(0));
  }
}

sc_core::sc_time l2_cache::bypass_latency(std::uint64_t length) const {
  const std::uint64_t bytes = std::min<std::uint64_t>(length, cfg_.line_bytes);
  const std::uint64_t cycles = (bytes + cfg_.slice_bytes_per_cycle - 1) / cfg_.slice_bytes_per_cycle;
  return sc_core::sc_time::from_value(std::uint64_t(std::llround(double(cycles) * cycle_units_)));
}

std::uint64_t l2_cache::write_back(std::uint64_t line, std::uint8_t meta, std::uint64_t now, std::uint64_t at,
                                   tlm::tlm_response_status* err) {
  tlm::tlm_generic_payload* gp = pool_.acquire();
  mem_extension& ext = ext_of(*gp);
  ext.op = mem_op::write;
  ext.cls = (meta & meta_class_bit) ? traffic_class::comm : traffic_class::compute;
  ext.phase = static_cast<traffic_phase>(meta & meta_phase_mask);
  ext.timing_only = true;
  gp->set_command(tlm::TLM_WRITE_COMMAND);
  gp->set_address(line << line_shift_);
  gp->set_data_ptr(scratch_.data());
  gp->set_data_length(cfg_.line_bytes);
  gp->set_streaming_width(cfg_.line_bytes);
  sc_core::sc_time d = sc_core::sc_time::from_value(at - now);
  memory_socket->b_transport(*gp, d);
  if (!gp->is_response_ok() && *err == tlm::TLM_OK_RESPONSE) *err = gp->get_response_status();
  gp->release();
  ++write_backs_[int(ext.cls)];
  write_back_bytes_ += cfg_.line_bytes;
  return now + d.value();
}

std::uint64_t l2_cache::fill(std::uint64_t line, std::uint64_t count, std::uint64_t now, std::uint64_t at,
                             const mem_extension& proto, tlm::tlm_response_status* err) {
  const std::uint64_t len = count << line_shift_;
  tlm::tlm_generic_payload* gp = pool_.acquire();
  mem_extension& ext = ext_of(*gp);
  ext = proto;
  ext.op = mem_op::read;
  ext.timing_only = true;  // the fill's data is discarded: requesters get theirs by transport_dbg
  gp->set_command(tlm::TLM_READ_COMMAND);
  gp->set_address(line << line_shift_);
  gp->set_data_ptr(scratch_.data());
  gp->set_data_length(static_cast<unsigned>(len));
  gp->set_streaming_width(static_cast<unsigned>(len));
  sc_core::sc_time d = sc_core::sc_time::from_value(at - now);
  memory_socket->b_transport(*gp, d);
  if (!gp->is_response_ok() && *err == tlm::TLM_OK_RESPONSE) *err = gp->get_response_status();
  gp->release();
  ++fill_requests_;
  fill_bytes_ += len;
  return now + d.value();
}

void l2_cache::bypass(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, bool is_update) {
  const sc_core::sc_time arrival = sc_core::sc_time_stamp() + delay;
  delay += bypass_latency(gp.get_data_length());
  memory_socket->b_transport(gp, delay);
  ++(is_update ? bypassed_updates_ : bypassed_uncached_);
  if (gp.is_response_ok()) {
    ++bypass_served_;
    bypass_latency_units_ += (sc_core::sc_time_stamp() + delay - arrival).value();
  } else {
    ++errors_;
  }
}

void l2_cache::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const std::uint64_t addr = gp.get_address();
  const std::uint64_t len = gp.get_data_length();
  const mem_extension* ext = nullptr;
  gp.get_extension(ext);

  tlm::tlm_response_status bad = tlm::TLM_OK_RESPONSE;
  if (gp.get_byte_enable_ptr())
    bad = tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  else if (len == 0)
    bad = tlm::TLM_GENERIC_ERROR_RESPONSE;
  else if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len)
    bad = tlm::TLM_BURST_ERROR_RESPONSE;
  else if (len - 1 > ~std::uint64_t(0) - addr || ((addr + (len - 1)) >> line_shift_) >= line_number_limit)
    bad = tlm::TLM_ADDRESS_ERROR_RESPONSE;  // (or beyond the line numbers a tag holds)
  else if (gp.get_command() == tlm::TLM_IGNORE_COMMAND)
    bad = tlm::TLM_COMMAND_ERROR_RESPONSE;
  if (bad != tlm::TLM_OK_RESPONSE) {
    gp.set_response_status(bad);
    ++errors_;
    T3VP_LOG(log_level::debug, this, "rejected access at 0x" << std::hex << addr << std::dec << " len " << len);
    return;
  }

  const mem_op op = ext ? ext->op : (gp.is_write() ? mem_op::write : mem_op::read);
  if (op == mem_op::update) return bypass(gp, delay, true);
  if (!uncached_.empty() && uncached(addr, len)) return bypass(gp, delay, false);
  const bool is_write = op == mem_op::write;
  if (is_write != gp.is_write()) {  // extension op contradicts the command
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    ++errors_;
    return;
  }
  const bool timing_only = ext && ext->timing_only;
  const traffic_class cls = ext ? ext->cls : traffic_class::compute;
  const traffic_phase phase = ext ? ext->phase : traffic_phase::other;

  // Functional side first (also validates the address range against memory): exactly the requested
  // bytes, straight to / from memory.
  if (!timing_only) {
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    const unsigned n = memory_socket->transport_dbg(gp);
    const tlm::tlm_response_status st = gp.get_response_status();
    if (st < tlm::TLM_INCOMPLETE_RESPONSE || n < len) {
      gp.set_response_status(st < tlm::TLM_INCOMPLETE_RESPONSE ? st : tlm::TLM_ADDRESS_ERROR_RESPONSE);
      ++errors_;
      return;
    }
  }

  // Timing: every line in its slice, slices in parallel.
  static const mem_extension default_ext;
  const mem_extension& proto = ext ? *ext : default_ext;
  const std::uint64_t now = sc_core::sc_time_stamp().value();
  const std::uint64_t arrival = now + delay.value();
  const std::uint64_t first = addr >> line_shift_;
  const std::uint64_t last = (addr + (len - 1)) >> line_shift_;
  const std::uint64_t end = addr + len;  // wraps to 0 only when the access ends at 2^64
  const std::uint64_t line_bytes = cfg_.line_bytes;
  const std::uint8_t wmeta = writer_meta(cls, phase);
  const unsigned ways = ways_, ways_pad = ways_pad_;
  tlm::tlm_response_status err = tlm::TLM_OK_RESPONSE;

  std::uint64_t done = arrival;
  const std::uint64_t first_slot = (arrival + occ_units_ - 1) / occ_units_;  // the first slot at or after arrival
  std::uint64_t hits = 0, misses = 0;
  std::uint64_t run_start = 0, run_count = 0, run_at = 0;  // pending coalesced fill
  auto flush_run = [&]() {
    if (run_count) {
      done = std::max(done, fill(run_start, run_count, now, run_at, proto, &err) + occ_units_);
      run_count = 0;
    }
  };

  // The set state of a line `ahead` lines on is prefetched (most lookups of a big cache miss the
  // host's caches); locations wait in a small ring.
  constexpr unsigned ahead = 4;
  std::pair<unsigned, std::size_t> ring[ahead];
  auto prefetch = [&](std::uint64_t line) {
    const auto loc = locate(line);
    const std::uint32_t* t = &tags_[loc.second * ways_pad];
    for (unsigned w = 0; w < ways_pad; w += 16) __builtin_prefetch(t + w);  // (one host line per 16 ways)
    __builtin_prefetch(&aux_[loc.second * aux_stride_]);
    ring[line % ahead] = loc;
  };
  for (std::uint64_t l = first; l - first < ahead && l <= last; ++l) {
    prefetch(l);
    if (l == ~std::uint64_t(0)) break;
  }

  for (std::uint64_t line = first;; ++line) {
    const auto loc = ring[line % ahead];
    if (last - line >= ahead) prefetch(line + ahead);
    const std::uint64_t slot = reserve_slot(loc.first, first_slot);
    std::uint32_t* tags = &tags_[loc.second * ways_pad];
    std::uint8_t* rank = &aux_[loc.second * aux_stride_];
    std::uint8_t* meta = rank + ways_pad;

    const unsigned way = find_way(tags, std::uint32_t(line), ways_pad);
    if (way < ways_pad) {  // hit
      ++hits;
      touch(rank, way, ways_pad);
      if (is_write) meta[way] = wmeta;
      flush_run();
      done = std::max(done, slot + hit_units_);
    } else {  // miss: replace the least recently used way (empty ways always rank oldest)
      ++misses;
      const unsigned victim = way_of_rank(rank, ways - 1);
      if (meta[victim] & meta_dirty) write_back(tags[victim], meta[victim], now, slot, &err);
      tags[victim] = std::uint32_t(line);
      touch(rank, victim, ways_pad);
      meta[victim] = is_write ? wmeta : 0;
      const std::uint64_t base = line << line_shift_;
      const bool whole_line_write = is_write && base >= addr && (end == 0 || end - base >= line_bytes);
      if (whole_line_write) {  // allocate without a fill
        flush_run();
        done = std::max(done, slot + hit_units_);
      } else if (run_count && run_start + run_count == line && run_count < max_fill_lines_) {
        ++run_count;  // extends the pending fill
        run_at = std::max(run_at, slot);
      } else {
        flush_run();
        run_start = line;
        run_count = 1;
        run_at = slot;
      }
    }
    if (line == last) break;
  }
  flush_run();

  hits_[int(cls)] += hits;
  misses_[int(cls)] += misses;
  ++requests_[is_write ? 1 : 0];
  latency_units_ += done - arrival;
  delay = sc_core::sc_time::from_value(done - now);
  gp.set_response_status(err);
  if (err != tlm::TLM_OK_RESPONSE) {
    ++errors_;
    T3VP_LOG(log_level::debug, this, "memory error " << err << " behind access at 0x" << std::hex << addr);
  }
}

void l2_cache::flush(sc_core::sc_time& delay) {
  const std::uint64_t now = sc_core::sc_time_stamp().value();
  const std::uint64_t start = now + delay.value();
  std::uint64_t done = start;
  bool any = false;
  tlm::tlm_response_status err = tlm::TLM_OK_RESPONSE;
  for (unsigned s = 0; s < slices_; ++s) {
    for (std::uint64_t set = 0; set < sets_; ++set) {
      const std::size_t i = std::size_t(s) * sets_ + set;
      std::uint32_t* tags = &tags_[i * ways_pad_];
      std::uint8_t* meta = &aux_[i * aux_stride_ + ways_pad_];
      for (unsigned w = 0; w < ways_; ++w) {
        if (tags[w] == invalid_tag || !(meta[w] & meta_dirty)) continue;
        const std::uint64_t slot = reserve_slot(s, (start + occ_units_ - 1) / occ_units_);
        done = std::max(done, write_back(tags[w], meta[w], now, slot, &err));
        meta[w] &= std::uint8_t(~meta_dirty);
        any = true;
      }
    }
  }
  if (err != tlm::TLM_OK_RESPONSE) T3VP_LOG(log_level::warning, this, "memory error " << err << " during flush");
  if (any) delay = sc_core::sc_time::from_value(done - now);
}

void l2_cache::invalidate_all() { reset_tags(); }

unsigned int l2_cache::transport_dbg(int, tlm::tlm_generic_payload& gp) { return memory_socket->transport_dbg(gp); }

bool l2_cache::get_direct_mem_ptr(int, tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  // No DMI: it would bypass the cache's timing and traffic.
  dmi.allow_none();
  return false;
}

bool l2_cache::contains(std::uint64_t addr) const {
  const std::uint64_t line = addr >> line_shift_;
  const std::uint32_t* tags = &tags_[locate(line).second * ways_pad_];
  return std::find(tags, tags + ways_, line) != tags + ways_;
}

bool l2_cache::is_dirty(std::uint64_t addr) const {
  const std::uint64_t line = addr >> line_shift_;
  const std::size_t set = locate(line).second;
  const std::uint32_t* tags = &tags_[set * ways_pad_];
  for (unsigned w = 0; w < ways_; ++w)
    if (tags[w] == line) return (aux_[set * aux_stride_ + ways_pad_ + w] & meta_dirty) != 0;
  return false;
}

std::uint64_t l2_cache::valid_lines() const {
  return std::uint64_t(std::count_if(tags_.begin(), tags_.end(), [](std::uint32_t t) { return t != invalid_tag; }));
}

std::uint64_t l2_cache::dirty_lines() const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < tags_.size(); ++i)
    n += tags_[i] != invalid_tag && (aux_[(i / ways_pad_) * aux_stride_ + ways_pad_ + i % ways_pad_] & meta_dirty);
  return n;
}

double l2_cache::hit_rate() const {
  const std::uint64_t n = hits() + misses();
  return n ? double(hits()) / double(n) : 0.0;
}

double l2_cache::mean_latency_ns() const {
  const std::uint64_t n = requests_[0] + requests_[1];
  const double units_per_ns = double(sc_core::sc_time(1.0, sc_core::SC_NS).value());
  return n ? double(latency_units_) / double(n) / units_per_ns : 0.0;
}

double l2_cache::mean_bypass_latency_ns() const {
  const double units_per_ns = double(sc_core::sc_time(1.0, sc_core::SC_NS).value());
  return bypass_served_ ? double(bypass_latency_units_) / double(bypass_served_) / units_per_ns : 0.0;
}

void l2_cache::report_stats(stat_sink& s) const {
  s.add("requests.read", double(requests_[0]), "requests", "read requests served through the tag lookup (not bypassed)");
  s.add("requests.write", double(requests_[1]), "requests", "write requests served through the tag lookup (not bypassed)");
  s.add("hits.compute", double(hits_[0]), "lines", "line lookups of compute-class requests that hit");
  s.add("hits.comm", double(hits_[1]), "lines", "line lookups of communication-class requests that hit");
  s.add("misses.compute", double(misses_[0]), "lines", "line lookups of compute-class requests that missed");
  s.add("misses.comm", double(misses_[1]), "lines", "line lookups of communication-class requests that missed");
  s.add("hit_rate", hit_rate(), "ratio", "hits / (hits + misses), all classes, in line lookups");
  s.add("write_backs.compute", double(write_backs_[0]), "lines",
        "dirty lines written back (evictions and flushes) whose last writer was compute-class");
  s.add("write_backs.comm", double(write_backs_[1]), "lines",
        "dirty lines written back (evictions and flushes) whose last writer was communication-class");
  s.add("memory.fill_requests", double(fill_requests_), "requests", "line-fill reads issued to memory (after coalescing)");
  s.add("memory.read_bytes", double(fill_bytes_), "B", "bytes of line fills read from memory (excludes bypassed requests)");
  s.add("memory.write_back_bytes", double(write_back_bytes_), "B", "bytes of write-backs sent to memory (lines x line size)");
  s.add("bypassed.uncached", double(bypassed_uncached_), "requests",
        "read/write requests forwarded to memory because they overlap an uncached range");
  s.add("bypassed.updates", double(bypassed_updates_), "requests", "update requests forwarded to memory");
  s.add("bypassed.total", double(bypassed_requests()), "requests", "bypassed.uncached + bypassed.updates");
  s.add("latency.mean_ns", mean_latency_ns(), "ns",
        "mean over requests.read + requests.write of completion - arrival");
  s.add("latency.bypass_mean_ns", mean_bypass_latency_ns(), "ns",
        "mean over successfully bypassed requests of completion - arrival");
  s.add("errors", double(errors_), "requests", "requests answered with an error response (own checks or memory)");
}

// A slice serves one line per slot of occ_units_; a line takes the first free slot at or after its
// arrival (`first`, in slots), even if later slots are already taken by initiators that ran ahead (temporal decoupling).
std::uint64_t l2_cache::reserve_slot(unsigned slice, std::uint64_t first) {
  const std::uint64_t slot = slots_[slice].next_free(first);
  slots_[slice].mark(slot, 1);
  return slot * occ_units_;
}

}  // namespace t3vp
