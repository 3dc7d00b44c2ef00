// The follow-up rules DOMAIN.md lists, evaluated for one customer as of a given time:
//   visit-followup   a visit with no call or follow-up after it within visit_followup_hours
//   first-response   a new customer nobody has contacted within the SLA for their tier
//                    (sla_hours_top for top_tiers, sla_hours_other otherwise)
//   churn-risk       no interaction for churn_days
//   birthday         birthday within birthday_days_before days
//   anniversary      purchase (signing) anniversary within anniversary_days_before days
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

// config: the plugin's effective config. Returns the alerts due at customer.now_ms.
std::vector<Due> Evaluate(const nlohmann::json& config,
                          const fieldcrm::sdk::CustomerView& customer);

}  // namespace alerts
