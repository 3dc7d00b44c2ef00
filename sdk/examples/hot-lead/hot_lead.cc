// hot-lead: an example fieldcrm plugin. It flags customers who keep coming back to the sales
// office (min_visits visits within window_days) but have not reserved a unit yet, so the agent
// calls them today. Built with nothing but the fieldcrm SDK.
#include <fieldcrm/plugin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;

class HotLead {
 public:
  void Configure(std::string_view config_json) {
    auto config = nlohmann::json::parse(config_json);
    min_visits_ = config["min_visits"];
    window_days_ = config["window_days"];
    if (min_visits_ < 2) throw std::invalid_argument("min_visits must be at least 2");
  }

  void Alerts(const fieldcrm::sdk::CustomerView& customer, fieldcrm::sdk::AlertSink& sink) {
    if (!nlohmann::json::parse(customer.deals).empty()) return;  // already reserved or bought
    int64_t since = customer.now_ms - window_days_ * kDayMs;
    int visits = 0;
    int64_t latest = 0;
    for (const auto& interaction : nlohmann::json::parse(customer.interactions)) {
      if (interaction.value("type", "") != "visit") continue;
      int64_t at = ParseUtc(interaction.value("at", ""));
      if (at < since) continue;
      visits++;
      latest = std::max(latest, at);
    }
    if (visits >= min_visits_) {
      sink.Alert("hot-lead", latest,
                 std::to_string(visits) + " visits in " + std::to_string(window_days_) +
                     " days and no reservation yet: call today");
    }
  }

 private:
  // The host stores times as ISO-8601 UTC ("2026-06-15T12:00:00Z").
  static int64_t ParseUtc(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) < 3) return 0;
    using namespace std::chrono;
    auto day = sys_days(year(y) / mo / d);
    return duration_cast<milliseconds>(day.time_since_epoch()).count() +
           ((h * 60 + mi) * 60 + s) * 1000;
  }

  int min_visits_ = 3;
  int64_t window_days_ = 14;
};

}  // namespace

FIELDCRM_PLUGIN(HotLead, R"json({
  "name": "hot-lead",
  "version": "1.0.0",
  "kind": "alerts",
  "description": "Flags customers who visited often lately but have not reserved a unit yet.",
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "min_visits": {"type": "integer", "minimum": 1},
      "window_days": {"type": "integer", "minimum": 1}
    }
  },
  "default_config": {"min_visits": 3, "window_days": 14}
})json")
