// Workload description layer: model table, sublayer -> per-device GEMM shape and collective, GEMM tiling,
// workgroup dispatch orders and T3's chunk/stage schedule. Pure C++ (no SystemC kernel).
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "workloads/model_table.h"
#include "workloads/sublayer.h"
#include "workloads/tiling.h"
#include "workloads/workgroup_order.h"

using namespace t3vp;

namespace {
std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// Every output element covered exactly once by the tiles, and by the active wavefronts of the tiles.
void check_coverage(const gemm_tiling& t) {
  const std::uint64_t m = t.shape().m, n = t.shape().n;
  std::vector<int> by_tile(m * n, 0), by_wave(m * n, 0);
  for (std::uint32_t id = 0; id < t.tile_count(); ++id) {
    const tile_rect r = t.tile(id);
    REQUIRE_FALSE(r.empty());
    REQUIRE(r.rows <= t.params().tile_m);
    REQUIRE(r.cols <= t.params().tile_n);
    REQUIRE(t.tile_id(t.tile_row_of(id), t.tile_col_of(id)) == id);
    for (std::uint64_t i = r.row; i < r.row + r.rows; ++i)
      for (std::uint64_t j = r.col; j < r.col + r.cols; ++j) {
        ++by_tile[i * n + j];
        REQUIRE(t.tile_at(i, j) == id);
      }
    std::uint32_t active = 0;
    for (std::uint32_t w = 0; w < t.wavefronts_per_tile(); ++w) {
      const tile_rect wr = t.wavefront(id, w);
      if (wr.empty()) continue;
      ++active;
      REQUIRE(wr.row >= r.row);
      REQUIRE(wr.col >= r.col);
      REQUIRE(wr.row + wr.rows <= r.row + r.rows);
      REQUIRE(wr.col + wr.cols <= r.col + r.cols);
      for (std::uint64_t i = wr.row; i < wr.row + wr.rows; ++i)
        for (std::uint64_t j = wr.col; j < wr.col + wr.cols; ++j) ++by_wave[i * n + j];
    }
    REQUIRE(active == t.active_wavefronts(id));
  }
  REQUIRE(std::all_of(by_tile.begin(), by_tile.end(), [](int c) { return c == 1; }));
  REQUIRE(std::all_of(by_wave.begin(), by_wave.end(), [](int c) { return c == 1; }));
}

bool is_permutation_of_tiles(const std::vector<std::uint32_t>& order, std::uint32_t count) {
  if (order.size() != count) return false;
  std::vector<std::uint32_t> sorted(order);
  std::sort(sorted.begin(), sorted.end());
  for (std::uint32_t i = 0; i < count; ++i)
    if (sorted[i] != i) return false;
  return true;
}
}  // namespace

TEST_CASE("model table holds the public models and custom", "[workloads]") {
  REQUIRE(model_names() == std::vector<std::string>{"mega-gpt-2", "t-nlg", "gpt-3", "palm", "mt-nlg", "custom"});
  const model_spec& mega = find_model("mega-gpt-2");
  CHECK(mega.hidden == 3072);
  CHECK(mega.layers == 72);
  CHECK(mega.heads == 32);
  CHECK(mega.ffn == 4 * 3072);
  const model_spec& tnlg = find_model("T-NLG");  // case-insensitive
  CHECK(tnlg.hidden == 4256);
  CHECK(tnlg.layers == 78);
  CHECK(tnlg.heads == 28);
  CHECK(tnlg.ffn == 4 * 4256);
  CHECK(find_model("GPT-3").hidden == 12288);
  CHECK(find_model("gpt-3").heads == 96);
  CHECK(find_model("gpt-3").layers == 96);
  CHECK(find_model("PaLM").hidden == 18432);
  CHECK(find_model("palm").ffn == 73728);
  CHECK(find_model("palm").layers == 118);
  CHECK(find_model("palm").heads == 48);
  CHECK(find_model("Mt-Nlg").hidden == 20480);
  CHECK(find_model("mt-nlg").layers == 105);
  CHECK(find_model("mt-nlg").heads == 128);
  CHECK(find_model("mt-nlg").ffn == 4 * 20480);
  CHECK(find_model("CUSTOM").custom);
  CHECK_FALSE(find_model("gpt-3").custom);
  CHECK(is_known_model("Mega-GPT-2"));
  CHECK_FALSE(is_known_model("gpt-4"));
}

