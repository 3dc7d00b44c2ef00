#include "fieldcrm/model/time_zone.h"

#include <date/tz.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

namespace {

date::sys_seconds SysSeconds(int64_t unix_ms) {
  // Floor, so that an instant before 1970 falls in the second it belongs to.
  int64_t seconds = unix_ms / 1000 - (unix_ms % 1000 < 0 ? 1 : 0);
  return date::sys_seconds{std::chrono::seconds{seconds}};
}

// The instant of a wall-clock time in `zone`: after a gap (clocks forward) the instant the gap
// ends; a repeated time (clocks back) the earlier one.
int64_t ToUnixMs(const date::time_zone* zone, date::local_seconds wall) {
  date::local_info info = zone->get_info(wall);
  date::sys_seconds instant = info.result == date::local_info::nonexistent
                                  ? date::sys_seconds{info.second.begin}
                                  : date::sys_seconds{wall.time_since_epoch() - info.first.offset};
  return static_cast<int64_t>(instant.time_since_epoch().count()) * 1000;
}

}  // namespace

TimeZone TimeZone::Named(std::string_view name) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(zone, std::string(name));
  } catch (const std::runtime_error&) {
    throw InvalidInput("unknown time zone '" + std::string(name) +
                       "' (an IANA name such as Asia/Shanghai, Asia/Urumqi or Europe/London)");
  }
}

namespace {

// The zone TZ names, if it names one of the database's (not a POSIX rule such as "CST-8").
std::optional<TimeZone> ZoneOfTz() {
  const char* tz = std::getenv("TZ");
  if (!tz || !*tz) return std::nullopt;
  try {
    return TimeZone::Named(tz[0] == ':' ? tz + 1 : tz);
  } catch (const InvalidInput&) {
    return std::nullopt;
  }
}

}  // namespace

TimeZone TimeZone::Default() {
  if (std::optional<TimeZone> zone = ZoneOfTz()) return *zone;
  return Named(kDefaultZoneName);
}

TimeZone TimeZone::Local() {
  if (std::optional<TimeZone> zone = ZoneOfTz()) return *zone;
  try {
    const date::time_zone* system = date::current_zone();
    return TimeZone(system, std::string(system->name()));
  } catch (const std::runtime_error&) {
    return Named("UTC");
  }
}

int TimeZone::OffsetMinutes(int64_t unix_ms) const {
  return static_cast<int>(zone_->get_info(SysSeconds(unix_ms)).offset.count() / 60);
}

int64_t TimeZone::WallClockToUnixMs(int year, int month, int day, int hour, int minute,
                                    int second) const {
  date::local_seconds wall =
      date::local_days{date::year{year} / date::month{static_cast<unsigned>(month)} /
                       date::day{static_cast<unsigned>(day)}} +
      std::chrono::hours{hour} + std::chrono::minutes{minute} + std::chrono::seconds{second};
  return ToUnixMs(zone_, wall);
}

int64_t TimeZone::NextMidnight(int64_t unix_ms) const {
  date::local_days today = date::floor<date::days>(zone_->to_local(SysSeconds(unix_ms)));
  return ToUnixMs(zone_, date::local_seconds{today + date::days{1}});
}

int TimeZone::DaysSinceMonday(int64_t unix_ms) const {
  date::local_days today = date::floor<date::days>(zone_->to_local(SysSeconds(unix_ms)));
  return static_cast<int>(date::weekday{today}.iso_encoding()) - 1;
}

std::string TimeZone::DateOf(int64_t unix_ms) const {
  date::local_seconds wall = zone_->to_local(SysSeconds(unix_ms));
  return date::format("%F", date::floor<date::days>(wall));
}

}  // namespace fieldcrm
