// A named IANA time zone (Asia/Shanghai, Europe/London) read from the system's tz database
// (Debian's tzdata, through Howard Hinnant's date library), for a process that serves people in
// several zones: the server gives each team its own (fieldcrm-server teams zone), so that "today"
// and "this week" begin at the team's midnight whatever the process's TZ is. local_time.h is the
// process's own zone, for the tablet and the CLI.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace fieldcrm {

inline constexpr const char* kDefaultZoneName = "Asia/Shanghai";

class TimeZone {
 public:
  // Throws InvalidInput naming the text for a name the tz database does not have.
  static TimeZone Named(std::string_view name);
  // The server's TZ when it names a zone (an optional leading ':' as glibc reads it), else
  // Asia/Shanghai.
  static TimeZone Default();
  // The process's own zone, as local_time.h reads times: TZ when it names a zone, else the
  // system's (/etc/localtime), else UTC.
  static TimeZone Local();

  const std::string& name() const { return name_; }
  // Minutes east of UTC at that instant (+480 in Asia/Shanghai, +0 or +60 in Europe/London).
  int OffsetMinutes(int64_t unix_ms) const;
  // Unix ms of a wall-clock time in this zone (a time skipped by a clock change: the instant after
  // the gap; a repeated one: the earlier). The caller checks the calendar date.
  int64_t WallClockToUnixMs(int year, int month, int day, int hour, int minute, int second) const;
  // The calendar date at that instant here, as "YYYY-MM-DD".
  std::string DateOf(int64_t unix_ms) const;
  // The first midnight here after that instant (days of 23 or 25 hours where clocks change).
  int64_t NextMidnight(int64_t unix_ms) const;
  // Days since the last Monday here (0 on a Monday): where a week starts, as 本周 counts it.
  int DaysSinceMonday(int64_t unix_ms) const;

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
  const date::time_zone* zone_;  // owned by the library's database, which lives until exit
  std::string name_;
};

}  // namespace fieldcrm
