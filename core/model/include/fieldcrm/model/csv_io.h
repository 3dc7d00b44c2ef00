// CSV, the format head office and agencies exchange lists in (customers in: customer_import.h,
// out: customer_export.h).
// Files may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel on a Chinese Windows saves
// them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fieldcrm/model/sheet_rows.h"

namespace fieldcrm {

// Splits RFC 4180 text (as Excel writes it: commas, CRLF or LF, "quoted" cells with doubled
// quotes and line breaks inside). A blank line is a record with one empty cell. Throws
// InvalidInput naming the row and column of a quote that never closes. Each record carries the
// spreadsheet row it starts on (the header is row 1; blank lines count, so the numbers match what
// Excel shows).
std::vector<SheetRow> ParseCsvRecords(std::string_view text);

// One CSV cell: quoted, with its quotes doubled.
std::string CsvCell(const std::string& text);

// Converts to UTF-8: text that is already valid UTF-8 is returned as is, other text is decoded as
// GB18030 (a superset of GBK). Throws InvalidInput when it is neither.
std::string ToUtf8(std::string bytes);

}  // namespace fieldcrm