TEST_CASE("unknown model names the model and lists the valid ones", "[workloads]") {
  REQUIRE_THROWS_AS(find_model("gpt-4"), std::invalid_argument);
  const std::string msg = what_of([] { find_model("gpt-4"); });
  CHECK(msg.find("'gpt-4'") != std::string::npos);
  CHECK(msg.find("workload.model") != std::string::npos);
  for (const std::string& name : model_names()) CHECK(msg.find(name) != std::string::npos);
  CHECK_THROWS_AS(find_model(""), std::invalid_argument);
}

TEST_CASE("sublayer names, passes and collectives parse", "[workloads]") {
  CHECK(parse_sublayer("op") == sublayer_kind::op);
  CHECK(parse_sublayer("FC2") == sublayer_kind::fc2);
  CHECK(parse_sublayer("fc1") == sublayer_kind::fc1);
  CHECK(parse_sublayer("ip") == sublayer_kind::ip);
  CHECK(pass_of(sublayer_kind::op) == pass_kind::forward);
  CHECK(pass_of(sublayer_kind::fc2) == pass_kind::forward);
  CHECK(pass_of(sublayer_kind::fc1) == pass_kind::backward);
  CHECK(pass_of(sublayer_kind::ip) == pass_kind::backward);
  for (sublayer_kind s : all_sublayers()) CHECK(parse_sublayer(to_string(s)) == s);
  const std::string msg = what_of([] { parse_sublayer("qkv"); });
  CHECK(msg.find("workload.sublayer") != std::string::npos);
  CHECK(msg.find("'qkv'") != std::string::npos);
  CHECK(parse_collective("all-reduce") == collective_kind::all_reduce);
  CHECK(parse_collective("Reduce-Scatter") == collective_kind::reduce_scatter);
  CHECK(parse_collective("all-gather") == collective_kind::all_gather);
  CHECK(parse_collective("none") == collective_kind::none);
  CHECK(what_of([] { parse_collective("broadcast"); }).find("workload.collective") != std::string::npos);
}

TEST_CASE("T-NLG per-device shapes at TP 8 with 8192 tokens", "[workloads]") {
  const model_spec& m = find_model("t-nlg");
  CHECK(sublayer_gemm(m, sublayer_kind::op, 8192, 8) == gemm_shape{8192, 4256, 532});
  CHECK(sublayer_gemm(m, sublayer_kind::fc2, 8192, 8) == gemm_shape{8192, 4256, 2128});
  CHECK(sublayer_gemm(m, sublayer_kind::fc1, 8192, 8) == gemm_shape{8192, 4256, 2128});
  CHECK(sublayer_gemm(m, sublayer_kind::ip, 8192, 8) == gemm_shape{8192, 4256, 1596});
  const collective_spec c = sublayer_collective(sublayer_gemm(m, sublayer_kind::fc2, 8192, 8));
  CHECK(c.kind == collective_kind::all_reduce);
  CHECK(c.rows == 8192);
  CHECK(c.cols == 4256);
  CHECK(c.element_bytes == 2);
  CHECK(c.bytes == 2ull * 8192 * 4256);
  CHECK(sublayer_collective(gemm_shape{4, 5, 6}, collective_kind::none).bytes == 0);
  CHECK(sublayer_gemm(m, sublayer_kind::fc2, 8192, 8).flops() == Approx(2.0 * 8192 * 4256 * 2128));
}

