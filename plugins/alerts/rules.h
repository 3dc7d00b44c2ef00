// The follow-up rules DOMAIN.md lists, evaluated for one customer as of a given time:
//   visit-followup   a visit with no call or follow-up after it within visit_followup_hours
//   first-response   a new customer nobody has contacted within the SLA for their tier
//                    (sla_hours_top for top_tiers, sla_hours_other otherwise)
//   churn-risk       no interaction for churn_days
//   birthday         birthday within birthday_days_before days
//   anniversary      purchase (signing) anniversary within anniversary_days_before days
//   complaint-unanswered  a complaint without an answer complaint_answer_hours after it came in
//   complaint-unresolved  a complaint neither resolved nor closed after complaint_resolve_hours
//   repair-unattended     a repair nobody attended on site within repair_attend_hours
//   holiday          a holiday of `holidays` (name, date) within holiday_days_before days, for
//                    customers at holiday_stages
// Calendar dates are taken in China time (UTC+8), where the customers live.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fieldcrm/plugin.h"

namespace alerts {

struct Due {
  std::string rule;
  int64_t due_ms;
  std::string message;
};

// Throws std::invalid_argument for what the config schema cannot say: a holiday date that is
// not a calendar date.
void CheckConfig(const nlohmann::json& config);

// config: the plugin's effective config. Returns the alerts due at customer.now_ms.
std::vector<Due> Evaluate(const nlohmann::json& config,
                          const fieldcrm::sdk::CustomerView& customer);

}  // namespace alerts
