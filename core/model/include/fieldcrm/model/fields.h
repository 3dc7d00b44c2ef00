// The customer fields the product knows, how text typed by an agent (or read from a CSV cell)
// becomes a typed value, and which names are free for extensions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fieldcrm {

class TimeZone;

inline const std::vector<std::string> kStages = {"prospect", "intent", "buyer", "owner"};

// Known customer field names, in display order.
const std::vector<std::string>& CustomerFieldNames();

// Fields named "namespace.key" (e.g. "office.wechat", "tiering.tier") belong to head office or a
// plugin and are stored as given, without a schema change.
bool IsExtensionField(std::string_view name);

// Throws InvalidInput, listing the known names, unless name is a known or extension field.
void CheckCustomerFieldName(std::string_view name);

// Parses text for a customer field into its stored value: phones normalised to E.164, budgets
// to whole CNY (ParseAmount: "300万" = 3000000), dates as spreadsheets write them (ParseDate),
// choices to their canonical English code (Chinese accepted),
// tags to an array. Empty text gives null, which removes the field. Throws InvalidInput.
nlohmann::json ParseCustomerField(std::string_view field, std::string_view text);

// Parses a date with an optional time of day ("2026-11-25", "2026/11/25 14:30",
// "2026-11-25T14:30[:SS][Z|±HH:MM]", "2026-11-25 14:30 +08:00") into unix milliseconds. Without
// an offset the time is local time (fieldcrm/model/local_time.h), or wall-clock time in `zone`
// when one is given (a team's zone on the server). Throws InvalidInput naming `what`.
int64_t ParseTime(std::string_view text, std::string_view what, const TimeZone* zone = nullptr);
// The stored form of a time: UTC, "2026-06-12T16:00:00Z". People see FormatLocalTime.
std::string FormatTime(int64_t unix_ms);

// Values read from a synced record's document, where anything may turn up: the time of a string
// field (nullopt when missing or malformed), and a number field as an integer (0 when not one or
// outside the field's range, see fieldcrm/model/amounts.h).
std::optional<int64_t> TimeField(const nlohmann::json& doc, const char* field);
int64_t IntField(const nlohmann::json& doc, const char* field);

// One of `choices`, with Chinese or loose spellings mapped by `aliases`; throws InvalidInput.
std::string ParseChoice(std::string_view what, std::string_view text,
                        const std::vector<std::string>& choices,
                        const std::vector<std::pair<std::string, std::string>>& aliases = {});

}  // namespace fieldcrm
