#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 6: every field of 100,000 customers edited 10 times; the log's size next to the
// state's, before and after compaction.
void RunLogGrowthBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
