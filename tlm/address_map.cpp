#include "tlm/address_map.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace t3vp {

void address_map::add(std::uint64_t base, std::uint64_t size, int target, const std::string& name) {
  if (size == 0) throw std::invalid_argument("address range '" + name + "' is empty");
  if (base + size < base) throw std::invalid_argument("address range '" + name + "' wraps around");
  for (const auto& r : ranges_) {
    if (base < r.end() && r.base < base + size) {
      std::ostringstream os;
      os << "address range '" << name << "' overlaps '" << r.name << "'";
      throw std::invalid_argument(os.str());
    }
  }
  address_range r{base, size, target, name};
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), base,
                             [](std::uint64_t a, const address_range& x) { return a < x.base; });
  ranges_.insert(it, r);
}

const address_range* address_map::find(std::uint64_t addr) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), addr,
                             [](std::uint64_t a, const address_range& x) { return a < x.base; });
  if (it == ranges_.begin()) return nullptr;
  --it;
  return addr < it->end() ? &*it : nullptr;
}

const address_range* address_map::find(std::uint64_t addr, std::uint64_t len) const {
  const address_range* r = find(addr);
  if (!r || len == 0) return r;
  if (addr + len < addr || addr + len > r->end()) return nullptr;
  return r;
}

}  // namespace t3vp
