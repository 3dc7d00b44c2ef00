#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 2: a new tablet (the real `fieldcrm` process) joins a team whose server holds
// 200,000 customers in 2,000,000 log entries: time to a usable store and peak RSS, next to a
// plain bulk insert of the final state.
void RunBootstrapBenchmark(const Options& options, Report& report);

// Benchmark 3: after joining, the tablet edits 100 customers and runs `fieldcrm sync`: its wall
// time at 10,000 and at 1,000,000 history entries.
void RunIncrementalBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
