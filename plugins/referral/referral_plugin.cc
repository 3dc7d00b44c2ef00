// The built-in referral program (老带新): when a referred customer's deal is signed, the customer
// who referred them earns the reward the program config names, once per deal. The reward's key
// is the deal id, so every replica that observes the signed deal writes the same record and the
// merge keeps exactly one grant.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "fieldcrm/plugin.h"

namespace referral {
namespace {

using nlohmann::json;

class ReferralPlugin {
 public:
  void Configure(std::string_view config_json) { config_ = json::parse(config_json); }

  void Review(const fieldcrm::sdk::CustomerView& customer, fieldcrm::sdk::Writer& writer) {
    json referred_by = json::parse(customer.referred_by);
    if (referred_by.empty()) return;
    // Oldest first: the first one to bring the customer in is the one rewarded.
    const json& referral = referred_by.front();
    const json& statuses = config_["statuses"];
    for (const json& deal : json::parse(customer.deals)) {
      std::string status = deal.value("status", "");
      if (std::find(statuses.begin(), statuses.end(), status) == statuses.end()) continue;
      json reward = {{"referrer", referral["referrer"]},
                     {"referee", std::string(customer.id)},
                     {"referral", referral["id"]},
                     {"deal", deal["id"]},
                     {"unit", deal.value("unit", "")},
                     {"price", deal.value("price", 0)},
                     // the deal's own time, not the clock, so that every replica writes the same
                     {"granted_at", deal.value("signed_at", deal.value(status + "_at", ""))}};
      int64_t points = config_["reward"].value("points", 0);
      std::string benefit = config_["reward"].value("benefit", "");
      if (points > 0) reward["points"] = points;
      if (!benefit.empty()) reward["benefit"] = benefit;
      writer.Write("reward", deal["id"].get<std::string>(), reward.dump());
    }
  }

 private:
  json config_;
};

}  // namespace
}  // namespace referral

FIELDCRM_PLUGIN(referral::ReferralPlugin, R"json({
  "name": "referral",
  "version": "1.0.0",
  "kind": "referral",
  "description": "Referral program (老带新): grants the referrer a reward (points and/or a named benefit) exactly once for each signed deal of a customer they referred.",
  "writes": ["reward"],
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "required": ["reward", "statuses"],
    "properties": {
      "reward": {
        "type": "object", "additionalProperties": false,
        "properties": {"points": {"type": "integer", "minimum": 0},
                       "benefit": {"type": "string"}}
      },
      "statuses": {"type": "array", "minItems": 1,
                   "items": {"type": "string", "enum": ["reserved", "signed", "handed-over"]}}
    }
  },
  "default_config": {
    "reward": {"points": 1000, "benefit": "两年物业费"},
    "statuses": ["signed", "handed-over"]
  }
})json")
