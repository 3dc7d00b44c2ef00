#include "fieldcrm/model/local_time.h"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/fields.h"

namespace fieldcrm {

namespace {

bool IsLeap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool IsCalendarDate(int year, int month, int day) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0);
}

std::string DateText(int year, int month, int day) {
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  return text;
}

// Reads 1-4 digits at text[pos]; false when there are none.
bool ReadNumber(std::string_view text, size_t& pos, int& value, size_t max_digits) {
  size_t end = pos;
  while (end < text.size() && end - pos < max_digits && text[end] >= '0' && text[end] <= '9') ++end;
  if (end == pos) return false;
  std::from_chars(text.data() + pos, text.data() + end, value);
  pos = end;
  return true;
}

bool Expect(std::string_view text, size_t& pos, std::string_view separator) {
  if (!text.substr(pos).starts_with(separator)) return false;
  pos += separator.size();
  return true;
}

}  // namespace

int LocalOffsetMinutes(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return static_cast<int>(local.tm_gmtoff / 60);
}

std::optional<int64_t> WallClockToUnixMs(int year, int month, int day, int hour, int minute,
                                         int second, std::optional<int> offset_minutes) {
  if (!IsCalendarDate(year, month, day) || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  if (offset_minutes) return (static_cast<int64_t>(timegm(&tm)) - *offset_minutes * 60) * 1000;
  tm.tm_isdst = -1;  // let the zone's rules decide
  return static_cast<int64_t>(std::mktime(&tm)) * 1000;
}

std::string FormatLocalTime(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  long offset = local.tm_gmtoff / 60;
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d %c%02ld:%02ld", local.tm_year + 1900,
                local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min,
                offset < 0 ? '-' : '+', std::labs(offset) / 60, std::labs(offset) % 60);
  return text;
}

std::string LocalTimeText(std::string_view stored) {
  if (stored.size() < 16 || stored[10] != 'T') return std::string(stored);
  try {
    return FormatLocalTime(ParseTime(stored, "time"));
  } catch (const InvalidInput&) {
    return std::string(stored);
  }
}

bool SplitDate(std::string_view text, int& year, int& month, int& day, size_t& rest) {
  size_t pos = 0;
  if (!ReadNumber(text, pos, year, 4) || pos != 4) return false;
  for (std::string_view separator : {"-", "/", ".", "年"}) {
    size_t at = pos;
    if (!Expect(text, at, separator)) continue;
    std::string_view second = separator == "年" ? "月" : separator;
    if (!ReadNumber(text, at, month, 2) || !Expect(text, at, second) ||
        !ReadNumber(text, at, day, 2)) {
      return false;
    }
    if (separator == "年") Expect(text, at, "日") || Expect(text, at, "号");
    rest = at;
    return true;
  }
  return false;
}

std::string ParseDate(std::string_view what, std::string_view raw) {
  std::string_view text = raw;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  auto fail = [&]() -> std::string {
    throw InvalidInput("invalid " + std::string(what) + " '" + std::string(raw) +
                       "' (expected a date such as 1990-01-01, 1990/1/1, 1990年1月1日 or an "
                       "Excel date number)");
  };
  int year = 0, month = 0, day = 0;
  size_t rest = 0;
  if (SplitDate(text, year, month, day, rest)) {
    std::string_view tail = text.substr(rest);
    // A time of day after the date (Excel's "1990/1/1 0:00", ISO's "T00:00:00Z") is dropped.
    if (!tail.empty() && tail[0] != ' ' && tail[0] != 'T') fail();
    if (!IsCalendarDate(year, month, day)) fail();
    return DateText(year, month, day);
  }
  // Excel's serial day number: days since 1899-12-30 (its 1900 leap-year bug makes serials from
  // 61 on count from there), optionally with a fraction for the time of day.
  int64_t serial = 0;
  std::string_view whole = text.substr(0, text.find('.'));
  auto [end, error] = std::from_chars(whole.data(), whole.data() + whole.size(), serial);
  if (whole.empty() || error != std::errc() || end != whole.data() + whole.size() || serial < 61 ||
      serial > 2958465 ||
      (whole.size() < text.size() &&
       text.substr(whole.size() + 1).find_first_not_of("0123456789") != std::string_view::npos)) {
    fail();
  }
  std::time_t seconds = static_cast<std::time_t>((serial - 25569) * 86400);  // 25569: 1970-01-01
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return DateText(utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

}  // namespace fieldcrm
