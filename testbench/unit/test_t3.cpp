// T3 end to end: the fused GEMM -> reduce-scatter (tracker, DMA engine, NMC updates, remote_map),
// T3-MCA and the ideal modes give the golden ring reduction bit for bit; a tiny tracker or DMA queue
// slows T3 down but never deadlocks; the register description matches the model; compare runs all.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include "unit/run_t3vp.h"

using namespace t3vp_test;

namespace {
std::string shape(unsigned m, unsigned n, unsigned k, unsigned gpus) {
  return "--set workload.model=custom --set workload.m=" + std::to_string(m) + " --set workload.n=" + std::to_string(n) +
         " --set workload.k=" + std::to_string(k) + " --set system.gpus=" + std::to_string(gpus);
}
}  // namespace

TEST_CASE("T3 modes reduce bit-exactly like the golden ring reduction", "[t3][system]") {
  for (const char* mode : {"t3", "t3-mca", "ideal-rs-nmc", "ideal-overlap"}) {
    for (unsigned p : {2u, 4u}) {
      INFO(mode << " on " << p << " GPUs");
      auto j = run_json("--mode " + std::string(mode) + " " + shape(1024, 384, 128, p));
      CHECK(j["functional"]["checked_elements"].get<std::uint64_t>() == p * 1024u * 384);
      CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
      CHECK(j["functional"]["kernels_ok"].get<bool>());
    }
  }
}

TEST_CASE("every mode with exact data equals the golden on 3 GPUs", "[t3][system]") {
  for (const char* mode : {"sequential", "t3", "t3-mca", "ideal-overlap", "ideal-rs-nmc"}) {
    INFO(mode);
    auto j = run_json("--mode " + std::string(mode) + " --set data.mode=exact --set gemm.tile_m=64 " + shape(384, 200, 96, 3));
    CHECK(j["functional"]["checked_elements"].get<std::uint64_t>() == 3u * 384 * 200);
    CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
  }
}

TEST_CASE("T3 moves the reduction into memory: fewer reduce-scatter reads and no RS writes", "[t3][system]") {
  const std::string s = shape(2048, 1024, 256, 4);
  auto seq = run_json("--mode sequential " + s);
  auto t3 = run_json("--mode t3 " + s);
  const auto& a = seq["dram_bytes"];
  const auto& b = t3["dram_bytes"];
  INFO("sequential " << a.dump() << "\nt3 " << b.dump());
  CHECK(b["rs_read"].get<double>() < a["rs_read"].get<double>() / 2);
  CHECK(b["rs_write"].get<double>() == 0);
  CHECK(b["rs_update"].get<double>() > 0);
  CHECK(b["ag_read"].get<double>() == a["ag_read"].get<double>());  // all-gather unchanged
  CHECK(t3["time_ns"]["total"].get<double>() < seq["time_ns"]["total"].get<double>());
  CHECK(t3["link_bytes"].get<double>() == seq["link_bytes"].get<double>());
}

// A GPU whose own region completes early still forwards the chunks it produces last: tracking must go
// on until every GPU is done (this shape once deadlocked when the host stopped it at the final interrupt).
TEST_CASE("T3 keeps tracking until every GPU is done, whatever order the regions complete in", "[t3][system]") {
  for (unsigned k : {256u, 512u}) {
    INFO("k " << k);
    auto j = run_json("--mode t3 " + shape(512, 1024, k, 4));
    CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
    CHECK(j["functional"]["kernels_ok"].get<bool>());
  }
}

TEST_CASE("a short packet holds only its own bytes of the link buffer (credits count bytes)", "[t3][nic][system]") {
  // The DMA engine sends each 256-byte tile row as a packet; a larger maximum payload must not shrink
  // what the default buffer (more than bandwidth x round trip) keeps in flight. Counted in packet slots
  // of the maximum size it stalled 99 times and took 100 us instead of 11.8.
  const std::string rs = "--mode ideal-rs-nmc --set workload.producer=none --set workload.collective=reduce-scatter"
                         " --set workload.model=custom --set workload.m=1024 --set workload.n=512 --set workload.k=64"
                         " --set system.gpus=4 --set data.mode=off";
  const auto small = run_json(rs), large = run_json(rs + " --set link.packet_payload_bytes=4096");
  CHECK(large["sizing"]["link_credit_stalls"] == 0);
  CHECK(large["time_ns"]["reduce_scatter"] == small["time_ns"]["reduce_scatter"]);
  CHECK(large["sizing"]["link_buffer_bytes_max"] == small["sizing"]["link_buffer_bytes_max"]);
  CHECK(small["time_ns"]["reduce_scatter"].get<double>() < 13000);
}

