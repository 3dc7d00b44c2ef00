// What a report filter can name: the teams, agents and projects the store's live customers have.
// The dashboard's pickers are fed from it, and a filter naming anything else is refused with the
// names there are, so a typo is a clear message rather than a page of empty tables.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fieldcrm/projections/reporting.h"
#include "fieldcrm/reports/reports.h"

namespace fieldcrm::reports {

// {"teams": [{"team", "customers"}], "agents": [{"agent", "team", "customers"}],
//  "projects": [{"project", "customers"}]} over the live customers (of only_team when set).
nlohmann::json FilterChoices(ReportingConnection& reporting,
                             const std::optional<std::string>& only_team = std::nullopt);

// Throws NotFound ("no team 'X' among the customers here; the teams are: ...") when the filter
// names a team no live customer has, or an agent or a project none of the filter's team has.
void RequireKnownNames(ReportingConnection& reporting, const ReportFilter& filter);

}  // namespace fieldcrm::reports
