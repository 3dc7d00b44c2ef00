// Shows tiers on customers (fieldcrm/application/customer_tiers.h), with the reason on stderr
// when a tiering plugin failed.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "context.h"

namespace fieldcrm::cli {

// Adds tier, tier_score, segment and rfm to each customer document (by "id") as of --as-of.
// Without a usable tiering plugin: throws PluginError when required, else warns on stderr if a
// tiering plugin failed (each reason once per run) and leaves the documents as they are.
void AddTierFields(Context& ctx, std::vector<nlohmann::json>& customers, bool required);

}  // namespace fieldcrm::cli
