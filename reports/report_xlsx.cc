#include "fieldcrm/reports/report_xlsx.h"

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customer_export.h"

namespace fieldcrm::reports {

using nlohmann::json;

XlsxKind ReportColumnXlsxKind(std::string_view key) {
  if (key == "price" || key == "monetary_cny") return XlsxKind::kAmount;
  for (std::string_view time :
       {"stamped_at", "accepted_at", "last_contact", "last_sync", "oldest_due", "at"}) {
    if (key == time) return XlsxKind::kTime;
  }
  return CustomerFieldXlsxKind(key);
}

void AddReportSheets(XlsxWriter& writer, const json& report, const std::string& table) {
  bool found = false;
  std::string names;
  for (const json& t : report.at("tables")) {
    std::string name = t.value("name", "");
    names += (names.empty() ? "" : ", ") + name;
    if (!table.empty() && name != table) continue;
    found = true;
    std::vector<XlsxColumn> columns;
    std::vector<std::string> keys;
    for (const json& column : t.at("columns")) {
      keys.push_back(column.value("key", ""));
      columns.push_back({column.value("label", keys.back()), ReportColumnXlsxKind(keys.back())});
    }
    writer.AddSheet(name, columns);
    std::vector<json> cells(keys.size());
    for (const json& row : t.at("rows")) {
      for (size_t i = 0; i < keys.size(); ++i) cells[i] = row.value(keys[i], json());
      writer.AddRow(cells);
    }
  }
  if (!found && !table.empty()) {
    throw NotFound("report '" + report.value("report", "") + "' has no table '" + table +
                   "'; its tables are " + names);
  }
}

}  // namespace fieldcrm::reports
