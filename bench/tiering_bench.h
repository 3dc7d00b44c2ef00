#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 4: 1,000,000 customers graded through the tiering plugin loaded from disk, next to
// the same rules compiled into the host.
void RunTieringBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
