// The customers behind a report's figure (the dashboard's drill-down): the report's own filter
// (team, agent, project, period) plus which figure it was, sorted and paged on the server so that
// a list of 100,000 customers costs one page of rows.
//
//   GET /v1/reports/customer_list?of=visited&agent=王芳&from=...&sort=name&order=asc&page=2
//   {"report": "customer_list", "title", "filter", "of", "stage", "sort", "order", "page",
//    "page_size", "total", "tables": [{"name": "customers", "columns", "rows", "period"}]}
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fieldcrm/projections/reporting.h"
#include "fieldcrm/reports/reports.h"

namespace fieldcrm::reports {

inline constexpr int64_t kCustomerListPageSize = 50;
// A page as large as an export asks for (page_size) at most.
inline constexpr int64_t kCustomerListMaxPageSize = 50'000;

struct CustomerListQuery {
  // Which figure: all (live customers now), new (registered in the period), moved (moved into a
  // stage in the period), visited (a visit in the period), at_risk (churn's rule, now), overdue
  // (an open task past due now), referred (registered in the period through a referral),
  // referred_all (every live referred customer).
  std::string of = "all";
  std::optional<std::string> stage;  // their stage now; for `moved`, the stage moved into
  std::string sort = "created_at";   // a column of the list
  bool descending = true;
  int64_t page = 0;  // from 0
  int64_t page_size = kCustomerListPageSize;
};

// Splits the query parameters into the report filter (ParseFilter) and the list's own (of,
// stage, sort, order=asc|desc, page from 1, page_size). Throws InvalidInput naming what is wrong.
std::pair<ReportFilter, CustomerListQuery> ParseCustomerList(
    const std::map<std::string, std::string>& params, int64_t now_ms,
    const std::optional<TimeZone>& zone = std::nullopt);

// One page of the list, as above. Throws NotFound for names no customer has (filter_choices.h).
nlohmann::json CustomerList(ReportingConnection& reporting, const ReportFilter& filter,
                            const CustomerListQuery& query, int64_t now_ms);

}  // namespace fieldcrm::reports
