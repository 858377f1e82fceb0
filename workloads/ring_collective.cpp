#include "workloads/ring_collective.h"

#include <stdexcept>
#include "workloads/workgroup_order.h"

namespace t3vp {

const char* to_string(ring_op op) { return op == ring_op::reduce_scatter ? "reduce-scatter" : "all-gather"; }

std::uint64_t ring_chunk_offset(const ring_tensor& t, unsigned devices, std::uint32_t c) {
  return chunk_rows(t.rows, devices, c).first * t.cols * t.element_bytes;
}

std::uint64_t ring_chunk_bytes(const ring_tensor& t, unsigned devices, std::uint32_t c) {
  return chunk_rows(t.rows, devices, c).count * t.cols * t.element_bytes;
}

ring_program make_ring_program(ring_op op, const ring_tensor& t, unsigned p, unsigned g) {
  if (p < 2) throw std::invalid_argument("a ring collective needs at least 2 devices (got " + std::to_string(p) + ")");
  if (g >= p) throw std::invalid_argument("rank " + std::to_string(g) + " out of range [0, " + std::to_string(p) + ")");
  ring_program prog;
  prog.op = op;
  prog.devices = p;
  prog.rank = g;
  prog.to = (g + p - 1) % p;
  prog.from = (g + 1) % p;
  auto chunk_step = [&](unsigned s, std::uint32_t c) {
    ring_step st;
    st.step = s;
    st.chunk = c;
    st.offset = ring_chunk_offset(t, p, c);
    st.bytes = ring_chunk_bytes(t, p, c);
    return st;
  };
  if (op == ring_op::reduce_scatter) {
    for (unsigned s = 1; s <= p; ++s) {
      ring_step st = chunk_step(s, (g + s) % p);
      st.src = t.buffer + st.offset;
      if (s > 1) {
        st.wait_incoming = st.add = true;
        st.recv = t.recv + st.offset;
        prog.incoming.push_back({st.chunk, st.bytes});
      }
      st.send = s < p;
      st.dst = st.send ? t.recv + st.offset : t.buffer + st.offset;
      prog.steps.push_back(st);
    }
  } else {
    for (unsigned s = 1; s < p; ++s) {
      ring_step st = chunk_step(s, (g + s - 1) % p);
      st.wait_incoming = s > 1;
      st.src = st.dst = t.buffer + st.offset;
      prog.steps.push_back(st);
    }
    for (unsigned s = 1; s < p; ++s) {
      const std::uint32_t c = (g + s) % p;
      prog.incoming.push_back({c, ring_chunk_bytes(t, p, c)});
    }
  }
  return prog;
}

ring_dram_bytes ring_dram_traffic(ring_op op, const ring_tensor& t, unsigned p, unsigned g) {
  ring_dram_bytes b;
  const ring_program prog = make_ring_program(op, t, p, g);
  for (const ring_step& s : prog.steps) {
    b.read += s.bytes * (s.add ? 2 : 1);
    if (!s.send) b.write += s.bytes;
  }
  for (const auto& in : prog.incoming) b.write += in.second;
  return b;
}

std::uint64_t ring_link_bytes(ring_op op, const ring_tensor& t, unsigned p, unsigned g) {
  std::uint64_t bytes = 0;
  for (const ring_step& s : make_ring_program(op, t, p, g).steps)
    if (s.send) bytes += s.bytes;
  return bytes;
}

}  // namespace t3vp
