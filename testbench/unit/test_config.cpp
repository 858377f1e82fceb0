// Configuration: defaults, overrides, errors that name the key, and the parse -> serialise -> parse
// round trip.
#include <catch2/catch.hpp>
#include "platform/config.h"
#include "platform/platform_config.h"

using namespace t3vp;

namespace {
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("every parameter has a valid default and a description", "[config]") {
  config c;
  for (const auto& d : config::schema()) {
    INFO(d.key);
    CHECK(!d.description.empty());
    if (d.type == param_type::integer || d.type == param_type::real) {
      CHECK(d.min <= d.max);
      CHECK(c.get_real(d.key) >= d.min);
      CHECK(c.get_real(d.key) <= d.max);
    }
    CHECK(c.is_default(d.key));
  }
  // The typed platform configuration accepts the defaults (the paper's system).
  const platform_config p = make_platform_config(c);
  CHECK(p.hbm.geometry.pseudo_channels() == 64);
  CHECK(p.hbm.peak_bytes_per_s() == Approx(1024e9));
}

TEST_CASE("set overrides by dotted key and shows in the resolved JSON", "[config]") {
  config c;
  c.set_assignment("hbm.stacks=2");
  c.set("mc.policy", "fcfs");
  c.set("hbm.tck_ns", "0.8");
  CHECK(c.get_int("hbm.stacks") == 2);
  CHECK(c.get_string("mc.policy") == "fcfs");
  CHECK(c.get_real("hbm.tck_ns") == Approx(0.8));
  CHECK_FALSE(c.is_default("hbm.stacks"));
  CHECK(c.to_json().find("\"stacks\": 2") != std::string::npos);
}

TEST_CASE("an unknown key is an error that names it and suggests a near match", "[config]") {
  config c;
  std::string e = error_of([&] { c.set("hbm.stackz", "2"); });
  CHECK(e.find("hbm.stackz") != std::string::npos);
  CHECK(e.find("did you mean 'hbm.stacks'") != std::string::npos);
  e = error_of([&] { c.load_json_text(R"({"hbm": {"bank_group": 4}})", "cfg.json"); });
  CHECK(e.find("hbm.bank_group") != std::string::npos);
  CHECK(e.find("hbm.bank_groups") != std::string::npos);
  CHECK(e.find("cfg.json") != std::string::npos);
  e = error_of([&] { c.set("hbm.channels", "0"); });  // the start of a key
  CHECK(e.find("did you mean 'hbm.channels_per_stack'") != std::string::npos);
  // Quantities users look for under names no key has: where they live instead of a misleading match.
  e = error_of([&] { c.set("tp", "4"); });
  CHECK(e.find("the TP degree is the number of GPUs: system.gpus") != std::string::npos);
  e = error_of([&] { c.load_json_text(R"({"workload": {"tp": 4}})", "cfg.json"); });
  CHECK(e.find("system.gpus") != std::string::npos);
  CHECK(e.find("workload.k") == std::string::npos);
  e = error_of([&] { c.set("hbm.bandwidth_gbps", "2000"); });
  CHECK(e.find("follows from hbm.tck_ns") != std::string::npos);
  CHECK(e.find("link.bandwidth_gbps") == std::string::npos);
}

TEST_CASE("configuration files may carry comments", "[config]") {
  config c;
  c.load_json_text("{\n  // the paper's queue is 32-64 entries\n  \"mc.queue_entries\": 32, /* and */ \"hbm\": {\"cl\": 15}\n}",
                   "cfg.json");
  CHECK(c.get_int("mc.queue_entries") == 32);
  CHECK(c.get_int("hbm.cl") == 15);
}

TEST_CASE("choices match whatever the case and keep their canonical spelling", "[config]") {
  config c;
  c.set("workload.model", "T-NLG");
  c.load_json_text(R"({"workload": {"sublayer": "FC2"}, "mc.policy": "MCA"})", "cfg.json");
  CHECK(c.get_string("workload.model") == "t-nlg");
  CHECK(c.get_string("workload.sublayer") == "fc2");
  CHECK(c.get_string("mc.policy") == "mca");
  CHECK(error_of([&] { c.set("workload.model", "T-NLGX"); }).find("is not one of") != std::string::npos);
}

TEST_CASE("a wrong type is an error naming the key", "[config]") {
  config c;
  std::string e = error_of([&] { c.load_json_text(R"({"hbm": {"stacks": "four"}})", "f.json"); });
  CHECK(e.find("hbm.stacks") != std::string::npos);
  CHECK(e.find("expected an integer") != std::string::npos);
  e = error_of([&] { c.set("hbm.stacks", "4.5"); });
  CHECK(e.find("hbm.stacks") != std::string::npos);
  e = error_of([&] { c.set("hbm.pc_hash", "maybe"); });
  CHECK(e.find("hbm.pc_hash") != std::string::npos);
  e = error_of([&] { c.load_json_text(R"({"hbm": 3})", "f.json"); });
  CHECK(e.find("'hbm' is a group") != std::string::npos);
}

TEST_CASE("out-of-range values are errors naming the key and the range", "[config]") {
  config c;
  for (const char* kv : {"hbm.channels_per_stack=0", "hbm.tck_ns=0", "hbm.tck_ns=-1", "hbm.stacks=-2",
                         "mc.queue_entries=0", "sim.quantum_ns=0"}) {
    INFO(kv);
    const std::string key = std::string(kv).substr(0, std::string(kv).find('='));
    std::string e = error_of([&] { c.set_assignment(kv); });
    CHECK(e.find(key) != std::string::npos);
    CHECK(e.find("out of range") != std::string::npos);
  }
  std::string e = error_of([&] { c.set("mc.policy", "lifo"); });
  CHECK(e.find("fr-fcfs") != std::string::npos);
}

TEST_CASE("cross-parameter checks name the parameter", "[config]") {
  config c;
  c.set("hbm.row_bytes", "1000");
  std::string e = error_of([&] { make_platform_config(c); });
  CHECK(e.find("hbm.row_bytes") != std::string::npos);
  CHECK(e.find("power of two") != std::string::npos);
  config w;
  w.set("mc.write_drain_high", "8");
  w.set("mc.write_drain_low", "8");
  e = error_of([&] { make_platform_config(w); });
  CHECK(e.find("mc.write_drain_low") != std::string::npos);
  CHECK(e.find("below mc.write_drain_high (8)") != std::string::npos);
  config big;  // 1024 pseudo-channels of 512 MiB: more 32-byte lines than an L2 tag can number
  big.set("hbm.stacks", "16");
  big.set("hbm.channels_per_stack", "32");
  big.set("l2.line_bytes", "32");
  e = error_of([&] { make_platform_config(big); });
  CHECK(e.find("l2.line_bytes") != std::string::npos);
  CHECK(e.find("32-bit line numbers") != std::string::npos);
  big.set("hbm.pc_capacity_mib", "2048");  // 2 TiB: past the GPU's control registers in its 1 TiB window
  e = error_of([&] { make_platform_config(big); });
  CHECK(e.find("hbm.pc_capacity_mib") != std::string::npos);
  CHECK(e.find("0xFF00000000") != std::string::npos);
  config shape;  // a custom shape with a named model would silently run the model's shape
  shape.set("workload.n", "512");
  e = error_of([&] { make_platform_config(shape); });
  CHECK(e.find("workload.n") != std::string::npos);
  CHECK(e.find("applies only when workload.model is custom") != std::string::npos);
}

TEST_CASE("malformed JSON is an error naming the file", "[config]") {
  config c;
  std::string e = error_of([&] { c.load_json_text("{\"hbm\": {\"stacks\": 4,}", "broken.json"); });
  CHECK(e.find("broken.json") != std::string::npos);
  CHECK(e.find("malformed JSON") != std::string::npos);
  e = error_of([&] { c.load_file("/nonexistent/t3vp.json"); });
  CHECK(e.find("/nonexistent/t3vp.json") != std::string::npos);
}

TEST_CASE("parse -> serialise -> parse gives the same configuration", "[config]") {
  config a;
  a.set("hbm.stacks", "2");
  a.set("hbm.tck_ns", "0.75");
  a.set("hbm.pc_hash", "false");
  a.set("mc.policy", "fcfs");
  a.set("data.mode", "off");
  const std::string text = a.to_json();
  config b;
  b.load_json_text(text, "roundtrip");
  CHECK(a == b);
  CHECK(b.to_json() == text);
  // Dotted keys at the top level are accepted too.
  config d;
  d.load_json_text(R"({"hbm.stacks": 2})", "dotted");
  CHECK(d.get_int("hbm.stacks") == 2);
}
