#include "fieldcrm/model/csv_io.h"

#include <csv.h>
#include <iconv.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/base/utf8.h"

namespace fieldcrm {

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

std::vector<SheetRow> ParseCsvRecords(std::string_view text) {
  std::vector<SheetRow> records;
  SheetRow record{1, {}};
  std::string cell;
  size_t row = 1;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"' && cell.empty()) {
      // A quoted cell: commas, line breaks and doubled quotes inside are text.
      size_t opened_row = row;
      ++i;
      for (;;) {
        if (i >= text.size()) {
          throw InvalidInput("row " + std::to_string(opened_row) + ", column " +
                             std::to_string(record.cells.size() + 1) +
                             ": unterminated quote (a cell opens with \" that never closes)");
        }
        size_t quote = text.find('"', i);
        if (quote == std::string_view::npos) quote = text.size();
        cell.append(text.substr(i, quote - i));
        i = quote;
        if (i >= text.size()) continue;
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          i += 2;
        } else {
          ++i;
          break;
        }
      }
      continue;
    }
    if (c == ',') {
      record.cells.push_back(std::move(cell));
      cell.clear();
      ++i;
    } else if (c == '\r' || c == '\n') {
      record.cells.push_back(std::move(cell));
      cell.clear();
      records.push_back(std::move(record));
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? size_t{2} : size_t{1};
      record = {++row, {}};
    } else {
      size_t end = text.find_first_of(",\r\n\"", i + 1);
      if (end == std::string_view::npos) end = text.size();
      if (text[i] == '"') end = i + 1;  // a stray quote inside a bare cell is text
      cell.append(text.substr(i, end - i));
      i = end;
    }
  }
  if (!cell.empty() || !record.cells.empty()) {
    record.cells.push_back(std::move(cell));
    records.push_back(std::move(record));
  }
  return records;
}

std::string CsvCell(const std::string& text) {
  std::string quoted(text.size() * 2 + 2, '\0');
  quoted.resize(csv_write(quoted.data(), quoted.size(), text.data(), text.size()));
  return quoted;
}

}  // namespace fieldcrm