TEST_CASE("a one-entry tracker and a one-deep DMA queue spill and stall but never deadlock", "[t3][system]") {
  auto j = run_json("--mode t3 --set tracker.entries=1 --set dma.queue_depth=1 --set dma.engines=1 " +
                    shape(1024, 512, 128, 4));
  CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
  CHECK(j["sizing"]["tracker_entries_max"].get<unsigned>() <= 1);
  CHECK(j["sizing"]["tracker_spills"].get<std::uint64_t>() > 0);
  CHECK(j["sizing"]["dma_queue_max"].get<unsigned>() == 1);
  CHECK(j["sizing"]["dma_refused"].get<std::uint64_t>() > 0);
  // Small link buffers and controller queues: their waits are counted for sizing as well.
  auto k = run_json("--mode t3 --set link.buffer_bytes=1024 --set mc.queue_entries=2 " + shape(1024, 512, 128, 4));
  CHECK(k["functional"]["mismatches"].get<std::uint64_t>() == 0);
  CHECK(k["sizing"]["link_buffer_bytes"] == 1024);
  CHECK(k["sizing"]["link_buffer_bytes_max"].get<std::uint64_t>() > 1024 - 272);  // (full: no room for another packet)
  CHECK(k["sizing"]["link_buffer_bytes_max"].get<std::uint64_t>() <= 1024);
  CHECK(k["sizing"]["link_credit_stalls"].get<std::uint64_t>() > 0);
  CHECK(k["sizing"]["mc_queue_full_stalls"].get<std::uint64_t>() > 0);
  CHECK(run_json("--mode t3 " + shape(1024, 512, 128, 4))["sizing"]["link_credit_stalls"] == 0);
}

TEST_CASE("T3 rejects chunks that do not fall on tile boundaries", "[t3][cli]") {
  auto r = run_t3vp("run --mode t3 " + shape(1000, 256, 64, 4));  // ceil(1000/4) = 250 rows per chunk, tiles of 128
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("gemm.tile_m") != std::string::npos);
  auto g = run_t3vp("run --mode t3 --set workload.producer=none " + shape(1024, 256, 64, 4));
  CHECK(g.exit_code == 2);
}

TEST_CASE("the register description in docs equals the model's register maps", "[t3][docs]") {
  auto r = run_t3vp("registers");
  REQUIRE(r.exit_code == 0);
  std::string src = __FILE__;
  src = src.substr(0, src.rfind("testbench/unit/"));
  const auto model = nlohmann::json::parse(r.output);
  const auto doc = nlohmann::json::parse(read_text(src + "docs/registers/t3vp_registers.json"));
  CHECK(model == doc);
  // Every register of the tracker and the DMA engine (region 0 standing for all regions) has its row
  // "| 0x<offset> | NAME | ACCESS |" in the block's page.
  for (const auto& [block, page] : {std::pair<std::string, std::string>{"tracker", "tracker.md"}, {"dma_engine", "dma_engine.md"}}) {
    const std::string text = read_text(src + "docs/blocks/" + page);
    for (const auto& reg : model[block]["registers"]) {
      const std::string name = reg["name"];
      if (name.rfind("REGION", 0) == 0 && name != "REGIONS" && name.rfind("REGION0_", 0) != 0) continue;
      char off[32];
      std::snprintf(off, sizeof off, "0x%03llx", (unsigned long long)reg["offset"].get<std::uint64_t>());
      const std::string row = "| " + std::string(off) + " | " + name + " | " + reg["access"].get<std::string>() + " |";
      INFO(page << " needs " << row);
      CHECK(text.find(row) != std::string::npos);
    }
  }
}

