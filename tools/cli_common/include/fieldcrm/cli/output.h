// Printing for people (aligned tables that respect wide CJK characters) and scripts (JSON).
// Text for people is made safe for a terminal: control characters (ANSI escape sequences,
// line breaks inside a value) and bidirectional controls that could reorder what is shown are
// printed escaped (\x1b, \u202e), and table cells wider than kMaxCellWidth columns are cut
// with "…". --json carries the full values (JSON escapes control characters itself).
#pragma once

#include <cstdio>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fieldcrm::cli {

// Terminal columns the UTF-8 text occupies: CJK and full-width characters take two.
size_t DisplayWidth(std::string_view text);

// The widest a table cell is shown, in terminal columns.
inline constexpr size_t kMaxCellWidth = 40;

// text with control and bidirectional characters (and bytes that are not UTF-8) escaped.
std::string Escaped(std::string_view text);

// Escaped text cut to at most `columns` terminal columns, ending in "…" when cut.
std::string Truncated(std::string_view text, size_t columns);

void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

// The table PrintTable prints, for rows that arrive a window at a time: Add each window, then
// Print once. The columns are aligned over every row, yet the rows are produced (read, graded)
// only once and memory stays bounded: past kHeldRows the cut cells wait in a temporary file.
class StreamedTable {
 public:
  explicit StreamedTable(std::vector<std::string> headers);
  ~StreamedTable();
  StreamedTable(const StreamedTable&) = delete;
  StreamedTable& operator=(const StreamedTable&) = delete;
  void Add(const std::vector<std::vector<std::string>>& rows);
  // The headers, then every row added, in order. Throws std::runtime_error when the temporary
  // file cannot be written or read back.
  void Print();

  static constexpr size_t kHeldRows = 1000;

 private:
  void PrintCells(const std::vector<std::string>& cells) const;
  void Spill();
  std::vector<std::string> headers_;
  std::vector<size_t> widths_;
  // Cut cells joined by '\t' (Escaped leaves no tab or line break in a cell): the latest rows
  // in memory, the earlier ones in spool_, one a line.
  std::vector<std::string> held_;
  std::FILE* spool_ = nullptr;
};
// A field value as a person reads it: strings bare, arrays comma-joined, absent as "".
std::string Show(const nlohmann::json& value);
std::string Show(const nlohmann::json& object, const char* key);
void PrintJson(const nlohmann::json& value);
// A JSON array printed item by item, byte for byte as PrintJson prints the whole array, so a
// listing never holds more than the item at hand. Close() ends it (not done on an error, which
// leaves the output visibly cut short).
class StreamedJsonArray {
 public:
  explicit StreamedJsonArray(std::ostream& out);
  void Add(const nlohmann::json& item);
  void Close();

 private:
  std::ostream& out_;
  bool empty_ = true;
};

}  // namespace fieldcrm::cli
