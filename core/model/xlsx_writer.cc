#include "fieldcrm/model/xlsx_writer.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/local_time.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

constexpr size_t kMaxSheetName = 31;     // Excel's limit, in characters
constexpr size_t kMaxCellBytes = 32767;  // Excel's limit of a cell's text
constexpr double kMaxColumnWidth = 40;

bool IsUtf8Continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Characters of UTF-8 text, and the columns they take on screen (a CJK character takes two).
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsUtf8Continuation(text[i])) continue;
    width += static_cast<unsigned char>(text[i]) >= 0xE0 ? size_t{2} : size_t{1};
  }
  return width;
}

// `text` cut to at most `bytes` bytes on a character boundary.
std::string_view CutUtf8(std::string_view text, size_t bytes) {
  if (text.size() <= bytes) return text;
  while (bytes > 0 && IsUtf8Continuation(text[bytes])) --bytes;
  return text.substr(0, bytes);
}

std::string SheetName(std::string_view wanted, std::set<std::string>& taken) {
  std::string base;
  size_t characters = 0;
  for (char c : wanted) {
    if (!IsUtf8Continuation(c) && ++characters > kMaxSheetName) break;
    base += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '_';
  }
  if (base.empty() || base.front() == '\'') base.insert(0, "Sheet");
  std::string name = base;
  for (int n = 2; !taken.insert(name).second; ++n) {
    std::string suffix = "_" + std::to_string(n);
    name = std::string(CutUtf8(base, kMaxSheetName - suffix.size())) + suffix;
  }
  return name;
}

std::string CellText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const json& item : value) out += (out.empty() ? "" : ",") + CellText(item);
    return out;
  }
  return value.dump();
}

lxw_datetime LocalDateTime(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return {local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
          local.tm_hour,        local.tm_min,     static_cast<double>(local.tm_sec)};
}

}  // namespace

struct XlsxWriter::Workbook {
  std::string path;
  lxw_workbook* book = nullptr;
  lxw_worksheet* sheet = nullptr;
  std::vector<XlsxKind> kinds;  // of the last sheet's columns
  lxw_row_t next_row = 0;
  std::set<std::string> sheet_names;
  lxw_format* header = nullptr;
  lxw_format* amount = nullptr;
  lxw_format* date = nullptr;
  lxw_format* time = nullptr;

  lxw_format* NumberFormat(const char* code) {
    lxw_format* format = workbook_add_format(book);
    format_set_num_format(format, code);
    return format;
  }

  // Writes one cell as its column's kind says; text when the value does not fit the kind.
  lxw_error Write(lxw_col_t col, XlsxKind kind, const json& value) {
    if (value.is_null()) return LXW_NO_ERROR;
    if (value.is_number()) {
      return worksheet_write_number(sheet, next_row, col, value.get<double>(),
                                    kind == XlsxKind::kAmount ? amount : nullptr);
    }
    if (value.is_boolean()) {
      return worksheet_write_boolean(sheet, next_row, col, value.get<bool>(), nullptr);
    }
    std::string text = CellText(value);
    int year = 0, month = 0, day = 0;
    size_t rest = 0;
    if (kind == XlsxKind::kDate && SplitDate(text, year, month, day, rest) && rest == text.size()) {
      lxw_datetime when{year, month, day, 0, 0, 0};
      return worksheet_write_datetime(sheet, next_row, col, &when, date);
    }
    if (kind == XlsxKind::kTime && !text.empty()) {
      try {
        lxw_datetime when = LocalDateTime(ParseTime(text, "time"));
        return worksheet_write_datetime(sheet, next_row, col, &when, time);
      } catch (const InvalidInput&) {
        // not a time: written as the text it is
      }
    }
    return worksheet_write_string(sheet, next_row, col,
                                  std::string(CutUtf8(text, kMaxCellBytes)).c_str(), nullptr);
  }

  void Check(lxw_error error) {
    if (error == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE) {
      throw InvalidInput("'" + path + "': more rows than an Excel worksheet holds (1,048,576)");
    }
    if (error != LXW_NO_ERROR) {
      throw StorageError("'" + path + "': cannot write the workbook: " + lxw_strerror(error));
    }
  }
};

XlsxWriter::XlsxWriter(const std::string& path) : workbook_(std::make_unique<Workbook>()) {
  workbook_->path = path;
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  workbook_->book = workbook_new_opt(path.c_str(), &options);
  if (!workbook_->book) throw StorageError("cannot start a workbook for '" + path + "'");
  workbook_->header = workbook_add_format(workbook_->book);
  format_set_bold(workbook_->header);
  workbook_->amount = workbook_->NumberFormat(kXlsxAmountFormat);
  workbook_->date = workbook_->NumberFormat("yyyy-mm-dd");
  workbook_->time = workbook_->NumberFormat("yyyy-mm-dd hh:mm");
}

XlsxWriter::~XlsxWriter() {
  if (workbook_->book) lxw_workbook_free(workbook_->book);
}

void XlsxWriter::AddSheet(std::string_view name, const std::vector<XlsxColumn>& columns) {
  Workbook& w = *workbook_;
  w.sheet = workbook_add_worksheet(w.book, SheetName(name, w.sheet_names).c_str());
  if (!w.sheet) throw StorageError("'" + w.path + "': cannot add a worksheet");
  w.kinds.clear();
  w.next_row = 0;
  for (size_t c = 0; c < columns.size(); ++c) {
    auto col = static_cast<lxw_col_t>(c);
    const XlsxColumn& column = columns[c];
    w.kinds.push_back(column.kind);
    double width = column.kind == XlsxKind::kTime ? 17 : 12;
    width = std::min(kMaxColumnWidth,
                     std::max(width, static_cast<double>(DisplayWidth(column.label) + 2)));
    w.Check(worksheet_set_column(w.sheet, col, col, width, nullptr));
    w.Check(worksheet_write_string(w.sheet, 0, col, column.label.c_str(), w.header));
  }
  worksheet_freeze_panes(w.sheet, 1, 0);
  w.next_row = 1;
}

void XlsxWriter::AddRow(const std::vector<json>& cells) {
  Workbook& w = *workbook_;
  if (!w.sheet) throw StorageError("XlsxWriter::AddRow before AddSheet");
  for (size_t c = 0; c < cells.size() && c < w.kinds.size(); ++c) {
    w.Check(w.Write(static_cast<lxw_col_t>(c), w.kinds[c], cells[c]));
  }
  ++w.next_row;
}

void XlsxWriter::Close() {
  Workbook& w = *workbook_;
  if (!w.sheet) AddSheet("Sheet1", {});  // a workbook needs a worksheet
  // Checked first: libxlsxwriter would also print its own message on stderr.
  if (!std::ofstream(w.path, std::ios::binary | std::ios::app)) {
    throw InvalidInput("cannot write '" + w.path + "': " + std::strerror(errno));
  }
  lxw_error error = workbook_close(w.book);  // frees the workbook, whatever the outcome
  w.book = nullptr;
  if (error != LXW_NO_ERROR) {
    throw InvalidInput("cannot write '" + w.path + "': " + lxw_strerror(error));
  }
}

std::string XlsxBytes(const std::function<void(XlsxWriter&)>& fill) {
  std::string path = (std::filesystem::temp_directory_path() / "fieldcrm-XXXXXX.xlsx").string();
  int fd = mkstemps(path.data(), 5);
  if (fd < 0) throw StorageError("cannot create a temporary file for a workbook");
  close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};
  XlsxWriter writer(path);
  fill(writer);
  writer.Close();
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace fieldcrm
