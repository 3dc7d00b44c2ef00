// The built-in follow-up alerts plugin: reports what is due for each customer (rules.h).
#include <nlohmann/json.hpp>

#include "fieldcrm/plugin.h"
#include "rules.h"

namespace alerts {
namespace {

class AlertsPlugin {
 public:
  void Configure(std::string_view config_json) { config_ = nlohmann::json::parse(config_json); }

  void Alerts(const fieldcrm::sdk::CustomerView& customer, fieldcrm::sdk::AlertSink& sink) {
    for (const Due& due : Evaluate(config_, customer))
      sink.Alert(due.rule, due.due_ms, due.message);
  }

 private:
  nlohmann::json config_;
};

}  // namespace
}  // namespace alerts

FIELDCRM_PLUGIN(alerts::AlertsPlugin, R"json({
  "name": "alerts",
  "version": "1.0.0",
  "kind": "alerts",
  "description": "Follow-up alerts: visit without follow-up, first-response SLA by tier, churn risk, birthday and purchase-anniversary reminders.",
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "required": ["visit_followup_hours", "sla_hours_top", "sla_hours_other", "top_tiers",
                 "churn_days", "birthday_days_before", "anniversary_days_before", "rules"],
    "properties": {
      "visit_followup_hours": {"type": "integer", "minimum": 1},
      "sla_hours_top": {"type": "integer", "minimum": 1},
      "sla_hours_other": {"type": "integer", "minimum": 1},
      "top_tiers": {"type": "array", "items": {"type": "string", "enum": ["A", "B", "C", "D"]}},
      "churn_days": {"type": "integer", "minimum": 1},
      "birthday_days_before": {"type": "integer", "minimum": 0, "maximum": 60},
      "anniversary_days_before": {"type": "integer", "minimum": 0, "maximum": 60},
      "rules": {
        "type": "object", "additionalProperties": false,
        "properties": {"visit-followup": {"type": "boolean"}, "first-response": {"type": "boolean"},
                       "churn-risk": {"type": "boolean"}, "birthday": {"type": "boolean"},
                       "anniversary": {"type": "boolean"}}
      }
    }
  },
  "default_config": {
    "visit_followup_hours": 24,
    "sla_hours_top": 1,
    "sla_hours_other": 24,
    "top_tiers": ["A"],
    "churn_days": 30,
    "birthday_days_before": 7,
    "anniversary_days_before": 7,
    "rules": {"visit-followup": true, "first-response": true, "churn-risk": true,
              "birthday": true, "anniversary": true}
  }
})json")
