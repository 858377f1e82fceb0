#include "platform/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace t3vp {
namespace {

// Colour-blind-safe palette (Okabe-Ito), then greys.
const char* const palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                               "#D55E00", "#F0E442", "#000000", "#999999", "#666666"};

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

// A round tick step (1, 2 or 5 x 10^k) giving about five ticks up to `top`.
double tick_step(double top) {
  if (!(top > 0)) return 1;
  const double raw = top / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

std::string tick_label(double v, double step) {
  char b[32];
  const int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step)));
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

svg_panel bar_chart(const bar_chart_spec& c) {
  const std::size_t ncat = c.categories.size(), nser = c.series.size();
  const double bar_w = c.stacked || nser <= 1 ? 28 : 12, gap = 14;
  const double group_w = (c.stacked ? bar_w : bar_w * double(std::max<std::size_t>(nser, 1))) + gap;
  const double left = 80, top = 48, plot_h = 300, legend_w = 170;
  const double plot_w = std::max(240.0, group_w * double(ncat) + gap);
  // Category labels are rotated; leave room for the longest.
  std::size_t longest = 0;
  for (const auto& s : c.categories) longest = std::max(longest, s.size());
  const double bottom = 40 + 6.0 * double(std::min<std::size_t>(longest, 40));
  svg_panel p;
  p.width = std::max(left + plot_w + 20 + legend_w, 9.5 * double(c.title.size()) + 40);  // room for the title
  p.height = top + plot_h + bottom;

  double ymax = 0;
  for (std::size_t i = 0; i < ncat; ++i) {
    double sum = 0;
    for (const auto& s : c.series) {
      const double v = i < s.values.size() && std::isfinite(s.values[i]) ? std::max(0.0, s.values[i]) : 0.0;
      if (c.stacked) sum += v;
      else ymax = std::max(ymax, v);
    }
    ymax = std::max(ymax, sum);
  }
  if (std::isfinite(c.reference)) ymax = std::max(ymax, c.reference);
  const double step = tick_step(ymax * 1.05);
  const double ytop = std::max(step, std::ceil(ymax * 1.05 / step) * step);
  const auto y_of = [&](double v) { return top + plot_h - v / ytop * plot_h; };

  std::ostringstream os;
  os << "<text x=\"" << num(p.width / 2) << "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">"
     << xml_escape(c.title) << "</text>\n";
  // Grid and y ticks.
  for (double v = 0; v <= ytop + step / 2; v += step) {
    const double y = y_of(v);
    os << "<line x1=\"" << num(left) << "\" y1=\"" << num(y) << "\" x2=\"" << num(left + plot_w) << "\" y2=\"" << num(y)
       << "\" stroke=\"#dddddd\"/>\n";
    os << "<text x=\"" << num(left - 6) << "\" y=\"" << num(y + 4) << "\" text-anchor=\"end\" font-size=\"11\">"
       << tick_label(v, step) << "</text>\n";
  }
  // Bars.
  for (std::size_t i = 0; i < ncat; ++i) {
    const double x0 = left + gap + group_w * double(i);
    double base = 0;
    for (std::size_t s = 0; s < nser; ++s) {
      const auto& vals = c.series[s].values;
      const double v = i < vals.size() && std::isfinite(vals[i]) ? std::max(0.0, vals[i]) : 0.0;
      const double x = c.stacked ? x0 : x0 + bar_w * double(s);
      const double y1 = y_of(base + v), y0 = y_of(base);
      os << "<rect x=\"" << num(x) << "\" y=\"" << num(y1) << "\" width=\"" << num(bar_w - (c.stacked ? 0 : 1))
         << "\" height=\"" << num(y0 - y1) << "\" fill=\"" << palette[s % 10] << "\"><title>"
         << xml_escape(c.categories[i] + ", " + c.series[s].name) << ": " << num(v) << "</title></rect>\n";
      if (c.stacked) base += v;
    }
    const double cx = x0 + (group_w - gap) / 2, cy = top + plot_h + 12;
    os << "<text x=\"" << num(cx) << "\" y=\"" << num(cy) << "\" text-anchor=\"end\" font-size=\"11\" transform=\"rotate(-40 "
       << num(cx) << " " << num(cy) << ")\">" << xml_escape(c.categories[i]) << "</text>\n";
  }
  if (std::isfinite(c.reference)) {
    const double y = y_of(c.reference);
    os << "<line x1=\"" << num(left) << "\" y1=\"" << num(y) << "\" x2=\"" << num(left + plot_w) << "\" y2=\"" << num(y)
       << "\" stroke=\"#333333\" stroke-dasharray=\"6 4\"/>\n";
  }
  // Axes and their labels.
  os << "<line x1=\"" << num(left) << "\" y1=\"" << num(top) << "\" x2=\"" << num(left) << "\" y2=\"" << num(top + plot_h)
     << "\" stroke=\"#000000\"/>\n";
  os << "<line x1=\"" << num(left) << "\" y1=\"" << num(top + plot_h) << "\" x2=\"" << num(left + plot_w) << "\" y2=\""
     << num(top + plot_h) << "\" stroke=\"#000000\"/>\n";
  const double ymid = top + plot_h / 2;
  os << "<text x=\"18\" y=\"" << num(ymid) << "\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 18 "
     << num(ymid) << ")\">" << xml_escape(c.y_label) << "</text>\n";
  os << "<text x=\"" << num(left + plot_w / 2) << "\" y=\"" << num(p.height - 8)
     << "\" text-anchor=\"middle\" font-size=\"12\">" << xml_escape(c.x_label) << "</text>\n";
  // Legend.
  const double lx = left + plot_w + 20;
  for (std::size_t s = 0; s < nser; ++s) {
    const double ly = top + 18.0 * double(s);
    os << "<rect x=\"" << num(lx) << "\" y=\"" << num(ly) << "\" width=\"12\" height=\"12\" fill=\"" << palette[s % 10]
       << "\"/>\n<text x=\"" << num(lx + 18) << "\" y=\"" << num(ly + 10) << "\" font-size=\"11\">"
       << xml_escape(c.series[s].name) << "</text>\n";
  }
  p.body = os.str();
  return p;
}

std::string svg_document(const std::vector<svg_panel>& panels) {
  double w = 0, h = 0;
  for (const auto& p : panels) w += p.width, h = std::max(h, p.height);
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(w)
     << "\" height=\"" << num(h) << "\" viewBox=\"0 0 " << num(w) << " " << num(h)
     << "\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  double x = 0;
  for (const auto& p : panels) {
    os << "<g transform=\"translate(" << num(x) << " 0)\">\n" << p.body << "</g>\n";
    x += p.width;
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace t3vp
