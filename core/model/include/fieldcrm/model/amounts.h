// Numbers as people write them, and the one place every numeric field's range is checked.
// The CLI, CSV imports, the tablet app (through ParseCustomerField) and plugin configuration
// all read amounts through ParseAmount, so "350万" means the same everywhere.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace fieldcrm {

// The largest amount fieldcrm accepts: 1万亿 CNY. Anything larger is a typo, not a flat.
inline constexpr int64_t kMaxAmountCny = 1'000'000'000'000;

// An amount in whole CNY from text such as "3500000", "3,500,000", "350万", "350万元", "350 万",
// "1.2亿", "¥3,500,000", "３５０万" (full-width digits). Rounded to the yuan. Refuses negative
// numbers, nan, inf, exponents and anything above kMaxAmountCny with InvalidInput naming `what`.
int64_t ParseAmount(std::string_view what, std::string_view text);

// A whole number in [min, max] (digits only, optional thousands separators); throws
// InvalidInput naming `what` and the range.
int64_t ParseWholeNumber(std::string_view what, std::string_view text, int64_t min, int64_t max);

// The range of a numeric field of any record ("budget", "price", "minutes"), or
// nullopt when the field is not numeric. Writes check against it (CheckNumericField); values
// read from synced documents outside it are treated as absent (NumberInRange).
struct NumericRange {
  int64_t min;
  int64_t max;
};
std::optional<NumericRange> NumericFieldRange(std::string_view field);

// Throws InvalidInput when `value` is outside the field's range.
void CheckNumericField(std::string_view field, int64_t value);

// The value of a numeric field in a synced document, where anything may turn up: nullopt when
// it is missing, not an integer, or outside the field's range (a huge double, nan).
std::optional<int64_t> NumberInRange(const nlohmann::json& doc, std::string_view field);

}  // namespace fieldcrm
