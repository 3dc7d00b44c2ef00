// What a benchmark run produces: figures (each the median of several runs) printed as a table
// and written as JSON together with the machine and the commit, so runs can be compared.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fieldcrm::bench {

struct Figure {
  std::string benchmark;  // e.g. "sync"
  std::string name;       // e.g. "push"
  double value = 0;
  std::string unit;  // e.g. "changes/s"
  std::string note;  // what it is compared with, the target
};

class Report {
 public:
  void Add(Figure figure) { figures_.push_back(std::move(figure)); }
  const std::vector<Figure>& figures() const { return figures_; }
  void PrintTable() const;
  nlohmann::json ToJson(const nlohmann::json& parameters) const;

 private:
  std::vector<Figure> figures_;
};

double MedianOf(std::vector<double> values);
// Runs `measure` `runs` times and returns the median of what it returned.
double Median(int runs, const std::function<double()>& measure);

// Seconds on a steady clock since an arbitrary point.
double Now();

nlohmann::json MachineInfo();

}  // namespace fieldcrm::bench
