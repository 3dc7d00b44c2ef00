// fieldcrm-bench: the benchmark suite (bench/README.md). Prints a table and writes JSON.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>

#include "bench/options.h"
#include "bench/report.h"
#include "bench/store_bench.h"

int main(int argc, char** argv) {
  using namespace fieldcrm::bench;
  const std::map<std::string, std::function<void(const Options&, Report&)>> benchmarks = {
      {"store", RunStoreBenchmark},
  };
  CLI::App app{"fieldcrm-bench: throughput and latency next to the machine's own limits"};
  Options options;
  std::vector<std::string> selected;
  std::string json_path = "bench-results.json";
  app.add_option("--changes", options.changes, "field changes in the throughput benchmarks")
      ->check(CLI::PositiveNumber);
  app.add_option("--runs", options.runs, "runs per figure (the median is reported)")
      ->check(CLI::PositiveNumber);
  app.add_option("--json", json_path, "where to write the results");
  app.add_option("--dir", options.dir, "scratch folder for store files (default: a temp dir)");
  app.add_option("BENCHMARKS", selected, "which to run (default: all)");
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
      auto it = benchmarks.find(name);
      if (it == benchmarks.end()) throw std::invalid_argument("unknown benchmark '" + name + "'");
      it->second(options, report);
    }
    report.PrintTable();
    std::ofstream(json_path)
        << report.ToJson({{"changes", options.changes}, {"runs", options.runs}}).dump(2) << '\n';
    if (own_dir) std::filesystem::remove_all(options.dir);
  } catch (const std::exception& e) {
    std::cerr << "fieldcrm-bench: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
