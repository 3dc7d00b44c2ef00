// Head office's figures that need customers' tiers. Tiers are not stored
// (core/plugin_host/include/fieldcrm/plugin_host/tiers.h): the tiering plugin grades the store's
// live customers as of now (and for "tiers" as the store stood at the period's start), the grades
// go into a temporary table, and SQL over it counts them like any other report (reports.h: same
// shape, same filters).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/reports/reports.h"

namespace fieldcrm::reports {

// Every report computed from a store, in menu order: StoreReportNames() with "tiers" after
// "customers".
const std::vector<std::string>& ReportNames();

// RunReport, plus the reports that need the tiering plugin among `plugins` (nullptr: none loaded):
// "tiers" (tables by_tier, moves, by_segment), "followups" with its sla_by_tier table and
// "retention" with its timeliness_by_tier table.
// Without a usable tiering plugin "tiers" throws PluginError saying why, and the others still
// answers, its sla_by_tier without rows and with a "note" saying why.
nlohmann::json RunReportWithTiers(ReportingConnection& reporting, const PluginHost* plugins,
                                  const std::string& name, const ReportFilter& filter,
                                  int64_t now_ms);

// The customer page's tier: ExplainTier's grade and reasons for the live customer `root` as of
// now, or {"note": why there is none} (no usable tiering plugin, or a deleted customer).
nlohmann::json CustomerTier(ReportingConnection& reporting, const PluginHost* plugins,
                            const std::string& root, int64_t now_ms);

}  // namespace fieldcrm::reports
