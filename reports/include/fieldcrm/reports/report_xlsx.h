// A report (the JSON of reports.h) as an Excel workbook, for the dashboard's "导出 Excel" and
// `fieldcrm report NAME --xlsx FILE`: one worksheet per table, named after it, with the table's
// column labels as its frozen header row; counts and shares as numbers, amounts as numbers in 万,
// times as Excel dates in the local time zone (fieldcrm/model/xlsx_writer.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fieldcrm/model/xlsx_writer.h"

namespace fieldcrm::reports {

// How a report column is written, by its key: prices and monetary values are amounts, the times
// the dashboard shows in local time are times, customer fields as customer_export.h says.
XlsxKind ReportColumnXlsxKind(std::string_view key);

// Adds the report's tables to `writer`, or only the one named `table` when it is not empty.
// Throws NotFound naming the tables there are when the report has no such table.
void AddReportSheets(XlsxWriter& writer, const nlohmann::json& report, const std::string& table);

}  // namespace fieldcrm::reports