TEST_CASE("Mega-GPT-2 per-device shapes at TP 16", "[workloads]") {
  const model_spec& m = find_model("mega-gpt-2");
  CHECK(sublayer_gemm(m, sublayer_kind::op, 4096, 16) == gemm_shape{4096, 3072, 192});
  CHECK(sublayer_gemm(m, sublayer_kind::fc2, 4096, 16) == gemm_shape{4096, 3072, 768});
  CHECK(sublayer_gemm(m, sublayer_kind::fc1, 4096, 16) == gemm_shape{4096, 3072, 768});
  CHECK(sublayer_gemm(m, sublayer_kind::ip, 4096, 16) == gemm_shape{4096, 3072, 576});
  for (sublayer_kind s : all_sublayers())
    for (std::uint32_t g = 0; g < 16; ++g)
      CHECK(sublayer_gemm_for_device(m, s, 4096, 16, g) == sublayer_gemm(m, s, 4096, 16));
  // The large models at TP 32 divide evenly; PaLM's FFN is not 4H.
  CHECK(sublayer_gemm(find_model("palm"), sublayer_kind::fc2, 2048, 32) == gemm_shape{2048, 18432, 2304});
  CHECK(sublayer_gemm(find_model("mt-nlg"), sublayer_kind::op, 2048, 32) == gemm_shape{2048, 20480, 640});
  CHECK(sublayer_gemm(find_model("gpt-3"), sublayer_kind::ip, 2048, 32) == gemm_shape{2048, 12288, 1152});
}

