// Times as people read and write them. Inside, every time is UTC (FormatTime's "…Z" text); to a
// person, times are shown in the local time zone of the process (TZ: the tablet's zone, the
// team's zone on the server, Asia/Shanghai in the demo), with the offset spelled out so that
// nobody reads 16:00 UTC as 4 pm. The CLI, the tablet app and the dashboard's server format
// through here, and ParseTime reads a time without an offset as local time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fieldcrm {

// Minutes east of UTC of the local time zone at that instant (+480 in Asia/Shanghai).
int LocalOffsetMinutes(int64_t unix_ms);

// Unix milliseconds of a wall-clock time at offset_minutes east of UTC, or in the local time
// zone when there is no offset; nullopt for an impossible date or time (2026-02-30, 24:00).
std::optional<int64_t> WallClockToUnixMs(int year, int month, int day, int hour, int minute,
                                         int second, std::optional<int> offset_minutes);

// "2026-06-13 00:00 +08:00": minutes, the local zone's offset (ParseTime reads it back).
std::string FormatLocalTime(int64_t unix_ms);

// A stored UTC time ("2026-06-12T16:00:00Z") shown as FormatLocalTime does; text that is not a
// time is returned unchanged.
std::string LocalTimeText(std::string_view stored);

// A calendar date as spreadsheets and people write it, as "YYYY-MM-DD": 1990-01-01, 1990-1-1,
// 1990/01/01, 1990.1.1, 1990年1月1日, an Excel serial number (32874), each optionally followed by
// a time of day that is ignored (Excel writes "1990/1/1 0:00"). Throws InvalidInput naming
// `what`.
std::string ParseDate(std::string_view what, std::string_view text);

// The date part of `text` when it is one of ParseDate's forms other than a serial number:
// year, month, day and where the rest begins; false when it is not.
bool SplitDate(std::string_view text, int& year, int& month, int& day, size_t& rest);

}  // namespace fieldcrm
