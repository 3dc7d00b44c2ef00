// The row of key figures at the top of every page about a period, each with its change against
// the previous period of the same length, and their trend by day (periods up to 62 days) or by
// week (from Monday) in the filter's zone:
//   "key_figures": {"unit": "day" | "week",
//                   "previous": {"from": ISO, "to": ISO},
//                   "figures": [{"key", "label", "value", "previous", "change_pct"}],
//                   "trend": [{"start": "YYYY-MM-DD", KEY: count, ...}]}
// change_pct is null when the previous period had none. A report about "now" (churn, devices)
// has no key figures.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "fieldcrm/projections/reporting.h"
#include "fieldcrm/reports/reports.h"

namespace fieldcrm::reports {

// The key figures of report `name` (null when it has none), counted with the filter's customers.
nlohmann::json KeyFigures(ReportingConnection& reporting, const std::string& name,
                          const ReportFilter& filter, int64_t now_ms);

}  // namespace fieldcrm::reports
