#include "customer_edits_file.h"

#include <set>
#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/sheet_rows.h"
#include "json_input.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

bool IsJsonLines(const std::string& path, const std::string& text) {
  if (path.ends_with(".jsonl") || path.ends_with(".ndjson")) return true;
  size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  return first != std::string::npos && text[first] == '{';
}

// "" names no customer: the key is a text or absent.
std::string KeyText(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return "";
  if (!it->is_string() || it->get<std::string>().empty()) {
    throw InvalidInput(where + ": \"" + key + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

std::vector<CustomerEdit> EditsOfJsonLines(const std::string& text) {
  std::vector<CustomerEdit> edits;
  std::istringstream lines(text);
  size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    CustomerEdit edit{
        .where = "line " + std::to_string(number), .id = "", .phone = "", .fields = {}};
    json object;
    try {
      object = json::parse(line);
    } catch (const json::parse_error& e) {
      throw InvalidInput(edit.where + " is not valid JSON: " + e.what());
    }
    if (!object.is_object()) throw InvalidInput(edit.where + ": expected a JSON object");
    edit.id = KeyText(object, "id", edit.where);
    if (edit.id.empty()) edit.phone = KeyText(object, "phone", edit.where);
    if (edit.id.empty() && edit.phone.empty()) {
      throw InvalidInput(edit.where + ": name the customer with \"id\" or \"phone\"");
    }
    for (const auto& [field, value] : object.items()) {
      if (field == "id" || (field == "phone" && edit.id.empty())) continue;
      edit.fields.emplace_back(field, value.is_string() ? value.get<std::string>()
                                      : value.is_null() ? ""
                                                        : value.dump());
    }
    edits.push_back(std::move(edit));
  }
  return edits;
}

std::vector<CustomerEdit> EditsOfSheet(const std::string& path) {
  std::vector<SheetRow> rows = ReadSheetRows(path);
  if (rows.empty()) return {};
  const std::vector<std::string>& header = rows.front().cells;
  std::set<std::string> seen;
  for (const std::string& column : header) {
    if (column.empty()) throw InvalidInput("row 1: a column without a name in the header");
    if (!seen.insert(column).second) throw InvalidInput("row 1: column '" + column + "' twice");
  }
  const char* key = seen.contains("id") ? "id" : seen.contains("phone") ? "phone" : nullptr;
  if (!key) throw InvalidInput("row 1: the header needs an \"id\" or \"phone\" column");
  std::vector<CustomerEdit> edits;
  for (size_t r = 1; r < rows.size(); ++r) {
    const SheetRow& row = rows[r];
    if (row.cells.size() == 1 && row.cells.front().empty()) continue;  // a blank line
    CustomerEdit edit{
        .where = "row " + std::to_string(row.row), .id = "", .phone = "", .fields = {}};
    if (row.cells.size() > header.size()) {
      throw InvalidInput(edit.where + ": " + std::to_string(row.cells.size()) +
                         " cells under a header of " + std::to_string(header.size()));
    }
    for (size_t c = 0; c < row.cells.size(); ++c) {
      const std::string& cell = row.cells[c];
      if (header[c] == key) {
        (header[c] == "id" ? edit.id : edit.phone) = cell;
      } else if (!cell.empty()) {
        edit.fields.emplace_back(header[c], cell);
      }
    }
    if (edit.id.empty() && edit.phone.empty()) {
      throw InvalidInput(edit.where + ": the " + key + " cell is empty");
    }
    edits.push_back(std::move(edit));
  }
  return edits;
}

}  // namespace

std::vector<CustomerEdit> ReadCustomerEdits(const std::string& path) {
  std::string text = ReadTextFile(path);
  std::vector<CustomerEdit> edits =
      IsJsonLines(path, text) ? EditsOfJsonLines(text) : EditsOfSheet(path);
  if (edits.empty()) throw InvalidInput("'" + path + "' holds no edits");
  return edits;
}

}  // namespace fieldcrm::cli
