// Tiers shown on customers: the tiering plugin's grade added to customer documents, for every
// front end that lists customers (the CLI's `customer list/get/find`, the tablet app).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fieldcrm/application/session.h"

namespace fieldcrm {

// Adds tier, tier_score, segment and rfm to each customer document (by "id") as of the session's
// time. Without a usable tiering plugin: throws PluginError when required; else leaves the
// documents as they are and returns why, when a tiering plugin exists but failed ("" otherwise).
std::string AddTierFields(Session& session, std::vector<nlohmann::json>& customers, bool required);

}  // namespace fieldcrm
