// Printing for people (aligned tables that respect wide CJK characters) and scripts (JSON).
// Text for people is made safe for a terminal: control characters (ANSI escape sequences,
// line breaks inside a value) and bidirectional controls that could reorder what is shown are
// printed escaped (\x1b, \u202e), and table cells wider than kMaxCellWidth columns are cut
// with "…". --json carries the full values (JSON escapes control characters itself).
#pragma once

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

// The table PrintTable prints, for rows read a window at a time so that none holds them all:
// Measure every window, then PrintHeaders and Print the same windows again in the same order.
class StreamedTable {
 public:
  explicit StreamedTable(std::vector<std::string> headers);
  void Measure(const std::vector<std::vector<std::string>>& rows);
  void PrintHeaders() const;
  void Print(const std::vector<std::vector<std::string>>& rows) const;

 private:
  std::vector<std::string> Cells(std::vector<std::string> row) const;
  std::vector<std::string> headers_;
  std::vector<size_t> widths_;
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
