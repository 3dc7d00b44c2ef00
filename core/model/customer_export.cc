#include "fieldcrm/model/customer_export.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "fieldcrm/model/csv_io.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// The columns: id, the known fields, the extension fields any customer has (a first pass over
// the customers, a window at a time), updated_at.
std::vector<std::string> ExportColumns(Customers& customers) {
  std::vector<std::string> columns = {"id"};
  for (const auto& name : CustomerFieldNames()) columns.push_back(name);
  std::set<std::string> extensions;
  customers.ForEachWindow({}, [&](std::vector<json>& window) {
    for (const json& c : window) {
      for (const auto& [key, value] : c.items()) {
        if (IsExtensionField(key)) extensions.insert(key);
      }
    }
  });
  columns.insert(columns.end(), extensions.begin(), extensions.end());
  columns.push_back("updated_at");
  return columns;
}

std::string CsvText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string text;
    for (const auto& item : value) text += (text.empty() ? "" : ",") + item.get<std::string>();
    return text;
  }
  return value.dump();
}

}  // namespace

XlsxKind CustomerFieldXlsxKind(std::string_view field) {
  if (field == "budget") return XlsxKind::kAmount;
  if (field == "birthday") return XlsxKind::kDate;
  if (field == "created_at" || field == "updated_at") return XlsxKind::kTime;
  return XlsxKind::kGeneral;
}

void ExportCustomersCsv(Store& store, std::ostream& out) {
  Customers customers(store);
  std::vector<std::string> columns = ExportColumns(customers);
  for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << CsvCell(columns[i]);
  out << "\r\n";
  customers.ForEachWindow({}, [&](std::vector<json>& window) {
    for (const json& c : window) {
      for (size_t i = 0; i < columns.size(); ++i) {
        auto it = c.find(columns[i]);
        out << (i ? "," : "") << CsvCell(it == c.end() ? "" : CsvText(*it));
      }
      out << "\r\n";
    }
  });
}

void AddCustomersSheet(Store& store, XlsxWriter& writer) {
  Customers customers(store);
  std::vector<std::string> names = ExportColumns(customers);
  std::vector<XlsxColumn> columns;
  for (const std::string& name : names) columns.push_back({name, CustomerFieldXlsxKind(name)});
  writer.AddSheet("customers", columns);
  std::vector<json> cells(columns.size());
  customers.ForEachWindow({}, [&](std::vector<json>& window) {
    for (const json& c : window) {
      for (size_t i = 0; i < columns.size(); ++i) cells[i] = c.value(names[i], json());
      writer.AddRow(cells);
    }
  });
}

}  // namespace fieldcrm
