#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 2: a new tablet (the real `fieldcrm` process) joins a team whose server holds
// 200,000 customers in 2,000,000 log entries: time to a usable store and peak RSS, next to a
// plain bulk insert of the final state.
void RunBootstrapBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
