#pragma once
// An address map: non-overlapping [base, base+size) ranges, each naming a target index.
#include <cstdint>
#include <string>
#include <vector>

namespace t3vp {

struct address_range {
  std::uint64_t base = 0;
  std::uint64_t size = 0;
  int target = -1;
  std::string name;
  std::uint64_t end() const { return base + size; }
};

class address_map {
 public:
  // Throws std::invalid_argument on an empty or overlapping range.
  void add(std::uint64_t base, std::uint64_t size, int target, const std::string& name);
  // The range holding addr, or nullptr.
  const address_range* find(std::uint64_t addr) const;
  // The range holding all of [addr, addr+len), or nullptr (unmapped or straddling two ranges).
  const address_range* find(std::uint64_t addr, std::uint64_t len) const;
  const std::vector<address_range>& ranges() const { return ranges_; }

 private:
  std::vector<address_range> ranges_;  // sorted by base
};

}  // namespace t3vp
