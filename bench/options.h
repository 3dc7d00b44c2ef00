// Parameters shared by every benchmark, set on the command line.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

namespace fieldcrm::bench {

struct Options {
  double scale = 1.0;  // multiplies every size the issue sets (1M changes, 200k customers, ...)
  int runs = 3;        // each figure is the median of this many runs
  std::string dir;     // scratch folder for store files
  std::string fieldcrm_binary;    // the tablet CLI, run as a process where RSS or wall time count
  std::string server_binary;      // fieldcrm-server, run as processes by the fleet benchmark
  std::string plugins_dir;        // the built plugins (tiering.so)
  std::string baseline_fieldcrm;  // an older build to time against where a benchmark compares
  int fleet_tablets = 0;          // fleet: only the fleet of this many tablets (at --scale 1)
  std::string fleet_backend;      // fleet: only this backend (sqlite, pg1, pg3)

  // A size from the benchmark's definition, scaled, never below `floor`.
  int64_t Scaled(int64_t size, int64_t floor = 1) const {
    return std::max(floor, static_cast<int64_t>(static_cast<double>(size) * scale));
  }
};

}  // namespace fieldcrm::bench
