// A spreadsheet as rows of text cells, whichever file it came from: the one shape the import
// reads (customer_import.h), so CSV and .xlsx files follow the same header, mapping and row rules.
#pragma once

#include <string>
#include <vector>

namespace fieldcrm {

// One row and the number the spreadsheet shows for it (the header is row 1 in a CSV file; an
// .xlsx row keeps its own number).
struct SheetRow {
  size_t row;
  std::vector<std::string> cells;
};

// The rows of the file at `path`: the first worksheet of an .xlsx workbook (xlsx_reader.h) when
// the file is a zip archive, else CSV text in UTF-8 or GBK (csv_io.h). Throws NotFound for a file
// that cannot be read, InvalidInput for one that is not a spreadsheet (an old binary .xls, a
// corrupt workbook, undecodable text, an unterminated quote), naming the file.
std::vector<SheetRow> ReadSheetRows(const std::string& path);

}  // namespace fieldcrm
