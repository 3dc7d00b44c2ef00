// Parameters shared by every benchmark, set on the command line.
#pragma once

#include <cstdint>
#include <string>

namespace fieldcrm::bench {

struct Options {
  int64_t changes = 1'000'000;  // field changes in the throughput benchmarks
  int runs = 3;                 // each figure is the median of this many runs
  std::string dir;              // scratch folder for store files
};

}  // namespace fieldcrm::bench
