#include "tlm/trace.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace t3vp {
namespace {

trace_sink* active = nullptr;

std::uint64_t ps(const sc_core::sc_time& t) { return std::uint64_t(t.value()) * std::uint64_t(sc_core::sc_get_time_resolution().to_seconds() * 1e12 + 0.5); }

std::string us(std::uint64_t p) {
  char b[48];
  std::snprintf(b, sizeof b, "%llu.%06llu", (unsigned long long)(p / 1000000), (unsigned long long)(p % 1000000));
  return b;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

}  // namespace

trace_sink* active_trace() { return active; }
void set_active_trace(trace_sink* sink) { active = sink; }

trace_sink::trace_sink(double bin_ns) : bin_ps_(std::max<std::uint64_t>(1, std::uint64_t(bin_ns * 1000 + 0.5))) {}

void trace_sink::process_name(int pid, const std::string& name) {
  events_.push_back({'M', pid, 0, "process_name", "__metadata", 0, 0, "\"name\":" + quoted(name)});
}

void trace_sink::thread_name(int pid, int tid, const std::string& name) {
  events_.push_back({'M', pid, tid, "thread_name", "__metadata", 0, 0, "\"name\":" + quoted(name)});
}

void trace_sink::slice(int pid, int tid, const std::string& name, const char* cat, const sc_core::sc_time& begin,
                       const sc_core::sc_time& end, const std::string& args) {
  const std::uint64_t b = ps(begin), e = std::max(b, ps(end));
  events_.push_back({'X', pid, tid, name, cat, b, e - b, args});
}

void trace_sink::instant(int pid, int tid, const std::string& name, const char* cat, const sc_core::sc_time& at,
                         const std::string& args) {
  events_.push_back({'i', pid, tid, name, cat, ps(at), 0, args});
}

void trace_sink::link_busy(int pid, int tid, const std::string& name, const sc_core::sc_time& begin,
                           const sc_core::sc_time& end) {
  const auto key = std::make_pair(pid, tid);
  if (!link_names_.count(key)) link_names_[key] = name;
  auto& bins = link_bins_[key];
  std::uint64_t b = ps(begin);
  const std::uint64_t e = ps(end);
  while (b < e) {
    const std::uint64_t bin = b / bin_ps_, bin_end = (bin + 1) * bin_ps_, upto = std::min(e, bin_end);
    if (bins.size() <= bin) bins.resize(bin + 1, 0);
    bins[bin] += upto - b;
    b = upto;
  }
}

std::string trace_sink::json() const {
  std::vector<event> all = events_;
  // Link occupancy: one counter sample per bin where the value changes, and a final 0.
  for (const auto& [key, bins] : link_bins_) {
    const std::string& name = link_names_.at(key);
    double last = -1;
    for (std::size_t i = 0; i <= bins.size(); ++i) {
      const double pct = i < bins.size() ? 100.0 * double(bins[i]) / double(bin_ps_) : 0.0;
      if (pct == last) continue;
      last = pct;
      char v[64];
      std::snprintf(v, sizeof v, "\"busy_percent\":%.2f", pct);
      all.push_back({'C', key.first, key.second, name, "link", std::uint64_t(i) * bin_ps_, 0, v});
    }
  }
  // Metadata first, then by time; ties keep arrival order.
  std::stable_sort(all.begin(), all.end(), [](const event& a, const event& b) {
    if ((a.ph == 'M') != (b.ph == 'M')) return a.ph == 'M';
    return a.ts_ps < b.ts_ps;
  });
  std::ostringstream os;
  os << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[";
  bool first = true;
  for (const event& e : all) {
    os << (first ? "\n" : ",\n");
    first = false;
    os << "{\"ph\":\"" << e.ph << "\",\"name\":" << quoted(e.name) << ",\"cat\":" << quoted(e.cat)
       << ",\"pid\":" << e.pid << ",\"tid\":" << e.tid << ",\"ts\":" << us(e.ts_ps);
    if (e.ph == 'X') os << ",\"dur\":" << us(e.dur_ps);
    if (e.ph == 'i') os << ",\"s\":\"t\"";
    os << ",\"args\":{" << e.args << "}}";
  }
  os << "\n]}\n";
  return os.str();
}

}  // namespace t3vp
