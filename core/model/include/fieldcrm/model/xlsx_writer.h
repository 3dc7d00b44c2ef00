// Tables out as an Excel workbook (.xlsx), written with Debian's libxlsxwriter: one worksheet per
// table, its header row bold and frozen, then a row per record. Cells keep their types so that
// Excel can sum and sort them: numbers are numbers, amounts are numbers shown in 万 (the raw CNY
// value stays in the cell), dates and times are Excel dates (times in the local time zone, as
// local_time.h shows them to people), text is UTF-8 as it is (Chinese intact).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fieldcrm {

// How a column's values are written; a value that does not fit its kind is written as text.
enum class XlsxKind {
  kGeneral,  // numbers as numbers, booleans as booleans, text as text
  kAmount,   // whole CNY as a number in the 万 format (3500000 shows as 350.0万)
  kDate,     // "YYYY-MM-DD" as an Excel date
  kTime,     // a stored time ("2026-06-12T16:00:00Z") as an Excel date and time, local time
};

struct XlsxColumn {
  std::string label;
  XlsxKind kind = XlsxKind::kGeneral;
};

// The number format of XlsxKind::kAmount: thousands (",") shown with one decimal as 万.
inline constexpr const char* kXlsxAmountFormat = "0\\.0,\"万\"";

// Writes a workbook to a file, a sheet at a time and a row at a time (libxlsxwriter's
// constant-memory mode: a row is on disk once the next one starts, so big lists cost no memory;
// text goes in as inline strings). Nothing is at `path` until Close().
class XlsxWriter {
 public:
  // Throws StorageError when the workbook cannot be started.
  explicit XlsxWriter(const std::string& path);
  ~XlsxWriter();  // without Close(), the workbook is discarded
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;

  // A new worksheet named `name` (cut to Excel's 31 characters, []:*?/\ replaced by _, made
  // unique), its header row written and frozen.
  void AddSheet(std::string_view name, const std::vector<XlsxColumn>& columns);
  // The next row of the last sheet: one value per column (null: an empty cell; arrays are
  // joined with commas, objects written as JSON text).
  void AddRow(const std::vector<nlohmann::json>& cells);
  // Writes the file; throws InvalidInput naming the path when it cannot be written.
  void Close();

 private:
  struct Workbook;
  std::unique_ptr<Workbook> workbook_;
};

// A workbook as bytes (libxlsxwriter writes files only, so through a temporary file), for
// answering a download.
std::string XlsxBytes(const std::function<void(XlsxWriter&)>& fill);

}  // namespace fieldcrm
