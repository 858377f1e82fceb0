#pragma once
// Byte storage allocated on touch in fixed pages: untouched memory reads as zero and costs nothing.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace t3vp {

class sparse_memory {
 public:
  static constexpr unsigned page_bits = 16;  // 64 KiB pages
  static constexpr std::uint64_t page_size = 1ull << page_bits;

  explicit sparse_memory(std::uint64_t capacity) : capacity_(capacity) {}
  ~sparse_memory();
  sparse_memory(const sparse_memory&) = delete;
  sparse_memory& operator=(const sparse_memory&) = delete;

  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t pages_touched() const { return touched_; }

  // Calls fn(ptr, offset_in_request, n) for each page-contiguous piece; allocates pages when `create`.
  // With !create, ptr is nullptr for untouched pages.
  template <typename Fn>
  void for_each_piece(std::uint64_t addr, std::uint64_t len, bool create, Fn&& fn) {
    std::uint64_t done = 0;
    while (done < len) {
      const std::uint64_t a = addr + done;
      const std::uint64_t in_page = a & (page_size - 1);
      const std::uint64_t n = std::min<std::uint64_t>(len - done, page_size - in_page);
      std::uint8_t* p = page(a >> page_bits, create);
      fn(p ? p + in_page : nullptr, done, n);
      done += n;
    }
  }

  void read(std::uint64_t addr, std::uint8_t* dst, std::uint64_t len) {
    for_each_piece(addr, len, false, [&](std::uint8_t* p, std::uint64_t off, std::uint64_t n) {
      if (p) std::memcpy(dst + off, p, n); else std::memset(dst + off, 0, n);
    });
  }
  void write(std::uint64_t addr, const std::uint8_t* src, std::uint64_t len) {
    for_each_piece(addr, len, true, [&](std::uint8_t* p, std::uint64_t off, std::uint64_t n) { std::memcpy(p, src + off, n); });
  }

 private:
  std::uint8_t* page(std::uint64_t index, bool create) {
    if (index >= pages_.size()) {
      if (!create) return nullptr;
      pages_.resize(index + 1, nullptr);
    }
    std::uint8_t*& p = pages_[index];
    if (!p && create) p = new_page();
    return p;
  }
  // A zeroed page carved from the current chunk.
  std::uint8_t* new_page();

  std::uint64_t capacity_;
  std::uint64_t touched_ = 0;
  std::vector<std::uint8_t*> pages_;  // by page index; nullptr: untouched
  // Pages come from 2 MiB chunks mapped straight from the kernel (zero-filled, so no clearing) and
  // marked for transparent huge pages: one page fault per chunk instead of one per 4 KiB, which made
  // up about a tenth of a sublayer run's time. Chunks fill in allocation order, so the memory
  // resident stays what the run touched, rounded up to one chunk.
  std::vector<std::uint8_t*> chunks_;
  std::uint64_t chunk_used_ = 0;  // bytes handed out from chunks_.back()
};

}  // namespace t3vp
