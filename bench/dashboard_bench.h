#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// The dashboard's pages at 120,000 customers, 20 teams and 120 agents: the server's time to
// answer each page's report (/v1/reports/NAME, key figures included) for the whole company, and
// the Tiers page for one team (target: under 500 ms each).
void RunDashboardBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
