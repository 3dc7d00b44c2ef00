#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 1: tablet A pushes N offline changes to a server on 127.0.0.1, fresh tablet B pulls
// them; next to the raw-SQLite limit and to the HTTP+JSON transport alone (no store on either
// side), so the profile shows which stage is short.
void RunSyncBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
