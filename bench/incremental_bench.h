#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 3: cost proportional to the change (issue 16 item 0). A tablet of 10,000, 100,000
// and 1,000,000 customers (a tenth registered on it, the rest received) that writes on itself and
// receives a colleague's changes: `fieldcrm` processes opening the store, `status`, one
// `customer set`, `sync` after 100 local edits, `sync` receiving 20 changes; and the peak RSS of
// `customer list` (plain and --json) and `export` up to 100,000 customers.
void RunIncrementalBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
