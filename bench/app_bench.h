// The agent's app (fieldcrm app) on a tablet store of 100,000 customers: p50 and p99 latency of
// each screen's API call over HTTP on 127.0.0.1, as the tablet's browser makes them.
#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

void RunAppBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
