// Head office's reports, computed in SQL over a store (the server's, or a tablet's own): the same
// figures for the dashboard's JSON API (/v1/reports/NAME) and for `fieldcrm report NAME`. They
// read through the reporting contract (fieldcrm/projections/reporting.h) and nothing else.
// Every report is a list of tables: {"report", "title", "filter", "tables": [{"name", "title",
// "columns": [{"key", "label"}], "rows": [{key: value}], "chart": {"label", "value"} or null,
// "period": what time its figures cover}]}: "period" (the filter's from–to, and the previous
// period where a column says so), "now" (the store as it is) or "all_time".
// A filter naming a team, agent or project no live customer has is a NotFound naming the ones
// there are (filter_choices.h), never an empty report.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/model/time_zone.h"
#include "fieldcrm/projections/reporting.h"

namespace fieldcrm::reports {

// The time a table's figures cover (its "period").
inline constexpr const char* kInPeriod = "period";
inline constexpr const char* kNow = "now";
inline constexpr const char* kAllTime = "all_time";

// Which customers and which period a report covers. Unset: every team, agent and project.
struct ReportFilter {
  std::optional<std::string> team, agent, project;  // project: the customer's `project` field
  int64_t since_ms = 0;  // the period [since, until); the previous period is as long, just before
  int64_t until_ms = 0;
  // Whose days the dates are (a team's zone on the server); unset: the process's local zone.
  std::optional<TimeZone> zone;
};

// Query parameters as the API and the CLI take them: team, agent, project, from and to (dates
// or ISO times; a date as `to` includes that day; default: the 30 days up to now_ms). Dates and
// times without an offset are read in `zone` (unset: the process's local zone). Throws
// InvalidInput for anything else.
ReportFilter ParseFilter(const std::map<std::string, std::string>& params, int64_t now_ms,
                         const std::optional<TimeZone>& zone = std::nullopt);

// Reports computed from the store alone, in menu order (the server adds devices and customer).
const std::vector<std::string>& StoreReportNames();

// Throws NotFound for an unknown name.
nlohmann::json RunReport(ReportingConnection& reporting, const std::string& name,
                         const ReportFilter& filter, int64_t now_ms);

// One customer's record (any id of theirs; merged ids resolve) with counts of what hangs off
// it; throws NotFound.
nlohmann::json CustomerRecord(ReportingConnection& reporting, const std::string& id);

// A report object with the filter filled in, for reports assembled outside this library.
nlohmann::json NewReport(const std::string& name, const std::string& title,
                         const ReportFilter& filter);
// A table of the shape above; rows are added by the caller.
nlohmann::json NewTable(const std::string& name, const std::string& title,
                        const std::vector<std::pair<std::string, std::string>>& columns,
                        const char* period = kInPeriod);

// A table whose rows come from `sql` run after the common CTEs every report starts with (p: the
// filter and times; cust: the live customers it selects; owned: their history records with their
// customer), for reports assembled outside this file. sql's last SELECT starting a line gives the
// rows; its own CTEs start with a comma.
nlohmann::json RunSqlTable(ReportingConnection& reporting, const ReportFilter& filter,
                           int64_t now_ms, const std::string& name, const std::string& title,
                           const std::vector<std::pair<std::string, std::string>>& columns,
                           const std::string& sql, const char* period = kInPeriod);

// The statement of `sql` run after the same common CTEs, the filter's parameters bound, for
// callers reading its rows themselves (Step them, then Reset).
Statement& PrepareReportQuery(Database& db, const std::string& sql, const ReportFilter& filter,
                              int64_t now_ms);

}  // namespace fieldcrm::reports
