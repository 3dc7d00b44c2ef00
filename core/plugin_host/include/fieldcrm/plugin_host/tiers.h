// Tiers are derived data: computed on demand by the tiering plugin from the synced facts and an
// explicit "as of" time, never written to the change log. Replicas holding the same changes and
// the same rules therefore show the same tiers.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/projections/facts.h"

namespace fieldcrm {

// Grades facts through the plugin in large batches (one boundary crossing per batch);
// open_complaints[i] is facts[i]'s (empty: none open), which plugins of API 2.4 may read.
std::vector<sdk::TierGrade> GradeFacts(LoadedPlugin& tiering,
                                       const std::vector<sdk::CustomerFacts>& facts,
                                       int64_t as_of_ms,
                                       const std::vector<int32_t>& open_complaints = {});
std::vector<sdk::TierGrade> GradeBundles(LoadedPlugin& tiering,
                                         const std::vector<CustomerBundle>& bundles,
                                         int64_t as_of_ms);

const char* SegmentName(uint8_t segment);
// {"tier": "A", "tier_score": 81.5, "segment": "core", "rfm": {"r": 5, "f": 3, "m": 4}}
nlohmann::json TierJson(const sdk::TierGrade& grade);

// Grades of the store's live customers (or only the root `only`, or only those of `team`, or
// only those with ids in `ids`), by customer id.
std::map<std::string, sdk::TierGrade> GradeStore(Database& db, LoadedPlugin& tiering,
                                                 int64_t as_of_ms,
                                                 const std::optional<std::string>& only = {},
                                                 const std::optional<std::string>& team = {},
                                                 const std::optional<IdRange>& ids = {});
// The same, read on the store's own connection.
std::map<std::string, sdk::TierGrade> GradeStore(Store& store, LoadedPlugin& tiering,
                                                 int64_t as_of_ms,
                                                 const std::optional<std::string>& only = {},
                                                 const std::optional<IdRange>& ids = {});

// The grades at as_of_ms of the customers LoadCustomerFacts listed (as_of_ms the time it read
// them at, or now), in the list's order, with the complaints open at as_of_ms in db.
std::vector<sdk::TierGrade> GradeCustomers(
    Database& db, LoadedPlugin& tiering,
    const std::vector<std::pair<std::string, sdk::CustomerFacts>>& customers, int64_t as_of_ms);

// The plugin's reasons for one customer's grade, with the grade itself.
nlohmann::json ExplainTier(LoadedPlugin& tiering, const CustomerBundle& bundle, int64_t as_of_ms);

}  // namespace fieldcrm
