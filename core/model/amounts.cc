#include "fieldcrm/model/amounts.h"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

namespace {

// Full-width forms (as Chinese input methods type them) and currency marks folded to ASCII;
// spaces and thousands separators dropped.
std::string FoldNumberText(std::string_view text) {
  static const std::pair<std::string_view, std::string_view> kFolds[] = {
      {"０", "0"}, {"１", "1"}, {"２", "2"}, {"３", "3"}, {"４", "4"}, {"５", "5"},
      {"６", "6"}, {"７", "7"}, {"８", "8"}, {"９", "9"}, {"．", "."}, {"，", ""},
      {"　", ""},  {"￥", ""},  {"¥", ""},   {",", ""},   {" ", ""},   {"\t", ""}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool folded = false;
    for (const auto& [from, to] : kFolds) {
      if (text.substr(i).starts_with(from)) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (!folded) out += text[i++];
  }
  return out;
}

bool StripSuffix(std::string& text, std::string_view suffix) {
  if (!text.ends_with(suffix)) return false;
  text.resize(text.size() - suffix.size());
  return true;
}

[[noreturn]] void FailAmount(std::string_view what, std::string_view text, const char* why) {
  throw InvalidInput("invalid " + std::string(what) + " '" + std::string(text) + "': " + why +
                     " (expected an amount in CNY, e.g. 3500000, 3,500,000, 350万 or 1.2亿)");
}

}  // namespace

int64_t ParseAmount(std::string_view what, std::string_view raw) {
  std::string text = FoldNumberText(raw);
  StripSuffix(text, "元") || StripSuffix(text, "RMB") || StripSuffix(text, "CNY");
  double multiplier = 1;
  if (StripSuffix(text, "万") || StripSuffix(text, "w") || StripSuffix(text, "W")) {
    multiplier = 1e4;
  } else if (StripSuffix(text, "亿")) {
    multiplier = 1e8;
  }
  // Digits with at most one decimal point: no sign, exponent, nan or inf.
  size_t point = text.find('.');
  bool digits_only = !text.empty() && text != "." &&
                     text.find_first_not_of("0123456789.") == std::string::npos &&
                     (point == std::string::npos || text.find('.', point + 1) == std::string::npos);
  if (!digits_only) {
    FailAmount(what, raw, text.starts_with('-') ? "cannot be negative" : "not a number");
  }
  // More integer digits than any accepted amount has: refused before the double loses them.
  if (text.substr(0, point).find_first_not_of('0') != std::string::npos &&
      text.substr(0, point).size() - text.substr(0, point).find_first_not_of('0') > 13) {
    FailAmount(what, raw, "too large (at most 1万亿)");
  }
  double amount = 0;
  std::from_chars(text.data(), text.data() + text.size(), amount);
  double yuan = std::round(amount * multiplier);
  if (yuan > static_cast<double>(kMaxAmountCny)) FailAmount(what, raw, "too large (at most 1万亿)");
  return static_cast<int64_t>(yuan);
}

int64_t ParseWholeNumber(std::string_view what, std::string_view raw, int64_t min, int64_t max) {
  std::string text = FoldNumberText(raw);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    throw InvalidInput("invalid " + std::string(what) + " '" + std::string(raw) +
                       "' (expected a whole number from " + std::to_string(min) + " to " +
                       std::to_string(max) + ")");
  }
  return value;
}

std::optional<NumericRange> NumericFieldRange(std::string_view field) {
  if (field == "budget") return NumericRange{0, kMaxAmountCny};
  if (field == "price") return NumericRange{1, kMaxAmountCny};
  if (field == "minutes") return NumericRange{0, 24 * 60};  // time on site during one visit
  return std::nullopt;
}

void CheckNumericField(std::string_view field, int64_t value) {
  auto range = NumericFieldRange(field);
  if (range && (value < range->min || value > range->max)) {
    throw InvalidInput(std::string(field) + " " + std::to_string(value) + " is out of range (" +
                       std::to_string(range->min) + " to " + std::to_string(range->max) + ")");
  }
}

std::optional<int64_t> NumberInRange(const nlohmann::json& doc, std::string_view field) {
  auto it = doc.find(field);
  if (it == doc.end() || !(it->is_number_integer() || it->is_number_unsigned())) {
    return std::nullopt;
  }
  if (it->is_number_unsigned() &&
      it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  int64_t value = it->get<int64_t>();
  auto range = NumericFieldRange(field);
  if (range && (value < range->min || value > range->max)) return std::nullopt;
  return value;
}

}  // namespace fieldcrm
