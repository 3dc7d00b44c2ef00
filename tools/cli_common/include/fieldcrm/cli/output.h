// Printing for people (aligned tables that respect wide CJK characters) and scripts (JSON).
// Text for people is made safe for a terminal: control characters (ANSI escape sequences,
// line breaks inside a value) and bidirectional controls that could reorder what is shown are
// printed escaped (\x1b, \u202e), and table cells wider than kMaxCellWidth columns are cut
// with "…". --json carries the full values (JSON escapes control characters itself).
#pragma once

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
// A field value as a person reads it: strings bare, arrays comma-joined, absent as "".
std::string Show(const nlohmann::json& value);
std::string Show(const nlohmann::json& object, const char* key);
void PrintJson(const nlohmann::json& value);

}  // namespace fieldcrm::cli
