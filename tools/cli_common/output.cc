#include "fieldcrm/cli/output.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <utility>

namespace fieldcrm::cli {

namespace {

bool IsWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

// One UTF-8 character at text[i]: its code point and length; a byte that does not start a
// well-formed character is returned alone with `valid` false.
char32_t Decode(std::string_view text, size_t i, size_t& length, bool& valid) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
  valid = lead < 0x80 || ((lead & 0xC0) == 0xC0 && lead < 0xF8 && i + length <= text.size());
  char32_t code = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t k = 1; valid && k < length; ++k) {
    unsigned char next = static_cast<unsigned char>(text[i + k]);
    valid = (next & 0xC0) == 0x80;
    code = (code << 6) | (next & 0x3F);
  }
  if (!valid) length = 1;
  return valid ? code : lead;
}

bool IsControl(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
         c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

std::string Escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t length = 0;
    bool valid = true;
    char32_t code = Decode(text, i, length, valid);
    if (!valid || (code < 0x100 && IsControl(code))) {
      char escape[16];
      std::snprintf(escape, sizeof escape, "\\x%02x",
                    valid ? static_cast<unsigned>(code) : static_cast<unsigned char>(text[i]));
      out += escape;
    } else if (IsControl(code)) {
      char escape[16];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(code));
      out += escape;
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string Truncated(std::string_view text, size_t columns) {
  std::string safe = Escaped(text);
  if (DisplayWidth(safe) <= columns) return safe;
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < safe.size();) {
    size_t length = 0;
    bool valid = true;
    char32_t code = Decode(safe, i, length, valid);
    size_t w = IsWide(code) ? 2 : 1;
    if (width + w > columns - 1) break;  // room for the ellipsis
    out.append(safe.substr(i, length));
    width += w;
    i += length;
  }
  return out + "…";
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    size_t length = 0;
    bool valid = true;
    width += IsWide(Decode(text, i, length, valid)) ? size_t{2} : size_t{1};
    i += length;
  }
  return width;
}

namespace {

std::vector<std::string> CutCells(std::vector<std::string> row, size_t columns) {
  row.resize(columns);
  for (std::string& cell : row) cell = Truncated(cell, kMaxCellWidth);
  return row;
}

std::vector<std::string> SplitCells(std::string_view line) {
  std::vector<std::string> cells;
  for (size_t start = 0;;) {
    size_t tab = line.find('\t', start);
    cells.emplace_back(line.substr(start, tab - start));
    if (tab == std::string_view::npos) return cells;
    start = tab + 1;
  }
}

}  // namespace

StreamedTable::StreamedTable(std::vector<std::string> headers) : widths_(headers.size()) {
  headers_ = CutCells(std::move(headers), widths_.size());
  for (size_t c = 0; c < headers_.size(); ++c) widths_[c] = DisplayWidth(headers_[c]);
}

StreamedTable::~StreamedTable() {
  if (spool_) std::fclose(spool_);
}

void StreamedTable::Add(const std::vector<std::vector<std::string>>& rows) {
  for (const auto& row : rows) {
    std::vector<std::string> cells = CutCells(row, headers_.size());
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      widths_[c] = std::max(widths_[c], DisplayWidth(cells[c]));
      line += (c == 0 ? "" : "\t") + cells[c];
    }
    held_.push_back(std::move(line));
    if (held_.size() >= kHeldRows) Spill();
  }
}

void StreamedTable::Spill() {
  if (!spool_ && !(spool_ = std::tmpfile())) {
    throw std::runtime_error("cannot create a temporary file to align the table: " +
                             std::string(std::strerror(errno)));
  }
  for (const std::string& line : held_) {
    if (std::fputs(line.c_str(), spool_) < 0 || std::fputc('\n', spool_) == EOF) {
      throw std::runtime_error("cannot write the table's temporary file: " +
                               std::string(std::strerror(errno)));
    }
  }
  held_.clear();
}

void StreamedTable::PrintCells(const std::vector<std::string>& cells) const {
  std::string line;
  for (size_t c = 0; c < cells.size(); ++c) {
    line += cells[c];
    size_t width = DisplayWidth(cells[c]);
    if (c + 1 < cells.size()) line += std::string(widths_[c] - width + 2, ' ');
  }
  std::cout << line << '\n';
}

void StreamedTable::Print() {
  PrintCells(headers_);
  if (spool_) {
    if (std::fflush(spool_) != 0 || std::fseek(spool_, 0, SEEK_SET) != 0) {
      throw std::runtime_error("cannot read the table's temporary file back: " +
                               std::string(std::strerror(errno)));
    }
    std::string line;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, spool_)) {
      line += buffer;
      if (line.back() != '\n') continue;  // a line longer than the buffer
      line.pop_back();
      PrintCells(SplitCells(line));
      line.clear();
    }
    if (std::ferror(spool_)) {
      throw std::runtime_error("cannot read the table's temporary file back");
    }
  }
  for (const std::string& held : held_) PrintCells(SplitCells(held));
}

void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
  StreamedTable table(headers);
  table.Add(rows);
  table.Print();
}

std::string Show(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : ",") + Show(item);
    return out;
  }
  return value.dump();
}

std::string Show(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? "" : Show(*it);
}

void PrintJson(const nlohmann::json& value) {
  std::cout << value.dump(2) << '\n';
}

StreamedJsonArray::StreamedJsonArray(std::ostream& out) : out_(out) {}

void StreamedJsonArray::Close() {
  out_ << (empty_ ? "[]\n" : "\n]\n");
}

void StreamedJsonArray::Add(const nlohmann::json& item) {
  out_ << (empty_ ? "[\n  " : ",\n  ");
  empty_ = false;
  // A nested value is the item's own dump indented one level: JSON text holds no raw line
  // breaks (strings escape them), so every line break is the dump's own.
  std::string text = item.dump(2);
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out_.write(text.data() + start, static_cast<std::streamsize>(end - start));
    if (end < text.size()) out_ << "\n  ";
  }
}

}  // namespace fieldcrm::cli
