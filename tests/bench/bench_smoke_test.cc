// The benchmark binary runs at a tiny size and writes well-formed results. Its timings are never
// asserted here: speed is the benchmark suite's business, not the test suite's.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

using fieldcrm::testing::Run;
using fieldcrm::testing::RunResult;
using fieldcrm::testing::TempDir;

TEST_CASE("fieldcrm-bench runs at tiny sizes and writes its figures as JSON") {
  TempDir dir;
  std::string out = dir.File("results.json");
  RunResult r = Run({FIELDCRM_BINARY_DIR "/bench/fieldcrm-bench", "--scale", "0.001", "--runs", "1",
                     "--json", out, "--dir", dir.path().string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("BENCHMARK") != std::string::npos);
  nlohmann::json results = nlohmann::json::parse(std::ifstream(out));
  CHECK(results["machine"]["cores"].get<int>() >= 1);
  CHECK(results["parameters"]["scale"] == 0.001);
  REQUIRE(results["figures"].is_array());
  std::set<std::string> benchmarks;
  for (const auto& figure : results["figures"]) {
    benchmarks.insert(figure["benchmark"].get<std::string>());
    CHECK(figure["value"].is_number());
    CHECK_FALSE(figure["unit"].get<std::string>().empty());
  }
  CHECK(benchmarks == std::set<std::string>{"store", "sync", "bootstrap", "incremental", "tiering",
                                            "load", "log", "import", "app", "dashboard", "live",
                                            "fleet"});
  // Counted, not timed: the load benchmark lost and duplicated nothing even at this size.
  for (const auto& figure : results["figures"]) {
    if (figure["name"] == "lost or duplicated" || figure["name"] == "failed syncs") {
      CHECK(figure["value"] == 0);
    }
  }
}

TEST_CASE("fieldcrm-bench refuses an unknown benchmark") {
  TempDir dir;
  RunResult r = Run({FIELDCRM_BINARY_DIR "/bench/fieldcrm-bench", "--json", dir.File("r.json"),
                     "no-such-benchmark"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("unknown benchmark 'no-such-benchmark'") != std::string::npos);
}