TEST_CASE("compare runs every mode and reports speedups over sequential", "[t3][system]") {
  const std::string path = temp_path("compare.json");
  auto r = run_t3vp("compare --json " + path + " " + shape(1024, 512, 256, 4));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(read_text(path));
  std::remove(path.c_str());
  REQUIRE(j["runs"].size() == 5);
  for (const char* m : {"sequential", "t3", "t3-mca", "ideal-overlap", "ideal-rs-nmc"}) CHECK(j["speedup"].contains(m));
  CHECK(j["speedup"]["sequential"].get<double>() == Approx(1.0));
  for (const auto& run : j["runs"]) CHECK(run["functional"]["mismatches"].get<std::uint64_t>() == 0);
  const auto& seq = j["runs"][0]["time_ns"];
  CHECK(j["runs"][3]["time_ns"]["total"].get<double>() ==
        Approx(std::max(seq["gemm"].get<double>(), seq["reduce_scatter"].get<double>()) + seq["all_gather"].get<double>()));
  CHECK(r.output.find("t3-mca") != std::string::npos);

  // ideal-rs-nmc: the reduce-scatter ran alone and the GEMM is the sequential run's; the whole mode
  // run on its own (GEMM first) agrees.
  const auto& nmc = j["runs"][4];
  CHECK(nmc["gemm_from"] == "sequential");
  CHECK(nmc["workload"]["producer"] == "gemm");
  CHECK(nmc["time_ns"]["gemm"] == seq["gemm"]);
  CHECK(nmc["dram_bytes"]["gemm_read"] == j["runs"][0]["dram_bytes"]["gemm_read"]);
  const auto whole = run_json("--mode ideal-rs-nmc " + shape(1024, 512, 256, 4));
  CHECK_FALSE(whole.contains("gemm_from"));
  CHECK(nmc["dram_bytes"] == whole["dram_bytes"]);
  for (const char* phase : {"gemm", "reduce_scatter", "all_gather", "total"}) {
    INFO(phase);
    CHECK(nmc["time_ns"][phase].get<double>() == Approx(whole["time_ns"][phase].get<double>()).epsilon(0.01));
  }
}

// MCA only decides when a request may start: a t3-mca run in which it held nothing back is the t3 run,
// so compare takes t3 from it instead of simulating it again (docs/statistics.md, `derived_from`).
TEST_CASE("compare takes t3 from t3-mca when MCA held nothing back, and runs it otherwise", "[t3][system]") {
  const std::string args = shape(1024, 512, 256, 4);
  const auto c = command_json("compare", "--quiet " + args);
  const auto &t3 = c["runs"][1], &mca = c["runs"][2];
  REQUIRE(mca["mode"] == "t3-mca");
  REQUIRE(mca["mca"]["held_requests"].get<std::uint64_t>() == 0);
  CHECK(mca["mca"]["controllers_threshold_high"].get<std::uint64_t>() == 4 * 64);
  CHECK(t3["derived_from"] == "t3-mca");
  CHECK_FALSE(t3.contains("mca"));
  const auto strip = [](nlohmann::json d) {
    for (const char* k : {"wall_s", "host", "derived_from"}) d.erase(k);
    return d;
  };
  CHECK(strip(t3) == strip(run_json("--mode t3 " + args)));

  // With a threshold MCA acts on (comm waits while any compute request is queued), t3 is simulated.
  const auto held = command_json("compare", "--quiet " + args + " --set mc.mca_threshold_high=1");
  CHECK(held["runs"][2]["mca"]["held_requests"].get<std::uint64_t>() > 0);
  CHECK_FALSE(held["runs"][1].contains("derived_from"));
  CHECK(held["runs"][1]["stats"] != held["runs"][2]["stats"]);  // (policy_wait_ns, at least)

  // Every controller is counted once; with a zero intensity cut every one that decided chose low.
  const auto low = run_json("--mode t3-mca --set mc.mca_intensity_cut=0 " + args)["mca"];
  CHECK(low["controllers_threshold_low"].get<std::uint64_t>() > 0);
  CHECK(low["controllers_threshold_high"].get<std::uint64_t>() == 0);
  CHECK(low["controllers_threshold_low"].get<std::uint64_t>() + low["controllers_undecided"].get<std::uint64_t>() == 4 * 64);
}

