#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Benchmark 5: 50 tablets at once, each pushing 2,000 changes and pulling its team's, against one
// server: throughput, p50/p99 request latency, and every change counted on every tablet.
void RunLoadBenchmark(const Options& options, Report& report);

// Issue 15's side-by-side table: a Monday morning at 50, 200 and 500 tablets against head
// office deployed as real processes: SQLite, PostgreSQL with one process, PostgreSQL with three
// behind haproxy (server_fleet.h); p50/p99, throughput, the servers' peak RSS, failed syncs, lost
// and duplicated changes.
void RunFleetBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
