#include "tlm/register_bank.h"

#include <cstring>
#include <stdexcept>
#include <nlohmann/json.hpp>

namespace t3vp {

const char* to_string(reg_access a) {
  switch (a) {
    case reg_access::ro: return "RO";
    case reg_access::rw: return "RW";
    case reg_access::wo: return "WO";
    case reg_access::w1c: return "W1C";
  }
  return "?";
}

void register_bank::add(const reg_def& def, write_hook on_write, read_hook on_read) {
  if (def.offset % 8) throw std::invalid_argument("register '" + def.name + "' is not 8-byte aligned");
  for (const auto& d : defs_)
    if (d.offset == def.offset || d.name == def.name)
      throw std::invalid_argument("register '" + def.name + "' duplicates '" + d.name + "'");
  defs_.push_back(def);
  regs_.push_back({def.reset, std::move(on_write), std::move(on_read)});
}

std::size_t register_bank::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < defs_.size(); ++i)
    if (defs_[i].name == name) return i;
  throw std::logic_error("internal: no register '" + name + "'");
}

std::uint64_t register_bank::get(const std::string& name) const { return regs_[index_of(name)].value; }
void register_bank::set(const std::string& name, std::uint64_t v) { regs_[index_of(name)].value = v; }

void register_bank::reset() {
  for (std::size_t i = 0; i < defs_.size(); ++i) regs_[i].value = defs_[i].reset;
}

void register_bank::access(tlm::tlm_generic_payload& gp, bool debug) {
  const std::uint64_t addr = gp.get_address();
  if (gp.get_data_length() != 8 || addr % 8 || gp.get_byte_enable_ptr()) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  std::size_t i = 0;
  while (i < defs_.size() && defs_[i].offset != addr) ++i;
  if (i == defs_.size()) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const reg_def& d = defs_[i];
  reg& r = regs_[i];
  std::uint64_t v = 0;
  if (gp.is_read()) {
    if (d.access != reg_access::wo) v = (r.on_read && !debug) ? r.on_read() : r.value;
    std::memcpy(gp.get_data_ptr(), &v, 8);
  } else if (gp.is_write()) {
    std::memcpy(&v, gp.get_data_ptr(), 8);
    if (d.access == reg_access::ro) {
      gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
      return;
    }
    if (d.access == reg_access::w1c) r.value &= ~v;
    else r.value = v;
    if (r.on_write && !debug) r.on_write(v);
  } else {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

std::string register_bank::describe_json() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& d : defs_)
    list.push_back({{"name", d.name}, {"offset", d.offset}, {"reset", d.reset}, {"access", to_string(d.access)},
                    {"description", d.description}});
  return list.dump(2);
}

}  // namespace t3vp