TEST_CASE("an ideal mode without the producer runs its reduce-scatter alone, a T3 mode refuses", "[t3][cli]") {
  auto j = run_json("--mode ideal-rs-nmc --set workload.producer=none " + shape(1024, 384, 64, 4));
  CHECK(j["time_ns"]["gemm"].get<double>() == 0.0);
  CHECK(j["time_ns"]["reduce_scatter"].get<double>() > 0.0);
  CHECK(j["dram_bytes"]["gemm_read"].get<std::uint64_t>() == 0);
  CHECK(j["dram_bytes"]["rs_update"].get<std::uint64_t>() > 0);
  CHECK(j["functional"]["mismatches"].get<std::uint64_t>() == 0);
  auto t3 = run_t3vp("run --mode t3-mca --set workload.producer=none " + shape(1024, 384, 64, 4));
  CHECK(t3.exit_code == 2);
  CHECK(t3.output.find("workload.producer=gemm") != std::string::npos);
}

// Symmetric execution simulates GPU 0 only and loops its link to GPU N-1 back into itself as GPU 1's
// traffic; on a symmetric workload every figure must match the full ring closely. (The full ring is not
// quite symmetric: the host programs the GPUs one after the other, so the last one starts up to a few
// us after the first; a shape of a few hundred us keeps that skew under 1%.)
TEST_CASE("symmetric execution agrees with the full ring in every mode", "[t3][system]") {
  const std::string args = shape(4096, 1024, 1024, 4) + " --set data.mode=off";
  const auto full = command_json("compare", "--quiet " + args);
  const auto sym = command_json("compare", "--quiet " + args + " --set system.symmetric=true");
  REQUIRE(full["runs"].size() == sym["runs"].size());
  for (std::size_t i = 0; i < full["runs"].size(); ++i) {
    const auto &f = full["runs"][i], &s = sym["runs"][i];
    INFO("mode " << f["mode"]);
    CHECK(f["workload"]["simulated_gpus"] == 4);
    CHECK(s["workload"]["simulated_gpus"] == 1);
    const double total = f["time_ns"]["total"].get<double>();
    CHECK(s["time_ns"]["total"].get<double>() == Approx(total).epsilon(0.01));
    for (const char* t : {"gemm", "reduce_scatter", "all_gather"}) {  // (T3 splits its total at the GEMM's end)
      INFO(t);
      CHECK(s["time_ns"][t].get<double>() == Approx(f["time_ns"][t].get<double>()).margin(0.01 * total));
    }
    for (const auto& [cat, bytes] : f["dram_bytes"].items()) {
      INFO(cat);
      CHECK(s["dram_bytes"][cat].get<double>() == Approx(bytes.get<double>()).epsilon(0.01));
    }
    CHECK(s["link"]["payload_bytes"] == f["link"]["payload_bytes"]);
    CHECK(s["link"]["header_bytes"] == f["link"]["header_bytes"]);
  }
}

TEST_CASE("symmetric execution refuses what it cannot mirror", "[t3][cli]") {
  struct bad_case {
    std::string args, names;
  };
  const std::string sym = " --set system.symmetric=true";
  for (const auto& c : std::vector<bad_case>{
           {shape(2048, 512, 512, 4) + sym, "data.mode=off"},  // the default moves data
           {shape(2048, 512, 512, 4) + sym + " --set data.mode=off --set system.topology=fully-connected", "ring"},
           {shape(1600, 512, 512, 4) + sym + " --set data.mode=off", "multiple of system.gpus x gemm.tile_m"}}) {
    auto r = run_t3vp("run " + c.args);
    INFO(c.args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("system.symmetric") != std::string::npos);
    CHECK(r.output.find(c.names) != std::string::npos);
  }
}
