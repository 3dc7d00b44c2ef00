#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "fieldcrm/base/env.h"

namespace fieldcrm::bench {

using nlohmann::json;

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Median(int runs, const std::function<double()>& measure) {
  std::vector<double> values;
  for (int i = 0; i < std::max(1, runs); ++i) values.push_back(measure());
  return MedianOf(std::move(values));
}

double MedianOf(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

namespace {

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string Commit() {
  std::string command = "git -C " FIELDCRM_SOURCE_DIR " rev-parse --short HEAD 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "unknown";
  char buffer[64] = {};
  std::string out = fgets(buffer, sizeof buffer, pipe) ? buffer : "unknown";
  pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string Format(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, value >= 100 ? "%.0f" : "%.2f", value);
  return buffer;
}

}  // namespace

json MachineInfo() {
  utsname uts{};
  uname(&uts);
  return {{"cpu", CpuModel()},
          {"cores", sysconf(_SC_NPROCESSORS_ONLN)},
          {"memory_mb", sysconf(_SC_PHYS_PAGES) / 1024 * sysconf(_SC_PAGESIZE) / 1024},
          {"kernel", std::string(uts.release)},
          {"commit", Commit()},
          {"when", Env::Default().NowIso()}};
}

void Report::PrintTable() const {
  size_t widths[3] = {9, 4, 5};
  for (const Figure& f : figures_) {
    widths[0] = std::max(widths[0], f.benchmark.size());
    widths[1] = std::max(widths[1], f.name.size());
    widths[2] = std::max(widths[2], Format(f.value).size() + 1 + f.unit.size());
  }
  auto row = [&](const std::string& a, const std::string& b, const std::string& c,
                 const std::string& d) {
    std::printf("%-*s  %-*s  %*s  %s\n", static_cast<int>(widths[0]), a.c_str(),
                static_cast<int>(widths[1]), b.c_str(), static_cast<int>(widths[2]), c.c_str(),
                d.c_str());
  };
  row("BENCHMARK", "FIGURE", "VALUE", "NOTE");
  for (const Figure& f : figures_) row(f.benchmark, f.name, Format(f.value) + " " + f.unit, f.note);
}

json Report::ToJson(const json& parameters) const {
  json figures = json::array();
  for (const Figure& f : figures_) {
    figures.push_back({{"benchmark", f.benchmark},
                       {"name", f.name},
                       {"value", f.value},
                       {"unit", f.unit},
                       {"note", f.note}});
  }
  return {{"machine", MachineInfo()}, {"parameters", parameters}, {"figures", figures}};
}

}  // namespace fieldcrm::bench
