#include "fieldcrm/model/fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <functional>
#include <map>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/amounts.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/model/phone.h"
#include "fieldcrm/model/time_zone.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

std::string Trim(std::string_view text) {
  const char* space = " \t\r\n";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(space);
  return std::string(text.substr(begin, end - begin + 1));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

json Tags(std::string_view text) {
  json tags = json::array();
  std::string item;
  auto flush = [&] {
    std::string tag = Trim(item);
    if (!tag.empty() && std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    item.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ',' || text[i] == ';') {
      flush();
    } else if (text.substr(i).starts_with("，") || text.substr(i).starts_with("、")) {
      flush();
      i += 2;  // both are three bytes in UTF-8
    } else {
      item += text[i];
    }
  }
  flush();
  return tags;
}

using Parser = std::function<json(std::string_view field, const std::string& text)>;

json AsText(std::string_view, const std::string& text) {
  return text;
}

Parser Choice(std::vector<std::string> choices,
              std::vector<std::pair<std::string, std::string>> aliases = {}) {
  return [choices, aliases](std::string_view field, const std::string& text) -> json {
    return ParseChoice(field, text, choices, aliases);
  };
}

const std::vector<std::pair<std::string, Parser>>& Specs() {
  static const std::vector<std::pair<std::string, Parser>> specs = {
      {"name", AsText},
      {"phone", [](std::string_view, const std::string& t) -> json { return NormalizePhone(t); }},
      {"gender", Choice({"male", "female"},
                        {{"男", "male"}, {"女", "female"}, {"m", "male"}, {"f", "female"}})},
      {"age_band", AsText},
      {"occupation", AsText},
      {"income_band", AsText},
      {"family", AsText},
      {"city", AsText},
      {"district", AsText},
      {"budget",
       [](std::string_view f, const std::string& t) -> json { return ParseAmount(f, t); }},
      {"purpose", Choice({"first-home", "upgrade", "investment"}, {{"刚需", "first-home"},
                                                                   {"首套", "first-home"},
                                                                   {"改善", "upgrade"},
                                                                   {"投资", "investment"}})},
      {"house_type", AsText},
      {"project", AsText},
      {"preferences", [](std::string_view, const std::string& t) -> json { return Tags(t); }},
      {"source",
       Choice({"walk-in", "call", "event", "online", "referral", "broker"}, {{"来访", "walk-in"},
                                                                             {"到访", "walk-in"},
                                                                             {"来电", "call"},
                                                                             {"活动", "event"},
                                                                             {"网络", "online"},
                                                                             {"线上", "online"},
                                                                             {"转介", "referral"},
                                                                             {"老带新", "referral"},
                                                                             {"中介", "broker"},
                                                                             {"渠道", "broker"}})},
      {"stage", Choice(kStages, {{"潜在", "prospect"},
                                 {"意向", "intent"},
                                 {"成交", "buyer"},
                                 {"老业主", "owner"},
                                 {"业主", "owner"}})},
      {"agent", AsText},
      {"team", AsText},
      {"tags", [](std::string_view, const std::string& t) -> json { return Tags(t); }},
      {"notes", AsText},
      {"birthday",
       [](std::string_view f, const std::string& t) -> json { return ParseDate(f, t); }},
      {"created_at", [](std::string_view f, const std::string& t) -> json {
         return FormatTime(ParseTime(t, f));
       }}};
  return specs;
}

}  // namespace

const std::vector<std::string>& CustomerFieldNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, parser] : Specs()) out.push_back(name);
    return out;
  }();
  return names;
}

bool IsExtensionField(std::string_view name) {
  size_t dot = name.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < name.size() &&
         name.find_first_of(" \t\"'") == std::string_view::npos;
}

namespace {

const Parser* FindParser(std::string_view field) {
  const auto& specs = Specs();
  auto spec = std::find_if(specs.begin(), specs.end(),
                           [&](const auto& entry) { return entry.first == field; });
  return spec == specs.end() ? nullptr : &spec->second;
}

}  // namespace

void CheckCustomerFieldName(std::string_view field) {
  if (IsExtensionField(field) || FindParser(field)) return;
  throw InvalidInput("unknown customer field '" + std::string(field) +
                     "' (known: " + Join(CustomerFieldNames()) +
                     "; custom fields take a namespace, e.g. office.wechat)");
}

