#include "models/hbm/sparse_memory.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/mman.h>

namespace t3vp {

namespace {
constexpr std::uint64_t chunk_size = 2ull << 20;  // one transparent huge page on x86-64

// A chunk_size-aligned, zero-filled mapping (the alignment lets the kernel back it with one huge page).
std::uint8_t* map_chunk() {
  void* m = mmap(nullptr, 2 * chunk_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    throw std::runtime_error(std::string("out of host memory for the simulated memory's data (mapping a 2 MiB chunk: ") +
                             std::strerror(errno) + "); data.mode=off simulates the same timing without storing data");
  const auto base = reinterpret_cast<std::uintptr_t>(m);
  const std::uintptr_t aligned = (base + chunk_size - 1) & ~std::uintptr_t(chunk_size - 1);
  if (aligned > base) munmap(m, aligned - base);
  munmap(reinterpret_cast<void*>(aligned + chunk_size), base + 2 * chunk_size - aligned - chunk_size);
  auto* p = reinterpret_cast<std::uint8_t*>(aligned);
#ifdef MADV_HUGEPAGE
  madvise(p, chunk_size, MADV_HUGEPAGE);  // a hint: without THP the chunk is served in 4 KiB pages
#endif
  return p;
}
}  // namespace

static_assert(chunk_size % sparse_memory::page_size == 0, "pages tile a chunk");

sparse_memory::~sparse_memory() {
  for (std::uint8_t* c : chunks_) munmap(c, chunk_size);
}

std::uint8_t* sparse_memory::new_page() {
  if (chunks_.empty() || chunk_used_ == chunk_size) {
    chunks_.push_back(map_chunk());
    chunk_used_ = 0;
  }
  std::uint8_t* p = chunks_.back() + chunk_used_;
  chunk_used_ += page_size;
  ++touched_;
  return p;
}

}  // namespace t3vp
