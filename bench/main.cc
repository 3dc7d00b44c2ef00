// fieldcrm-bench: the benchmark suite (bench/README.md). Prints a table and writes JSON.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <utility>

#include "app_bench.h"
#include "bootstrap_bench.h"
#include "dashboard_bench.h"
#include "import_bench.h"
#include "incremental_bench.h"
#include "live_bench.h"
#include "load_bench.h"
#include "log_bench.h"
#include "options.h"
#include "report.h"
#include "store_bench.h"
#include "sync_bench.h"
#include "tiering_bench.h"

int main(int argc, char** argv) {
  using namespace fieldcrm::bench;
  const std::vector<std::pair<std::string, std::function<void(const Options&, Report&)>>>
      benchmarks = {
          {"store", RunStoreBenchmark},         {"sync", RunSyncBenchmark},
          {"bootstrap", RunBootstrapBenchmark}, {"incremental", RunIncrementalBenchmark},
          {"tiering", RunTieringBenchmark},     {"load", RunLoadBenchmark},
          {"log", RunLogGrowthBenchmark},       {"app", RunAppBenchmark},
          {"import", RunImportBenchmark},       {"dashboard", RunDashboardBenchmark},
          {"live", RunLiveBenchmark},           {"fleet", RunFleetBenchmark},
      };
  CLI::App app{"fieldcrm-bench: throughput and latency next to the machine's own limits"};
  Options options;
  std::vector<std::string> selected;
  std::string json_path = "bench-results.json";
  std::filesystem::path build_dir =
      std::filesystem::canonical("/proc/self/exe").parent_path().parent_path();
  options.fieldcrm_binary = (build_dir / "tools/fieldcrm/fieldcrm").string();
  options.plugins_dir = (build_dir / "plugins").string();
  options.server_binary = (build_dir / "tools/fieldcrm-server/fieldcrm-server").string();
  app.add_option("--scale", options.scale,
                 "multiplies every size (1 = the sizes in bench/README.md; 0.001 for a smoke run)")
      ->check(CLI::PositiveNumber);
  app.add_option("--runs", options.runs, "runs per figure (the median is reported)")
      ->check(CLI::PositiveNumber);
  app.add_option("--json", json_path, "where to write the results");
  app.add_option("--dir", options.dir, "scratch folder for store files (default: a temp dir)");
  app.add_option("--fieldcrm", options.fieldcrm_binary, "the tablet CLI, run as a process")
      ->capture_default_str();
  app.add_option("--fieldcrm-server", options.server_binary, "the server, run as processes (fleet)")
      ->capture_default_str();
  app.add_option("--plugins", options.plugins_dir, "where tiering.so is")->capture_default_str();
  app.add_option("--baseline-fieldcrm", options.baseline_fieldcrm,
                 "an older fieldcrm build to time against (import)");
  app.add_option("--fleet-tablets", options.fleet_tablets,
                 "fleet: run only the fleet of this many tablets (50, 200 or 500)")
      ->check(CLI::IsMember({50, 200, 500}));
  app.add_option("--fleet-backend", options.fleet_backend, "fleet: run only this backend")
      ->check(CLI::IsMember({"sqlite", "pg1", "pg3"}));
  app.add_option("BENCHMARKS", selected, "which to run (default: all, in the order listed)");
  CLI11_PARSE(app, argc, argv);

  try {
    bool own_dir = options.dir.empty();
    if (own_dir) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "fieldcrm-bench-XXXXXX").string();
      if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a scratch folder");
      options.dir = pattern;
    }
    if (selected.empty()) {
      for (const auto& [name, run] : benchmarks) selected.push_back(name);
    }
    Report report;
    for (const std::string& name : selected) {
      auto it = std::find_if(benchmarks.begin(), benchmarks.end(),
                             [&](const auto& b) { return b.first == name; });
      if (it == benchmarks.end()) throw std::invalid_argument("unknown benchmark '" + name + "'");
      double start = Now();
      it->second(options, report);
      std::cerr << name << ": " << static_cast<int>(Now() - start) << " s" << std::endl;
    }
    report.PrintTable();
    std::ofstream(json_path)
        << report.ToJson({{"scale", options.scale}, {"runs", options.runs}}).dump(2) << '\n';
    if (own_dir) std::filesystem::remove_all(options.dir);
  } catch (const std::exception& e) {
    std::cerr << "fieldcrm-bench: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