json ParseCustomerField(std::string_view field, std::string_view raw) {
  std::string text = Trim(raw);
  CheckCustomerFieldName(field);
  if (IsExtensionField(field)) return text.empty() ? json(nullptr) : json(text);
  if (text.empty()) {
    if (field == "name" || field == "phone") {
      throw InvalidInput("customer field '" + std::string(field) + "' cannot be empty");
    }
    return nullptr;
  }
  return (*FindParser(field))(field, text);
}

std::string ParseChoice(std::string_view what, std::string_view raw,
                        const std::vector<std::string>& choices,
                        const std::vector<std::pair<std::string, std::string>>& aliases) {
  std::string text = Lower(Trim(raw));
  std::replace(text.begin(), text.end(), '_', '-');
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  for (const auto& [alias, code] : aliases) {
    if (alias == text) return code;
  }
  throw InvalidInput("invalid " + std::string(what) + " '" + std::string(raw) +
                     "' (expected one of: " + Join(choices) + ")");
}

int64_t ParseTime(std::string_view raw, std::string_view what, const TimeZone* zone) {
  std::string text = Trim(raw);
  auto fail = [&]() -> int64_t {
    throw InvalidInput("invalid " + std::string(what) + " '" + text +
                       "' (expected a date and time such as 2026-11-25 14:30 (local time), "
                       "2026/11/25 14:30 or 2026-11-25T14:30+08:00)");
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  size_t consumed = 0;
  if (!SplitDate(text, year, month, day, consumed)) fail();
  std::string_view rest = std::string_view(text).substr(consumed);
  std::optional<int> offset_minutes;
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != ' ') fail();
    int used = 0;
    std::string tail(rest.substr(1));
    if (std::sscanf(tail.c_str(), "%2d:%2d%n", &hour, &minute, &used) != 2) fail();
    rest = rest.substr(1 + static_cast<size_t>(used));
    if (rest.starts_with(':')) {
      std::string secs(rest.substr(1));
      if (std::sscanf(secs.c_str(), "%2d%n", &second, &used) != 1) fail();
      rest = rest.substr(1 + static_cast<size_t>(used));
      if (rest.starts_with('.')) {  // fractional seconds are dropped
        size_t digits = rest.find_first_not_of("0123456789", 1);
        rest = rest.substr(digits == std::string_view::npos ? rest.size() : digits);
      }
    }
    if (rest.starts_with(' ')) rest.remove_prefix(1);  // FormatLocalTime's "14:30 +08:00"
    if (rest == "Z") {
      offset_minutes = 0;
    } else if (!rest.empty()) {
      int sign = rest[0] == '+' ? 1 : rest[0] == '-' ? -1 : 0;
      int oh = 0, om = 0;
      std::string offset_text(rest.substr(1));
      if (sign == 0 || std::sscanf(offset_text.c_str(), "%2d:%2d", &oh, &om) != 2) fail();
      offset_minutes = sign * (oh * 60 + om);
    }
  }
  // Without an offset the time is the agent's own: local time (TZ), or the zone's; stored as UTC.
  auto unix_ms = WallClockToUnixMs(year, month, day, hour, minute, second,
                                   zone ? offset_minutes.value_or(0) : offset_minutes);
  if (!unix_ms) return fail();
  if (zone && !offset_minutes)
    return zone->WallClockToUnixMs(year, month, day, hour, minute, second);
  return *unix_ms;
}

std::string FormatTime(int64_t unix_ms) {
  std::string iso = HlcToIso(HlcFromMillis(unix_ms));
  return iso.substr(0, 19) + "Z";
}

std::optional<int64_t> TimeField(const nlohmann::json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  try {
    return ParseTime(it->get<std::string>(), field);
  } catch (const InvalidInput&) {
    return std::nullopt;  // a malformed time in a synced record counts as unknown, not as an error
  }
}

int64_t IntField(const nlohmann::json& doc, const char* field) {
  return NumberInRange(doc, field).value_or(0);
}

}  // namespace fieldcrm
