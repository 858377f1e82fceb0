#pragma once
// `t3vp study`: the paper's sublayer study (reference/t3.md section 5) in one command. Every point of
// the grid (model x TP degree x sublayer) runs as a compare (all five modes); the points' modes are
// simulated by child processes, --jobs at once across points and modes. The report: per point the
// time of each mode and the speedups, geomean and max speedup per mode (the paper's Fig. 16), DRAM
// traffic by category per mode (Fig. 18); JSON, CSV and SVG charts. Definitions: docs/study.md.
#include <string>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>
#include "platform/config.h"

namespace t3vp {

struct study_point {
  std::string model;  // model table key (mega-gpt-2, ...)
  unsigned tp = 0;    // system.gpus
  std::string sublayer;
};

struct study_options {
  bool large = false;                 // add GPT-3, PaLM, MT-NLG at TP 32
  std::vector<std::string> models;    // restrict (or extend) the models; empty: the paper's
  std::vector<unsigned> tps;          // replace every model's TP degrees; empty: the paper's
  std::vector<std::string> sublayers; // replace the sublayers; empty: op, fc2, fc1, ip
  unsigned jobs = 2;
  bool quiet = false;
};

// The grid in report order (model, then TP, then sublayer). Throws config_error for an unknown
// model or sublayer, or a TP degree out of range.
std::vector<study_point> study_grid(const study_options& o);

struct study_result {
  bool functional_ok = true;
  nlohmann::ordered_json doc;  // {"command", "grid", "config", "points": [...], "summary": {...}}
  std::string table;           // human-readable report
  std::string csv;             // one row per point x mode
  std::vector<std::pair<std::string, std::string>> charts;  // file name -> SVG text
};

study_result run_study(const config& base, const std::string& exe, const study_options& o);

// The summary of a list of points (each {"model", "tp", "sublayer", "compare"}): exposed for tests.
nlohmann::ordered_json study_summary(const nlohmann::ordered_json& points);

}  // namespace t3vp
