// The sales offices' walk-ins (来访接待) on head office's dashboard: for each team and each day of
// the period, the evening meeting's log (夕会) as the store's reception plugin composes it (its
// "log" function, e.g. plugins/rotation), from that team's reception records of that day alone,
// so one office's duty list and queue never mix with another's. The plugin owns what its records
// mean; this report only reads (a function that proposes records is refused) and lays the logs
// out as tables.
#pragma once

#include <nlohmann/json.hpp>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/projections/reporting.h"
#include "fieldcrm/reports/reports.h"

namespace fieldcrm::reports {

// Report "reception", tables (all of the period, in the filter's zone):
//   by_team   team, days with walk-ins, walk-ins, new, returning (the whole company only);
//   by_agent  team, agent, walk-ins received, new, returning;
//   by_source source, walk-ins, share of the walk-ins (%);
//   walk_ins  every walk-in by time: at, team, agent, name, phone, source, visit (new or
//             returning), why this agent, agents skipped as busy; rows also carry "id", the
//             customer the walk-in was registered as ("" when not), which the page links to;
//   duty      each team's duty list of each day, in turn order.
// A walk-in's team is its record's stamp, or the team of the customer it hangs under (a returning
// visitor's). filter.team keeps one team; filter.agent the walk-ins that agent received; a project
// is refused (InvalidInput: walk-ins are an office's, not a project's). Reception records without a
// team (written before tablets stamped them) count under "(无组 no team)" for the whole company.
// Without a usable reception plugin every table has no rows and a "note" saying why.
nlohmann::json ReceptionReport(ReportingConnection& reporting, const PluginHost* plugins,
                               const ReportFilter& filter);

}  // namespace fieldcrm::reports
