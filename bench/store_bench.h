#pragma once

#include "bench/options.h"
#include "bench/report.h"

namespace fieldcrm::bench {

// The floor every sync figure is compared with: the same changes written straight into a
// replica's log and per-field state with SQLite at its fastest, next to the merge function
// applying them in pull-sized batches.
void RunStoreBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
