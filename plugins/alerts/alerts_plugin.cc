// The built-in follow-up alerts plugin: reports what is due for each customer (rules.h).
#include <nlohmann/json.hpp>

#include "fieldcrm/plugin.h"
#include "holidays.h"
#include "rules.h"

namespace alerts {
namespace {

class AlertsPlugin {
 public:
  void Configure(std::string_view config_json) {
    nlohmann::json config = nlohmann::json::parse(config_json);
    CheckConfig(config);
    config_ = std::move(config);
  }

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
  "description": "Follow-up alerts: visit without follow-up, first-response SLA by tier, churn risk, birthday, purchase-anniversary and holiday greetings, complaint and repair clocks.",
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "required": ["visit_followup_hours", "sla_hours_top", "sla_hours_other", "top_tiers",
                 "churn_days", "birthday_days_before", "anniversary_days_before",
                 "complaint_answer_hours", "complaint_resolve_hours", "repair_attend_hours",
                 "holiday_days_before", "holiday_stages", "holidays", "rules"],
    "properties": {
      "visit_followup_hours": {"type": "integer", "minimum": 1},
      "sla_hours_top": {"type": "integer", "minimum": 1},
      "sla_hours_other": {"type": "integer", "minimum": 1},
      "top_tiers": {"type": "array", "items": {"type": "string", "enum": ["A", "B", "C", "D"]}},
      "churn_days": {"type": "integer", "minimum": 1},
      "birthday_days_before": {"type": "integer", "minimum": 0, "maximum": 60},
      "anniversary_days_before": {"type": "integer", "minimum": 0, "maximum": 60},
      "complaint_answer_hours": {"type": "integer", "minimum": 1},
      "complaint_resolve_hours": {"type": "integer", "minimum": 1},
      "repair_attend_hours": {"type": "integer", "minimum": 1},
      "holiday_days_before": {"type": "integer", "minimum": 0, "maximum": 60},
      "holiday_stages": {"type": "array",
                         "items": {"type": "string", "enum": ["prospect", "intent", "buyer", "owner"]}},
      "holidays": {"type": "array", "items": {
        "type": "object", "additionalProperties": false, "required": ["name", "date"],
        "properties": {"name": {"type": "string", "minLength": 1},
                       "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}}},
      "rules": {
        "type": "object", "additionalProperties": false,
        "properties": {"visit-followup": {"type": "boolean"}, "first-response": {"type": "boolean"},
                       "churn-risk": {"type": "boolean"}, "birthday": {"type": "boolean"},
                       "anniversary": {"type": "boolean"},
                       "complaint-unanswered": {"type": "boolean"},
                       "complaint-unresolved": {"type": "boolean"},
                       "repair-unattended": {"type": "boolean"}, "holiday": {"type": "boolean"}}
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
    "complaint_answer_hours": 2,
    "complaint_resolve_hours": 48,
    "repair_attend_hours": 48,
    "holiday_days_before": 3,
    "holiday_stages": ["intent", "buyer", "owner"],
    "holidays": )json" ALERTS_DEFAULT_HOLIDAYS R"json(,
    "rules": {"visit-followup": true, "first-response": true, "churn-risk": true,
              "birthday": true, "anniversary": true, "complaint-unanswered": true,
              "complaint-unresolved": true, "repair-unattended": true, "holiday": true}
  }
})json")
