// Customers in from a spreadsheet: an .xlsx workbook's first sheet or the CSV a spreadsheet
// saves (UTF-8 or GBK), read into rows by sheet_rows.h and from there imported alike, all or
// nothing: every row is checked before any is written, and by default one bad row means nothing is
// written. Rows with the same phone number are one customer: the first row's values win, later
// rows fill the gaps, and the report names the rows. Columns are matched as import_columns.h
// describes.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "fieldcrm/model/import_columns.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct ImportOptions {
  ColumnMapping mapping{};     // the user's, over the saved one (SavedMapping)
  bool keep_unknown = false;   // keep unknown columns as extension fields "import.<header>"
  bool dry_run = false;        // check the file, write nothing
  bool skip_bad_rows = false;  // write the good rows even when some are rejected
  // Called as rows are written (done of total), for progress on big files.
  std::function<void(size_t done, size_t total)> progress{};
};

struct RejectedRow {
  size_t row;  // as a spreadsheet numbers it: the header is row 1
  std::vector<std::string> cells;
  std::string reason;
};

struct MergedRows {
  std::string phone;         // E.164
  std::vector<size_t> rows;  // every row with it, first one first
};

struct ImportReport {
  std::vector<std::string> header;  // the file's header row, as written
  std::vector<ImportColumn> columns;
  std::vector<std::string> ignored_columns;
  std::vector<MergedRows> merged;
  std::vector<RejectedRow> rejected;
  size_t rows = 0;       // data rows read (blank lines not counted)
  size_t customers = 0;  // distinct customers in the good rows
  int added = 0;         // written as new customers
  int existing = 0;      // already on the store (by phone): left as they were
  bool written = false;  // false for a dry run, and when rows were rejected without skip_bad_rows
};

// Throws NotFound for a missing file and InvalidInput when the file as a whole cannot be read
// (not a spreadsheet, a damaged workbook, undecodable text, an unterminated quote, no header, no
// name or phone column, two columns for one field); rows that cannot be read are in the
// report's `rejected`.
ImportReport ImportCustomers(Store& store, const std::string& path, const ImportOptions& options);

// The rejected rows as CSV that Excel opens (UTF-8 with BOM): the file's header and a last
// column 错误原因 with the reason, so the office can fix them and import this file again.
void WriteRejectedRows(const ImportReport& report, std::ostream& out);

// The mapping remembered on this store (import --save-map), used by later imports.
ColumnMapping SavedMapping(Store& store);
void SaveMapping(Store& store, const ColumnMapping& mapping);

}  // namespace fieldcrm
