#include "fieldcrm/model/csv_io.h"

#include <csv.h>
#include <iconv.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/base/utf8.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

const std::map<std::string, std::string>& ChineseHeaders() {
  static const std::map<std::string, std::string> headers = {
      {"姓名", "name"},        {"客户姓名", "name"},   {"电话", "phone"},
      {"手机", "phone"},       {"手机号", "phone"},    {"联系电话", "phone"},
      {"性别", "gender"},      {"年龄段", "age_band"}, {"职业", "occupation"},
      {"收入", "income_band"}, {"家庭结构", "family"}, {"城市", "city"},
      {"区域", "district"},    {"预算", "budget"},     {"购房目的", "purpose"},
      {"用途", "purpose"},     {"户型", "house_type"}, {"项目", "project"},
      {"偏好", "preferences"}, {"来源", "source"},     {"渠道", "source"},
      {"阶段", "stage"},       {"置业顾问", "agent"},  {"团队", "team"},
      {"标签", "tags"},        {"备注", "notes"},      {"生日", "birthday"}};
  return headers;
}

// Columns an export writes that fieldcrm maintains itself: an import takes them as information.
bool IsMaintainedColumn(const std::string& name) {
  return name == "id" || name == "updated_at";
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  struct Sink {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
  } sink;
  csv_parser parser;
  if (csv_init(&parser, CSV_APPEND_NULL) != 0) throw StorageError("cannot initialise CSV parser");
  auto on_field = [](void* data, size_t size, void* context) {
    static_cast<Sink*>(context)->row.emplace_back(static_cast<char*>(data), size);
  };
  auto on_row = [](int, void* context) {
    auto* s = static_cast<Sink*>(context);
    s->rows.push_back(std::move(s->row));
    s->row.clear();
  };
  bool ok = csv_parse(&parser, text.data(), text.size(), on_field, on_row, &sink) == text.size() &&
            csv_fini(&parser, on_field, on_row, &sink) == 0;
  std::string error = csv_strerror(csv_error(&parser));
  csv_free(&parser);
  if (!ok) throw InvalidInput("malformed CSV: " + error);
  return sink.rows;
}

}  // namespace

std::string ToUtf8(std::string bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.erase(0, 3);
  if (IsValidUtf8(bytes)) return bytes;
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw StorageError("GB18030 decoding is unavailable");
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in_ptr = bytes.data();
  size_t in_left = bytes.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) {
    throw InvalidInput("text is neither UTF-8 nor GBK (undecodable bytes at offset " +
                       std::to_string(bytes.size() - in_left) + ")");
  }
  out.resize(out.size() - out_left);
  return out;
}

ImportReport ImportCustomersCsv(Store& store, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw NotFound("cannot read '" + path + "'");
  std::stringstream buffer;
  buffer << file.rdbuf();
  auto rows = ParseCsv(ToUtf8(buffer.str()));
  if (rows.empty()) throw InvalidInput("'" + path + "' is empty: expected a header row");

  std::vector<std::string> columns;
  for (const std::string& raw : rows[0]) {
    std::string header = raw;
    while (!header.empty() && (header.back() == ' ' || header.back() == '\r')) header.pop_back();
    if (auto it = ChineseHeaders().find(header); it != ChineseHeaders().end()) header = it->second;
    if (!IsMaintainedColumn(header)) CheckCustomerFieldName(header);
    columns.push_back(header);
  }
  std::set<std::string> named(columns.begin(), columns.end());
  if (!named.count("name") || !named.count("phone")) {
    throw InvalidInput("'" + path + "' needs a name and a phone column (姓名, 电话)");
  }

  ImportReport report;
  Customers customers(store);
  Transaction txn = store.Transact();
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& cells = rows[r];
    if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
    std::string where = "row " + std::to_string(r + 1) + ": ";
    if (cells.size() != columns.size()) {
      report.errors.push_back(where + "has " + std::to_string(cells.size()) +
                              " cells, the header " + std::to_string(columns.size()));
      continue;
    }
    FieldTexts fields;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!cells[c].empty() && !IsMaintainedColumn(columns[c]))
        fields.emplace_back(columns[c], cells[c]);
    }
    try {
      auto added = customers.Add(fields);
      ++(added.existed ? report.existing : report.added);
    } catch (const InvalidInput& e) {
      report.errors.push_back(where + e.what());
    }
  }
  txn.Commit();
  return report;
}

std::string CsvCell(const std::string& text) {
  std::string quoted(text.size() * 2 + 2, '\0');
  quoted.resize(csv_write(quoted.data(), quoted.size(), text.data(), text.size()));
  return quoted;
}

void ExportCustomersCsv(Store& store, std::ostream& out) {
  std::vector<json> all = Customers(store).List({});
  std::vector<std::string> columns = {"id"};
  for (const auto& name : CustomerFieldNames()) columns.push_back(name);
  std::set<std::string> extensions;
  for (const json& c : all) {
    for (const auto& [key, value] : c.items()) {
      if (IsExtensionField(key)) extensions.insert(key);
    }
  }
  columns.insert(columns.end(), extensions.begin(), extensions.end());
  columns.push_back("updated_at");

  for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << CsvCell(columns[i]);
  out << "\r\n";
  for (const json& c : all) {
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string text;
      if (auto it = c.find(columns[i]); it != c.end()) {
        if (it->is_string()) {
          text = it->get<std::string>();
        } else if (it->is_array()) {
          for (const auto& item : *it) text += (text.empty() ? "" : ",") + item.get<std::string>();
        } else {
          text = it->dump();
        }
      }
      out << (i ? "," : "") << CsvCell(text);
    }
    out << "\r\n";
  }
}

}  // namespace fieldcrm
