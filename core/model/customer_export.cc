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

struct CustomerTable {
  std::vector<std::string> columns;
  std::vector<json> customers;
};

CustomerTable AllCustomers(Store& store) {
  CustomerTable table{{"id"}, Customers(store).List({})};
  for (const auto& name : CustomerFieldNames()) table.columns.push_back(name);
  std::set<std::string> extensions;
  for (const json& c : table.customers) {
    for (const auto& [key, value] : c.items()) {
      if (IsExtensionField(key)) extensions.insert(key);
    }
  }
  table.columns.insert(table.columns.end(), extensions.begin(), extensions.end());
  table.columns.push_back("updated_at");
  return table;
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
  CustomerTable table = AllCustomers(store);
  const std::vector<std::string>& columns = table.columns;
  for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << CsvCell(columns[i]);
  out << "\r\n";
  for (const json& c : table.customers) {
    for (size_t i = 0; i < columns.size(); ++i) {
      auto it = c.find(columns[i]);
      out << (i ? "," : "") << CsvCell(it == c.end() ? "" : CsvText(*it));
    }
    out << "\r\n";
  }
}

void AddCustomersSheet(Store& store, XlsxWriter& writer) {
  CustomerTable table = AllCustomers(store);
  std::vector<XlsxColumn> columns;
  for (const std::string& name : table.columns)
    columns.push_back({name, CustomerFieldXlsxKind(name)});
  writer.AddSheet("customers", columns);
  std::vector<json> cells(columns.size());
  for (const json& c : table.customers) {
    for (size_t i = 0; i < columns.size(); ++i) cells[i] = c.value(table.columns[i], json());
    writer.AddRow(cells);
  }
}

}  // namespace fieldcrm
