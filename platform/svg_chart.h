#pragma once
// Hand-written SVG bar charts (no dependency): grouped or stacked bars with a title, labelled axes
// with units, ticks, a legend, and an optional dashed reference line (1.0 on a speedup axis).
// Output is deterministic text (fixed number formatting), so charts diff cleanly.
#include <limits>
#include <string>
#include <vector>

namespace t3vp {

struct bar_series {
  std::string name;            // legend entry
  std::vector<double> values;  // one per category
};

struct bar_chart_spec {
  std::string title, x_label, y_label;  // y_label carries the unit, e.g. "speedup over sequential (x)"
  std::vector<std::string> categories;  // the groups along x
  std::vector<bar_series> series;       // grouped: one bar per series in each group; stacked: one segment
  bool stacked = false;
  double reference = std::numeric_limits<double>::quiet_NaN();  // dashed horizontal line, if a number
};

struct svg_panel {
  std::string body;  // SVG elements, drawn from (0, 0)
  double width = 0, height = 0;
};

svg_panel bar_chart(const bar_chart_spec& spec);
// One SVG document with the panels side by side (white background).
std::string svg_document(const std::vector<svg_panel>& panels);
std::string xml_escape(const std::string& s);

}  // namespace t3vp
