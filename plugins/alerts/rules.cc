#include "rules.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace alerts {

using nlohmann::json;
namespace chrono = std::chrono;

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t kChinaOffsetMs = 8 * kHourMs;

// Parses the host's ISO-8601 UTC times ("2026-11-25T08:30:00.000Z") and dates ("1980-03-02",
// taken as midnight China time); 0 when absent or malformed.
int64_t ParseMs(const json& doc, const char* field) {
  std::string text = doc.value(field, "");
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int fields = std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  if (fields < 3) return 0;
  auto day = chrono::sys_days(chrono::year(y) / mo / d);
  int64_t ms = chrono::duration_cast<chrono::milliseconds>(day.time_since_epoch()).count();
  if (fields == 3) return ms - kChinaOffsetMs;
  return ms + ((h * 60 + mi) * 60 + s) * 1000;
}

chrono::year_month_day ChinaDate(int64_t ms) {
  return chrono::year_month_day(chrono::floor<chrono::days>(
      chrono::sys_time<chrono::milliseconds>(chrono::milliseconds(ms + kChinaOffsetMs))));
}

int64_t ChinaMidnight(chrono::year_month_day date) {
  auto ms = chrono::duration_cast<chrono::milliseconds>(chrono::sys_days(date).time_since_epoch());
  return ms.count() - kChinaOffsetMs;
}

// The next date on or after today (China time) with the month and day of `date`; 29 February
// falls on 28 February in other years.
chrono::year_month_day NextOccurrence(chrono::year_month_day date, int64_t now_ms) {
  auto today = ChinaDate(now_ms);
  for (int add = 0; add < 2; ++add) {
    chrono::year_month_day next = (today.year() + chrono::years(add)) / date.month() / date.day();
    if (!next.ok()) next = next.year() / date.month() / chrono::last;
    if (chrono::sys_days(next) >= chrono::sys_days(today)) return next;
  }
  return today;  // unreachable: next year's date is always ahead
}

std::string Date(int64_t ms) {
  auto d = ChinaDate(ms);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return text;
}

// "2026-06-15 18:00", China time.
std::string DateTime(int64_t ms) {
  int64_t minutes = ((ms + kChinaOffsetMs) % kDayMs + kDayMs) % kDayMs / 60000;
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return Date(ms) + " " + text;
}

bool Enabled(const json& config, const char* rule) {
  return config["rules"].value(rule, true);
}

// Adds the reminder for a yearly date (birthday, anniversary) when it is within `days_before`.
void Yearly(std::vector<Due>& out, const char* rule, int64_t origin_ms, int64_t now_ms,
            int64_t days_before, const std::string& what) {
  if (origin_ms == 0) return;
  auto next = NextOccurrence(ChinaDate(origin_ms), now_ms);
  if (chrono::sys_days(next) <= chrono::sys_days(ChinaDate(origin_ms))) return;  // not yet a year
  int64_t day_ms = ChinaMidnight(next);
  int64_t due = day_ms - days_before * kDayMs;
  if (now_ms < due) return;
  out.push_back({rule, due, what + " on " + Date(day_ms)});
}

// A clock on after-sales cases: `rule` falls due `hours_key` hours after a case opened unless
// one of `stops` is stamped by then (a later step implies the earlier ones).
struct CaseClock {
  const char* rule;
  const char* hours_key;
  std::initializer_list<const char*> stops;
  const char* noun;     // complaint, repair
  const char* missing;  // what has not happened: "not answered"
};

void CheckClock(std::vector<Due>& out, const json& config, const CaseClock& clock,
                std::string_view cases_json, int64_t now) {
  if (!Enabled(config, clock.rule)) return;
  int64_t hours = config[clock.hours_key];
  for (const json& c : json::parse(cases_json)) {
    int64_t opened = ParseMs(c, "opened_at");
    bool stopped = std::any_of(clock.stops.begin(), clock.stops.end(),
                               [&](const char* field) { return ParseMs(c, field) != 0; });
    if (opened == 0 || stopped || now < opened + hours * kHourMs) continue;
    out.push_back({clock.rule, opened + hours * kHourMs,
                   c.value("category", "") + " " + clock.noun + " opened " + DateTime(opened) +
                       " " + clock.missing + " within " + std::to_string(hours) + " h"});
  }
}

}  // namespace

