#include "fieldcrm/model/sheet_rows.h"

#include <fstream>
#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/csv_io.h"
#include "fieldcrm/model/xlsx_reader.h"

namespace fieldcrm {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw NotFound("cannot read '" + path + "'");
  std::stringstream buffer;
  buffer << file.rdbuf();
  if (file.bad()) throw NotFound("cannot read '" + path + "'");
  return buffer.str();
}

// What an Excel 97-2003 workbook (.xls) starts with: an OLE compound file.
bool IsOleCompoundFile(std::string_view bytes) {
  return bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
}

}  // namespace

std::vector<SheetRow> ReadSheetRows(const std::string& path) {
  std::string bytes = ReadFile(path);
  if (IsOleCompoundFile(bytes)) {
    throw InvalidInput("'" + path +
                       "' is an Excel 97-2003 workbook (.xls): save it as .xlsx or CSV in Excel");
  }
  try {
    if (IsZipArchive(bytes) || path.ends_with(".xlsx") || path.ends_with(".XLSX")) {
      return ReadXlsxRows(bytes);
    }
    return ParseCsvRecords(ToUtf8(std::move(bytes)));
  } catch (const InvalidInput& e) {
    throw InvalidInput("'" + path + "': " + e.what());
  }
}

}  // namespace fieldcrm