TEST_CASE("uneven K is split in balanced contiguous slices with ceil as the per-device shape", "[workloads]") {
  // T-NLG OP at TP 3: K_total = 4256 = 3 * 1418 + 2.
  const model_spec& m = find_model("t-nlg");
  CHECK(sublayer_gemm(m, sublayer_kind::op, 1024, 3).k == 1419);
  CHECK(k_for_device(4256, 3, 0) == 1419);
  CHECK(k_for_device(4256, 3, 1) == 1419);
  CHECK(k_for_device(4256, 3, 2) == 1418);
  CHECK(sublayer_gemm_for_device(m, sublayer_kind::op, 1024, 3, 2).k == 1418);
  for (std::uint64_t total : {10ull, 11ull, 17ull, 4256ull, 73728ull})
    for (std::uint32_t n : {1u, 2u, 3u, 5u, 7u, 8u}) {
      std::uint64_t sum = 0, max_k = 0, min_k = ~0ull;
      for (std::uint32_t g = 0; g < n; ++g) {
        CHECK(k_offset_for_device(total, n, g) == sum);  // contiguous
        const std::uint64_t k = k_for_device(total, n, g);
        sum += k;
        max_k = std::max(max_k, k);
        min_k = std::min(min_k, k);
      }
      CHECK(sum == total);
      CHECK(max_k == ceil_div(total, n));
      CHECK(max_k - min_k <= 1);
    }
  workload_params p;
  p.model = "t-nlg";
  p.sublayer = "op";
  p.tp = 3;
  p.tokens = 1024;
  const workload w = resolve_workload(p);
  CHECK_FALSE(w.k_even);
  CHECK(w.k_total == 4256);
  CHECK(w.gemm.k == 1419);
  CHECK(w.gemm_for_device(2).k == 1418);
  CHECK_THROWS_AS(w.gemm_for_device(3), std::invalid_argument);
  CHECK_THROWS_AS(k_for_device(10, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(k_for_device(10, 4, 4), std::invalid_argument);
}

TEST_CASE("resolve_workload gives the default sublayer and custom GEMMs", "[workloads]") {
  const workload def = resolve_workload(workload_params{});  // T-NLG FC-2, TP 8, 8192 tokens
  CHECK(def.model->key == "t-nlg");
  CHECK(def.sublayer == sublayer_kind::fc2);
  CHECK(def.tp == 8);
  CHECK(def.gemm == gemm_shape{8192, 4256, 2128});
  CHECK(def.k_total == 4 * 4256);
  CHECK(def.k_even);
  CHECK(def.collective.bytes == 2ull * 8192 * 4256);

  workload_params p;
  p.model = "Custom";
  p.m = 300;
  p.n = 200;
  p.k = 64;
  p.tp = 4;
  p.collective = "reduce-scatter";
  const workload c = resolve_workload(p);
  CHECK(c.model->custom);
  CHECK(c.gemm == gemm_shape{300, 200, 64});
  CHECK(c.gemm_for_device(3) == gemm_shape{300, 200, 64});
  CHECK(c.k_total == 256);
  CHECK(c.collective.kind == collective_kind::reduce_scatter);
  CHECK(c.collective.bytes == 2ull * 300 * 200);
}

TEST_CASE("bad workload inputs throw naming the parameter", "[workloads]") {
  const model_spec& m = find_model("t-nlg");
  CHECK(what_of([&] { sublayer_gemm(m, sublayer_kind::fc2, 0, 8); }).find("workload.tokens") != std::string::npos);
  CHECK(what_of([&] { sublayer_gemm(m, sublayer_kind::fc2, 8192, 0); }).find("system.gpus") != std::string::npos);
  CHECK(what_of([&] { sublayer_gemm(m, sublayer_kind::fc2, max_gemm_dimension + 1, 8); }).find("workload.tokens") !=
        std::string::npos);
  CHECK(what_of([] { sublayer_gemm(find_model("mega-gpt-2"), sublayer_kind::op, 8192, 4096); }).find("exceeds") !=
        std::string::npos);  // K_total = 3072 < N
  CHECK(what_of([&] { sublayer_gemm(m, sublayer_kind::op, 8192, max_tp_degree + 1); }).find("system.gpus") !=
        std::string::npos);
  CHECK(what_of([&] { sublayer_gemm(find_model("custom"), sublayer_kind::op, 8192, 8); }).find("custom") !=
        std::string::npos);
  CHECK(what_of([] { custom_gemm(0, 1, 1); }).find("workload.m") != std::string::npos);
  CHECK(what_of([] { custom_gemm(1, 0, 1); }).find("workload.n") != std::string::npos);
  CHECK(what_of([] { custom_gemm(1, 1, 0); }).find("workload.k") != std::string::npos);
  workload_params p;
  p.model = "custom";  // m, n, k left at 0
  CHECK(what_of([&] { resolve_workload(p); }).find("workload.m") != std::string::npos);
  p = workload_params{};
  p.tp = 0;
  CHECK(what_of([&] { resolve_workload(p); }).find("system.gpus") != std::string::npos);
  p = workload_params{};
  p.model = "bloom";
  CHECK(what_of([&] { resolve_workload(p); }).find("'bloom'") != std::string::npos);
  CHECK_THROWS_AS(ceil_div(1, 0), std::invalid_argument);
}

TEST_CASE("tiling covers every output element exactly once", "[workloads]") {
  SECTION("ragged 300 x 200 with 128 x 128 tiles") {
    const gemm_tiling t(gemm_shape{300, 200, 100});
    CHECK(t.params().tile_m == 128);
    CHECK(t.params().tile_n == 128);
    REQUIRE(t.tile_rows() == 3);
    REQUIRE(t.tile_cols() == 2);
    REQUIRE(t.tile_count() == 6);
    CHECK(t.tile(0) == tile_rect{0, 0, 128, 128});
    CHECK(t.tile(1) == tile_rect{0, 128, 128, 72});
    CHECK(t.tile(4) == tile_rect{256, 0, 44, 128});
    CHECK(t.tile(5) == tile_rect{256, 128, 44, 72});
    CHECK_FALSE(t.is_edge_tile(0));
    CHECK(t.is_edge_tile(1));
    CHECK(t.is_edge_tile(5));
    CHECK(t.wavefronts_per_tile() == 4);
    CHECK(t.active_wavefronts(0) == 4);
    CHECK(t.active_wavefronts(1) == 4);  // 128 x 72: the right wavefronts are 64 x 8
    CHECK(t.active_wavefronts(4) == 2);  // 44 x 128: only the top wavefront row
    CHECK(t.active_wavefronts(5) == 2);
    CHECK(t.wavefront(5, 1) == tile_rect{256, 192, 44, 8});
    CHECK(t.wavefront(5, 2).empty());
    CHECK(t.wavefront_id(5, 3) == 23);
    CHECK(t.k_steps() == 4);  // 100 = 3 * 32 + 4
    CHECK(t.k_step_size(0) == 32);
    CHECK(t.k_step_size(3) == 4);
    CHECK_THROWS_AS(t.k_step_size(4), std::out_of_range);
    check_coverage(t);
  }
  SECTION("exact multiples, small tiles and odd sub-tiles") {
    check_coverage(gemm_tiling(gemm_shape{256, 384, 64}));
    check_coverage(gemm_tiling(gemm_shape{1, 1, 1}));
    check_coverage(gemm_tiling(gemm_shape{97, 61, 5}, tiling_params{16, 24, 8, 8, 4}));
    check_coverage(gemm_tiling(gemm_shape{50, 70, 33}, tiling_params{20, 30, 5, 10, 7}));
  }
  SECTION("full-size tile counts") {
    const gemm_tiling t(gemm_shape{8192, 4256, 2128});
    CHECK(t.tile_rows() == 64);
    CHECK(t.tile_cols() == 34);  // 4256 = 33 * 128 + 32
    CHECK(t.tile(t.tile_id(0, 33)).cols == 32);
    CHECK(t.k_steps() == 67);    // 2128 = 66 * 32 + 16
    CHECK(t.k_step_size(66) == 16);
  }
}

TEST_CASE("bad tiling parameters and shapes throw", "[workloads]") {
  const gemm_shape s{256, 256, 64};
  auto bad = [&](tiling_params p) { return what_of([&] { gemm_tiling t(s, p); }); };
  tiling_params p;
  p.tile_m = 0;
  CHECK(bad(p).find("tile_m") != std::string::npos);
  p = tiling_params{};
  p.tile_n = max_tile_dim + 1;
  CHECK(bad(p).find("tile_n") != std::string::npos);
  p = tiling_params{};
  p.k_step = 0;
  CHECK(bad(p).find("k_step") != std::string::npos);
  p = tiling_params{};
  p.k_step = max_k_step + 1;
  CHECK(bad(p).find("k_step") != std::string::npos);
  p = tiling_params{};
  p.wave_m = 0;
  CHECK(bad(p).find("wave_m") != std::string::npos);
  p = tiling_params{};
  p.wave_m = 256;  // larger than the tile
  CHECK(bad(p).find("wave_m") != std::string::npos);
  p = tiling_params{};
  p.wave_n = 48;  // does not divide 128
  CHECK(bad(p).find("wave_n") != std::string::npos);
  p = tiling_params{};
  p.wave_m = 16;
  p.wave_n = 16;  // 64 wavefronts per workgroup
  CHECK(bad(p).find("wavefronts") != std::string::npos);
  CHECK_THROWS_AS(gemm_tiling(gemm_shape{0, 256, 64}), std::invalid_argument);
  CHECK_THROWS_AS(gemm_tiling(gemm_shape{256, 0, 64}), std::invalid_argument);
  CHECK_THROWS_AS(gemm_tiling(gemm_shape{256, 256, 0}), std::invalid_argument);
  // Too many ids for int32 producer ids.
  CHECK_THROWS_AS(gemm_tiling(gemm_shape{1ull << 20, 1ull << 20, 1}, tiling_params{1, 1, 1, 1, 1}),
                  std::invalid_argument);
  const gemm_tiling t(s);
  CHECK_THROWS_AS(t.tile(t.tile_count()), std::out_of_range);
  CHECK_THROWS_AS(t.tile_id(2, 0), std::out_of_range);
  CHECK_THROWS_AS(t.tile_at(256, 0), std::out_of_range);
  CHECK_THROWS_AS(t.wavefront(0, 4), std::out_of_range);
}

TEST_CASE("dispatch orders are permutations of all tiles", "[workloads]") {
  const std::vector<gemm_shape> shapes = {{300, 200, 64}, {1024, 512, 64}, {8192, 4256, 2128}, {5, 7, 3}};
  for (const gemm_shape& s : shapes)
    for (std::uint32_t n : {1u, 2u, 3u, 4u, 8u, 16u}) {
      const gemm_tiling t(s);
      for (workgroup_order o : {workgroup_order::row_major, workgroup_order::column_major, workgroup_order::t3_stage})
        for (std::uint32_t g = 0; g < n; ++g) {
          INFO(s.m << "x" << s.n << " N=" << n << " g=" << g << " " << to_string(o));
          CHECK(is_permutation_of_tiles(dispatch_order(o, t, n, g), t.tile_count()));
        }
    }
  const gemm_tiling t(gemm_shape{300, 200, 64});  // 3 x 2 tiles
  CHECK(dispatch_order(workgroup_order::row_major, t, 1, 0) == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5});
  CHECK(dispatch_order(workgroup_order::column_major, t, 1, 0) == std::vector<std::uint32_t>{0, 2, 4, 1, 3, 5});
  CHECK(parse_workgroup_order("row_major") == workgroup_order::row_major);
  CHECK(parse_workgroup_order("Column-Major") == workgroup_order::column_major);
  CHECK(parse_workgroup_order("t3-stage") == workgroup_order::t3_stage);
  CHECK_THROWS_AS(parse_workgroup_order("diagonal"), std::invalid_argument);
}

TEST_CASE("T3 order on GPU g starts with chunk g+1 and ends with chunk g", "[workloads]") {
  // 4 GPUs, 1024 x 512 output, 128 x 128 tiles: 8 x 4 tiles, 4 chunks of 256 rows = 2 tile rows each.
  const gemm_tiling t(gemm_shape{1024, 512, 64});
  const std::uint32_t n = 4;
  REQUIRE(chunks_tile_aligned(t, n));
  for (std::uint32_t g = 0; g < n; ++g) {
    const std::vector<std::uint32_t> order = dispatch_order(workgroup_order::t3_stage, t, n, g);
    REQUIRE(order.size() == 32);
    CHECK(chunk_of_tile(t, n, order.front()) == (g + 1) % n);
    CHECK(chunk_of_tile(t, n, order.back()) == g);
    // Stages are non-decreasing along the order; stage s produces chunk (g + s) mod N, row-major within.
    for (std::size_t i = 0; i < order.size(); ++i) {
      const std::uint32_t s = stage_of_tile(t, n, g, order[i]);
      CHECK(s == i / 8 + 1);
      CHECK(chunk_of_tile(t, n, order[i]) == chunk_of_stage(n, g, s));
      if (i % 8 != 0) CHECK(order[i] == order[i - 1] + 1);
    }
  }
  // GPU 0 of 4 (the paper's example): chunks 1, 2, 3, then 0.
  const std::vector<std::uint32_t> o0 = dispatch_order(workgroup_order::t3_stage, t, n, 0);
  CHECK(o0[0] == 8);    // first tile of chunk 1 (tile row 2)
  CHECK(o0[8] == 16);   // chunk 2
  CHECK(o0[16] == 24);  // chunk 3
  CHECK(o0[24] == 0);   // chunk 0, the one GPU 0 owns
  // GPU 3: chunks 0, 1, 2, 3.
  CHECK(dispatch_order(workgroup_order::t3_stage, t, n, 3) ==
        dispatch_order(workgroup_order::row_major, t, n, 3));
  for (std::uint32_t g = 0; g < n; ++g)
    for (std::uint32_t s = 1; s <= n; ++s) CHECK(stage_of_chunk(n, g, chunk_of_stage(n, g, s)) == s);
  // A single GPU: one stage, the whole output, row-major.
  CHECK(dispatch_order(workgroup_order::t3_stage, t, 1, 0) == dispatch_order(workgroup_order::row_major, t, 1, 0));
}

TEST_CASE("chunk rows and chunk_of_tile are consistent", "[workloads]") {
  SECTION("aligned") {
    const gemm_tiling t(gemm_shape{8192, 4256, 2128});
    for (std::uint32_t n : {1u, 2u, 4u, 8u, 16u, 32u, 64u}) {
      INFO("N=" << n);
      CHECK(chunks_tile_aligned(t, n));
      std::uint64_t next = 0;
      for (std::uint32_t c = 0; c < n; ++c) {
        const row_range r = chunk_rows(t, n, c);
        CHECK(r.first == next);
        CHECK(r.count == 8192 / n);
        next = r.end();
        for (std::uint32_t tile : tiles_of_chunk(t, n, c)) {
          const tile_rect tr = t.tile(tile);
          CHECK(tr.row >= r.first);
          CHECK(tr.row + tr.rows <= r.end());  // aligned: wholly inside
        }
      }
      CHECK(next == 8192);
    }
  }
  SECTION("unaligned and ragged") {
    // 300 rows over 4 chunks: h = 75 -> 75, 75, 75, 75 rows; tile rows start at 0, 128, 256 -> chunks 0, 1, 3.
    const gemm_tiling t(gemm_shape{300, 200, 64});
    const std::uint32_t n = 4;
    CHECK_FALSE(chunks_tile_aligned(t, n));
    CHECK(chunk_height(300, n) == 75);
    CHECK(chunk_of_tile(t, n, 0) == 0);
    CHECK(chunk_of_tile(t, n, 2) == 1);  // rows 128..255 start in chunk 1 (75..149), straddle into chunk 2
    CHECK(chunk_of_tile(t, n, 4) == 3);
    CHECK(tiles_of_chunk(t, n, 2).empty());
    std::vector<std::uint32_t> all;
    for (std::uint32_t c = 0; c < n; ++c) {
      for (std::uint32_t tile : tiles_of_chunk(t, n, c)) {
        CHECK(chunk_of_tile(t, n, tile) == c);
        CHECK(chunk_of_row(300, n, t.tile(tile).row) == c);
        all.push_back(tile);
      }
    }
    CHECK(is_permutation_of_tiles(all, t.tile_count()));
    // GPU 1 of 4: stages produce chunks 2 (no tiles), 3, 0, 1.
    CHECK(dispatch_order(workgroup_order::t3_stage, t, n, 1) == std::vector<std::uint32_t>{4, 5, 0, 1, 2, 3});
  }
  SECTION("ceil chunks: the last is smaller or empty") {
    CHECK(chunk_rows(10, 4, 0).count == 3);
    CHECK(chunk_rows(10, 4, 3).first == 9);
    CHECK(chunk_rows(10, 4, 3).count == 1);
    CHECK(chunk_rows(9, 4, 3).empty());  // h = 3: 3, 3, 3, 0
    CHECK(chunk_of_row(9, 4, 8) == 2);
    for (std::uint64_t m : {1ull, 7ull, 9ull, 10ull, 100ull, 8192ull})
      for (std::uint32_t n : {1u, 3u, 4u, 8u}) {
        std::uint64_t covered = 0;
        for (std::uint32_t c = 0; c < n; ++c) {
          const row_range r = chunk_rows(m, n, c);
          CHECK(r.first == std::min<std::uint64_t>(m, c * chunk_height(m, n)));
          for (std::uint64_t row = r.first; row < r.end(); ++row) CHECK(chunk_of_row(m, n, row) == c);
          covered += r.count;
        }
        CHECK(covered == m);
      }
  }
}

TEST_CASE("bad chunk and dispatch inputs throw", "[workloads]") {
  const gemm_tiling t(gemm_shape{256, 256, 64});
  CHECK(what_of([&] { dispatch_order(workgroup_order::t3_stage, t, 0, 0); }).find("system.gpus") != std::string::npos);
  CHECK_THROWS_AS(dispatch_order(workgroup_order::t3_stage, t, 4, 4), std::invalid_argument);
  CHECK_THROWS_AS(dispatch_order(workgroup_order::row_major, t, 4, 7), std::invalid_argument);
  CHECK_THROWS_AS(chunk_rows(t, 4, 4), std::invalid_argument);
  CHECK_THROWS_AS(chunk_of_stage(4, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(chunk_of_stage(4, 0, 5), std::invalid_argument);
  CHECK_THROWS_AS(stage_of_chunk(4, 0, 4), std::invalid_argument);
  CHECK_THROWS_AS(chunk_of_row(256, 4, 256), std::out_of_range);
  CHECK_THROWS_AS(chunk_of_tile(t, 4, t.tile_count()), std::out_of_range);
  CHECK_THROWS_AS(chunk_height(256, 0), std::invalid_argument);
}

TEST_CASE("grouped order walks bands of tile rows column by column", "[workloads][dispatch]") {
  // 5 x 3 tiles, bands of 2 rows: rows {0,1} column by column, then {2,3}, then {4}.
  const gemm_tiling t(gemm_shape{5 * 128, 3 * 128, 64}, tiling_params{});
  const std::vector<std::uint32_t> want = {0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11, 12, 13, 14};
  CHECK(dispatch_order(workgroup_order::grouped, t, 1, 0, 2) == want);
  CHECK(dispatch_order(workgroup_order::grouped, t, 1, 0, 1) == dispatch_order(workgroup_order::row_major, t, 1, 0));
  // T3 stages keep their chunk order; within a stage the band order applies.
  const std::vector<std::uint32_t> s = dispatch_order(workgroup_order::t3_stage, t, 1, 0, 8);
  CHECK(s == dispatch_order(workgroup_order::grouped, t, 1, 0, 8));
  CHECK(parse_workgroup_order("Grouped") == workgroup_order::grouped);
}

TEST_CASE("serpentine bands alternate direction in dispatch order, so the T3 order stays symmetric", "[workloads][dispatch]") {
  // 5 x 3 tiles, bands of 2 rows: {0,1} left to right, {2,3} right to left, {4} left to right.
  const gemm_tiling t(gemm_shape{5 * 128, 3 * 128, 64}, tiling_params{});
  const std::vector<std::uint32_t> want = {0, 3, 1, 4, 2, 5, 8, 11, 7, 10, 6, 9, 12, 13, 14};
  CHECK(dispatch_order(workgroup_order::grouped, t, 1, 0, 2, true) == want);
  // T3 stages of one band each (8 tiles rows, 4 GPUs): the k-th stage of every GPU runs the same way,
  // and GPU g+1's order is GPU g's shifted by one chunk (symmetric execution relies on it).
  const gemm_tiling t8(gemm_shape{8 * 128, 3 * 128, 64}, tiling_params{});
  const std::uint32_t n = 4, per_chunk = 2 * 3;
  for (std::uint32_t g = 0; g + 1 < n; ++g) {
    const auto a = dispatch_order(workgroup_order::t3_stage, t8, n, g, 8, true);
    const auto b = dispatch_order(workgroup_order::t3_stage, t8, n, g + 1, 8, true);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == (a[i] + per_chunk) % t8.tile_count());
  }
  const auto o0 = dispatch_order(workgroup_order::t3_stage, t8, n, 0, 8, true);
  CHECK(std::vector<std::uint32_t>(o0.begin(), o0.begin() + 6) == std::vector<std::uint32_t>{6, 9, 7, 10, 8, 11});
  CHECK(std::vector<std::uint32_t>(o0.begin() + 6, o0.begin() + 12) == std::vector<std::uint32_t>{14, 17, 13, 16, 12, 15});
  for (std::uint32_t g = 0; g < n; ++g)
    CHECK(is_permutation_of_tiles(dispatch_order(workgroup_order::t3_stage, t8, n, g, 8, true), t8.tile_count()));
}
