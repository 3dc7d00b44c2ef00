#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 5: 50 tablets at once, each pushing 2,000 changes and pulling its team's, against one
// server: throughput, p50/p99 request latency, and every change counted on every tablet.
void RunLoadBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
