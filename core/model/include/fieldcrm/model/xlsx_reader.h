// The first worksheet of an Excel workbook (.xlsx) as rows of text, for the import. Read with
// Debian's libzip (the zip archive) and expat (a streaming XML parser, so a 50,000-row sheet is
// never held as a document tree): shared strings (with their phonetic guides left out), inline
// strings, formula results, numbers (written as Excel shows them: 13800138000, not 1.38E+10),
// dates (a number in a date format becomes "YYYY-MM-DD", with " HH:MM:SS" when it has a time of
// day; 1900 and 1904 date systems), booleans, empty cells. Rows keep Excel's numbers; a row is
// cut after its last non-empty cell and then padded with empty cells to the first row's width.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fieldcrm/model/sheet_rows.h"

namespace fieldcrm {

// Whether bytes start as a zip archive does (an .xlsx file is one).
bool IsZipArchive(std::string_view bytes);

// Throws InvalidInput saying what is wrong when the bytes are not a readable workbook: not a zip,
// a damaged archive, no worksheet, malformed XML, a cell naming a shared string that is not there.
std::vector<SheetRow> ReadXlsxRows(const std::string& bytes);

}  // namespace fieldcrm
