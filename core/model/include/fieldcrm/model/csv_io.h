// Customers in and out as CSV, the format head office and agencies exchange lists in.
// Files may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel on a Chinese Windows saves
// them.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// One record of a CSV file and the spreadsheet row it starts on (the header is row 1; blank
// lines count, so the numbers match what Excel shows).
struct CsvRecord {
  size_t row;
  std::vector<std::string> cells;
};

// Splits RFC 4180 text (as Excel writes it: commas, CRLF or LF, "quoted" cells with doubled
// quotes and line breaks inside). A blank line is a record with one empty cell. Throws
// InvalidInput naming the row and column of a quote that never closes.
std::vector<CsvRecord> ParseCsvRecords(std::string_view text);

// Customers in: see fieldcrm/model/csv_import.h.
void ExportCustomersCsv(Store& store, std::ostream& out);
// One CSV cell: quoted, with its quotes doubled.
std::string CsvCell(const std::string& text);

// Converts to UTF-8: text that is already valid UTF-8 is returned as is, other text is decoded as
// GB18030 (a superset of GBK). Throws InvalidInput when it is neither.
std::string ToUtf8(std::string bytes);

}  // namespace fieldcrm