void CheckConfig(const json& config) {
  for (const json& holiday : config["holidays"]) {
    std::string date = holiday.value("date", "");
    unsigned y = 0, m = 0, d = 0;
    char rest = 0;
    if (std::sscanf(date.c_str(), "%4u-%2u-%2u%c", &y, &m, &d, &rest) != 3 ||
        !chrono::year_month_day(chrono::year(static_cast<int>(y)), chrono::month(m), chrono::day(d))
             .ok()) {
      throw std::invalid_argument("holiday '" + holiday.value("name", "") + "': '" + date +
                                  "' is not a date (YYYY-MM-DD)");
    }
  }
}

std::vector<Due> Evaluate(const json& config, const fieldcrm::sdk::CustomerView& view) {
  std::vector<Due> out;
  int64_t now = view.now_ms;
  json customer = json::parse(view.customer);
  json interactions = json::parse(view.interactions);
  int64_t created = ParseMs(customer, "created_at");
  // A signed deal is contact, too.
  int64_t last_visit = 0, last_contact = 0, last_any = view.facts->last_signed_ms;
  for (const json& i : interactions) {
    int64_t at = ParseMs(i, "at");
    int64_t& last = i.value("type", "") == "visit" ? last_visit : last_contact;
    last = std::max(last, at);
    last_any = std::max(last_any, at);
  }
  if (Enabled(config, "visit-followup") && last_visit > 0 && last_contact < last_visit) {
    int64_t due = last_visit + config["visit_followup_hours"].get<int64_t>() * kHourMs;
    if (now >= due) {
      out.push_back(
          {"visit-followup", due, "visit on " + Date(last_visit) + " has no follow-up yet"});
    }
  }
  if (Enabled(config, "first-response") && created > 0 && last_any == 0) {
    const json& top = config["top_tiers"];
    std::string tier(1, view.grade.tier ? view.grade.tier : '-');
    bool is_top = std::find(top.begin(), top.end(), tier) != top.end();
    int64_t hours = config[is_top ? "sla_hours_top" : "sla_hours_other"];
    int64_t due = created + hours * kHourMs;
    if (now >= due) {
      out.push_back({"first-response", due,
                     "not contacted within " + std::to_string(hours) + " h of registration" +
                         (is_top ? " (tier " + tier + " SLA)" : "")});
    }
  }
  int64_t last_activity = std::max(last_any, created);
  if (Enabled(config, "churn-risk") && last_activity > 0) {
    int64_t days = config["churn_days"];
    int64_t due = last_activity + days * kDayMs;
    if (now >= due) {
      out.push_back(
          {"churn-risk", due,
           "no interaction for " + std::to_string((now - last_activity) / kDayMs) + " days"});
    }
  }
  if (Enabled(config, "birthday")) {
    Yearly(out, "birthday", ParseMs(customer, "birthday"), now, config["birthday_days_before"],
           "birthday");
  }
  if (Enabled(config, "anniversary")) {
    for (const json& deal : json::parse(view.deals)) {
      if (deal.value("status", "") == "cancelled") continue;
      Yearly(out, "anniversary", ParseMs(deal, "signed_at"), now, config["anniversary_days_before"],
             "purchase anniversary of " + deal.value("unit", "a unit"));
    }
  }
  const json& stages = config["holiday_stages"];
  if (Enabled(config, "holiday") &&
      std::find(stages.begin(), stages.end(), customer.value("stage", "prospect")) !=
          stages.end()) {
    int64_t days_before = config["holiday_days_before"];
    for (const json& holiday : config["holidays"]) {
      int64_t day = ParseMs(holiday, "date");
      int64_t due = day - days_before * kDayMs;
      if (now < due || now >= day + kDayMs) continue;
      out.push_back(
          {"holiday", due, "holiday greeting: " + holiday.value("name", "") + " on " + Date(day)});
    }
  }
  CheckClock(out, config,
             {"complaint-unanswered",
              "complaint_answer_hours",
              {"answered_at", "resolved_at", "closed_at"},
              "complaint",
              "not answered"},
             view.complaints, now);
  CheckClock(out, config,
             {"complaint-unresolved",
              "complaint_resolve_hours",
              {"resolved_at", "closed_at"},
              "complaint",
              "not resolved"},
             view.complaints, now);
  CheckClock(out, config,
             {"repair-unattended",
              "repair_attend_hours",
              {"attended_at", "fixed_at"},
              "repair",
              "not attended on site"},
             view.repairs, now);
  return out;
}

}  // namespace alerts
