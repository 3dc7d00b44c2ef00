#include "fieldcrm/model/customer_import.h"

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/csv_io.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/sheet_rows.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

constexpr const char* kSavedMappingKey = "import_mapping";
// Customers written per merge: big enough that the per-write work (a savepoint, the erasure
// check) vanishes, small enough to keep a batch's changes and records in memory cheaply.
constexpr size_t kWriteBatch = 1000;

bool IsBlank(const std::vector<std::string>& cells) {
  for (const std::string& cell : cells) {
    if (cell.find_first_not_of(" \t") != std::string::npos) return false;
  }
  return true;
}

// A budget column headed "预算（万元）" holds 万: "350" there is 350万.
std::string CellText(const ImportColumn& column, const std::string& cell) {
  if (column.in_wan && !cell.empty() && cell.back() >= '0' && cell.back() <= '9') {
    return cell + "万";
  }
  return cell;
}

// The parsed fields of one row; throws InvalidInput with the reason it cannot be imported.
FieldValues ParseRow(const std::vector<ImportColumn>& columns,
                     const std::vector<std::string>& cells) {
  if (cells.size() != columns.size()) {
    throw InvalidInput("has " + std::to_string(cells.size()) + " cells, the header " +
                       std::to_string(columns.size()));
  }
  FieldTexts texts;
  for (size_t c = 0; c < cells.size(); ++c) {
    if (!columns[c].field.empty() && cells[c].find_first_not_of(" \t") != std::string::npos) {
      texts.emplace_back(columns[c].field, CellText(columns[c], cells[c]));
    }
  }
  FieldValues values = Customers::Parse(texts);
  for (const char* required : {"name", "phone"}) {
    bool present = std::any_of(values.begin(), values.end(),
                               [&](const auto& field) { return field.first == required; });
    if (!present) throw InvalidInput(std::string("no ") + required);
  }
  return values;
}

std::string PhoneOf(const FieldValues& values) {
  for (const auto& [field, value] : values) {
    if (field == "phone") return value.get<std::string>();
  }
  return "";
}

}  // namespace

ImportReport ImportCustomers(Store& store, const std::string& path, const ImportOptions& options) {
  std::vector<SheetRow> records = ReadSheetRows(path);
  if (records.empty()) throw InvalidInput("'" + path + "' is empty: expected a header row");

  ImportReport report;
  report.header = records[0].cells;
  ColumnMapping mapping = SavedMapping(store);
  for (const auto& [column, field] : options.mapping) mapping[column] = field;
  ImportColumns columns = ResolveColumns(report.header, mapping, options.keep_unknown);
  report.columns = columns.columns;
  report.ignored_columns = columns.ignored;

  // Every row checked, duplicates folded, before anything is written.
  std::vector<FieldValues> customers;
  std::map<std::string, size_t> by_phone;   // E.164 -> index in customers
  std::map<std::string, size_t> merged_at;  // E.164 -> index in report.merged
  for (size_t r = 1; r < records.size(); ++r) {
    const SheetRow& record = records[r];
    if (IsBlank(record.cells)) continue;
    ++report.rows;
    FieldValues values;
    try {
      values = ParseRow(report.columns, record.cells);
    } catch (const InvalidInput& e) {
      report.rejected.push_back({record.row, record.cells, e.what()});
      continue;
    }
    std::string phone = PhoneOf(values);
    auto [seen, fresh] = by_phone.emplace(phone, customers.size());
    if (fresh) {
      customers.push_back(std::move(values));
      merged_at[phone] = record.row;  // the first row, should a duplicate follow
      continue;
    }
    FieldValues& first = customers[seen->second];
    for (auto& field : values) {
      bool has = std::any_of(first.begin(), first.end(),
                             [&](const auto& kept) { return kept.first == field.first; });
      if (!has) first.push_back(std::move(field));
    }
    auto group = std::find_if(report.merged.begin(), report.merged.end(),
                              [&](const MergedRows& m) { return m.phone == phone; });
    if (group == report.merged.end()) {
      report.merged.push_back({phone, {merged_at[phone]}});
      group = report.merged.end() - 1;
    }
    group->rows.push_back(record.row);
  }
  report.customers = customers.size();
  std::vector<SheetRow>().swap(records);  // the parsed values are all the writes need
  if (options.dry_run || (!report.rejected.empty() && !options.skip_bad_rows)) return report;

  Customers writer(store);
  // One transaction touches every page of a big list: with SQLite's default 2 MB page cache it
  // spills and rewrites pages into the WAL many times over.
  StoreDatabase(store).Exec("PRAGMA cache_size = -65536");
  Transaction txn = store.Transact();
  for (size_t done = 0; done < customers.size();) {
    size_t end = std::min(customers.size(), done + kWriteBatch);
    std::vector<FieldValues> batch(
        std::make_move_iterator(customers.begin() + static_cast<std::ptrdiff_t>(done)),
        std::make_move_iterator(customers.begin() + static_cast<std::ptrdiff_t>(end)));
    for (const AddedCustomer& added : writer.AddParsedMany(std::move(batch))) {
      ++(added.existed ? report.existing : report.added);
    }
    done = end;
    if (options.progress) options.progress(done, customers.size());
  }
  txn.Commit();
  report.written = true;
  return report;
}

void WriteRejectedRows(const ImportReport& report, std::ostream& out) {
  out << "\xEF\xBB\xBF";
  auto write_row = [&](const std::vector<std::string>& cells, const std::string& last) {
    for (const std::string& cell : cells) out << CsvCell(cell) << ',';
    out << CsvCell(last) << "\r\n";
  };
  write_row(report.header, "错误原因");
  for (const RejectedRow& rejected : report.rejected) {
    write_row(rejected.cells, "row " + std::to_string(rejected.row) + ": " + rejected.reason);
  }
}

ColumnMapping SavedMapping(Store& store) {
  auto saved = store.GetMeta(kSavedMappingKey);
  return saved ? json::parse(*saved).get<ColumnMapping>() : ColumnMapping{};
}

void SaveMapping(Store& store, const ColumnMapping& mapping) {
  ColumnMapping all = SavedMapping(store);
  for (const auto& [column, field] : mapping) all[column] = field;
  store.SetMeta(kSavedMappingKey, json(all).dump());
}

}  // namespace fieldcrm
