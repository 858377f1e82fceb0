#pragma once
// `t3vp sweep` and `t3vp merge`: sweeps over any parameters. A grid file is a JSON list of axes
// {"key": "dotted.key" | "mode", "values": [...]}; its points are the cartesian product in document
// order (the last axis varies fastest), numbered from 0. Each point runs as a child process (`run` in
// the point's mode, or `compare` when no mode is given), --jobs at once; --shard i/n keeps the points
// whose index % n == i. Results are JSON lines (one object per point, in index order), which
// `t3vp merge` joins into one table. Recipes for Slurm and GNU parallel: docs/sweeps.md.
#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>
#include "platform/config.h"

namespace t3vp {

struct sweep_axis {
  std::string key;                            // a parameter's dotted key, or "mode"
  std::vector<nlohmann::ordered_json> values;  // scalars
};

// The most points a grid may have (a sweep's point list and a merge's table are held in memory).
constexpr std::size_t max_sweep_points = 10'000'000;

struct sweep_grid {
  std::vector<sweep_axis> axes;
  std::size_t size() const;
  // The (key, value) pairs of point i, one per axis in document order.
  std::vector<std::pair<std::string, nlohmann::ordered_json>> point(std::size_t i) const;
};

// Throws config_error naming the file and the problem (not JSON, not a list of axes, an unknown key,
// an empty or non-scalar value list, a repeated value, an unknown mode, a repeated key, more than
// max_sweep_points points).
sweep_grid load_sweep_grid(const std::string& path);

struct shard_spec {
  std::size_t index = 0, count = 1;
};
// "i/n" with 0 <= i < n; throws config_error otherwise.
shard_spec parse_shard(const std::string& text);

struct sweep_options {
  unsigned jobs = 2;
  shard_spec shard;
  std::string mode;  // used when the grid has no "mode" axis; "": compare every mode
  bool quiet = false;
};

// Checks the configuration of every point of the shard (throws config_error naming the first bad one).
void check_sweep_points(const config& base, const sweep_grid& grid, const sweep_options& o);

// Runs the shard's points and writes one JSON line per point to `out`, in index order, as points
// finish. Returns the exit code: 0, 1 when a point's functional check failed, 3 when a point could
// not run (its line holds the exit code and the child's error).
int run_sweep(const config& base, const std::string& exe, const sweep_grid& grid, const sweep_options& o,
              std::ostream& out);

struct merge_result {
  std::string table;            // human-readable, one row per point (x mode for compare points)
  nlohmann::ordered_json doc;   // {"command": "merge", "points": N, "missing": [...], "results": [...]}
  std::string csv;
  std::vector<std::size_t> missing;  // indices of the grid that no file holds
};

// Reads JSON-lines files, orders the points by index, drops wall-clock fields. Throws config_error
// for an unreadable file or a directory, files without any line, a line that is not JSON or lacks a
// field of sweep's line format (or has it with the wrong type), lines of different grids (point
// count, axes or command), or two different results for one index.
merge_result merge_sweep(const std::vector<std::string>& files);

}  // namespace t3vp
