// The built-in tiering plugin: grades customers A-D and places them in RFM segments (rules.h).
#include <nlohmann/json.hpp>

#include "fieldcrm/plugin.h"
#include "rules.h"

namespace tiering {
namespace {

class TieringPlugin {
 public:
  void Configure(std::string_view config_json) {
    rules_ = Rules::FromConfig(nlohmann::json::parse(config_json));
  }

  void Grade(const fieldcrm::sdk::CustomerFacts* facts, fieldcrm::sdk::TierGrade* grades,
             size_t count, int64_t as_of_ms) {
    for (size_t i = 0; i < count; ++i) {
      grades[i] = GradeOne(rules_, facts[i], as_of_ms, fieldcrm::sdk::OpenComplaints(i));
    }
  }

  std::string Explain(const fieldcrm::sdk::CustomerFacts& facts, int64_t as_of_ms) {
    return tiering::Explain(rules_, facts, as_of_ms, fieldcrm::sdk::OpenComplaints(0)).dump();
  }

 private:
  Rules rules_;
};

}  // namespace
}  // namespace tiering

FIELDCRM_PLUGIN(tiering::TieringPlugin, R"json({
  "name": "tiering",
  "version": "1.0.0",
  "kind": "tiering",
  "description": "Grades customers A-D from weighted rules (purchasing power, engagement, recency, stage, deals, referrals, satisfaction) and computes RFM scores and segments (core, potential, developing, dormant).",
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "required": ["weights", "budget_full_cny", "engagement_full", "recency_full_days",
                 "recency_zero_days", "referrals_full", "thresholds", "rfm", "segments"],
    "properties": {
      "weights": {
        "type": "object", "additionalProperties": false,
        "properties": {
          "budget": {"type": "number", "minimum": 0}, "engagement": {"type": "number", "minimum": 0},
          "recency": {"type": "number", "minimum": 0}, "stage": {"type": "number", "minimum": 0},
          "deals": {"type": "number", "minimum": 0}, "referrals": {"type": "number", "minimum": 0},
          "satisfaction": {"type": "number", "minimum": 0}
        }
      },
      "budget_full_cny": {"type": "number", "minimum": 1},
      "engagement_full": {"type": "number", "minimum": 1},
      "recency_full_days": {"type": "number", "minimum": 0},
      "recency_zero_days": {"type": "number", "minimum": 1},
      "referrals_full": {"type": "number", "minimum": 1},
      "thresholds": {
        "type": "object", "additionalProperties": false, "required": ["A", "B", "C"],
        "properties": {"A": {"type": "number", "minimum": 0, "maximum": 100},
                       "B": {"type": "number", "minimum": 0, "maximum": 100},
                       "C": {"type": "number", "minimum": 0, "maximum": 100}}
      },
      "rfm": {
        "type": "object", "additionalProperties": false,
        "required": ["recency_days", "frequency", "monetary_cny"],
        "properties": {
          "recency_days": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
          "frequency": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
          "monetary_cny": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}
        }
      },
      "segments": {
        "type": "object", "additionalProperties": false,
        "required": ["high_value_monetary", "active_recency"],
        "properties": {"high_value_monetary": {"type": "integer", "minimum": 1, "maximum": 5},
                       "active_recency": {"type": "integer", "minimum": 1, "maximum": 5}}
      },
      "complaint_priority": {"type": "string", "enum": ["off", "flag", "raise_tier"]}
    }
  },
  "default_config": {
    "weights": {"budget": 25, "engagement": 20, "recency": 15, "stage": 15, "deals": 15,
                "referrals": 5, "satisfaction": 5},
    "budget_full_cny": 5000000,
    "engagement_full": 4,
    "recency_full_days": 7,
    "recency_zero_days": 90,
    "referrals_full": 2,
    "thresholds": {"A": 70, "B": 50, "C": 30},
    "rfm": {"recency_days": [7, 30, 90, 180], "frequency": [2, 4, 8, 12],
            "monetary_cny": [1000000, 2000000, 3000000, 5000000]},
    "segments": {"high_value_monetary": 4, "active_recency": 3},
    "complaint_priority": "off"
  }
})json")
