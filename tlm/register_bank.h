#pragma once
// Memory-mapped registers of a peripheral, declared as data (name, offset, reset value, access,
// description) so that the model, its documentation and the machine-readable register description
// RTL is written from all come from one table. 64-bit registers, accessed as aligned 8-byte words.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include <tlm>

namespace t3vp {

enum class reg_access { ro, rw, wo, w1c };
const char* to_string(reg_access a);

struct reg_def {
  std::string name;
  std::uint64_t offset;
  std::uint64_t reset;
  reg_access access;
  std::string description;
};

class register_bank {
 public:
  using write_hook = std::function<void(std::uint64_t value)>;
  using read_hook = std::function<std::uint64_t()>;

  // Throws std::invalid_argument on a misaligned or duplicate offset.
  void add(const reg_def& def, write_hook on_write = {}, read_hook on_read = {});

  // A TLM access to the bank (address relative to its base): sets the response status. Reads of
  // write-only registers return 0; writes to read-only registers are command errors; unaligned or
  // partial accesses are burst errors; holes are address errors. debug=true has no side effects.
  void access(tlm::tlm_generic_payload& gp, bool debug);

  std::uint64_t get(const std::string& name) const;
  void set(const std::string& name, std::uint64_t v);  // internal update (hardware side)
  const std::vector<reg_def>& definitions() const { return defs_; }
  void reset();
  // The register map as JSON text: [{"name", "offset", "reset", "access", "description"}...].
  std::string describe_json() const;

 private:
  struct reg {
    std::uint64_t value;
    write_hook on_write;
    read_hook on_read;
  };
  std::size_t index_of(const std::string& name) const;
  std::vector<reg_def> defs_;
  std::vector<reg> regs_;
};

}  // namespace t3vp
