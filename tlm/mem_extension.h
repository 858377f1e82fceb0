#pragma once
// The payload extension every t3vp memory transaction carries: what the access does (read, write,
// near-memory update), which traffic class it belongs to (for arbitration), which phase of the
// sublayer it serves (for DRAM byte attribution) and who produced it (for the tracker).
#include <cstdint>
#include <tlm>

namespace t3vp {

enum class mem_op : std::uint8_t { read, write, update };
enum class traffic_class : std::uint8_t { compute, comm };
// DRAM bytes are attributed per phase: the categories of the JSON contract.
enum class traffic_phase : std::uint8_t { gemm, reduce_scatter, all_gather, other };
enum class elem_type : std::uint8_t { fp16, bf16, fp32 };

constexpr int traffic_class_count = 2;
constexpr int traffic_phase_count = 4;
const char* to_string(mem_op op);
const char* to_string(traffic_class c);
const char* to_string(traffic_phase p);
const char* to_string(elem_type t);
unsigned element_bytes(elem_type t);

struct producer_id {
  std::int32_t gpu = -1;
  std::int32_t workgroup = -1;
  std::int32_t wavefront = -1;
  std::int32_t tile = -1;
};

struct mem_extension : tlm::tlm_extension<mem_extension> {
  mem_op op = mem_op::read;
  traffic_class cls = traffic_class::compute;
  traffic_phase phase = traffic_phase::other;
  elem_type dtype = elem_type::fp16;  // element type of an update
  producer_id producer;
  // An access whose data does not matter: a write whose data already reached the backing store (an
  // L2 write-back), a read whose data is discarded (an L2 line fill, an operand load without data).
  // Targets charge its timing but copy no data.
  bool timing_only = false;

  tlm::tlm_extension_base* clone() const override { return new mem_extension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const mem_extension&>(other);
  }
};

// The extension's view of a payload; a payload without one is a plain read or write of class compute.
struct access_info {
  mem_op op;
  traffic_class cls;
  traffic_phase phase;
  elem_type dtype;
  bool timing_only;
};
access_info describe(const tlm::tlm_generic_payload& gp);

}  // namespace t3vp
