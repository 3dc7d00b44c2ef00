// Referral rewards, as granted by the referral plugin (records of kind `reward`), reported by
// referrer. Referrers are resolved through merges, so a referrer recorded under an old id of a
// merged customer is credited to the surviving one.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// Rewards, oldest grant first, each with referrer_name and referee_name; only the referrer's
// when given (any id of theirs).
std::vector<nlohmann::json> RewardHistory(Store& store,
                                          const std::optional<std::string>& referrer = {});

// One row per referrer: {referrer, name, referrals, rewards, points, benefits}, most points
// first, then most referrals.
std::vector<nlohmann::json> ReferralLeaderboard(Store& store);

}  // namespace fieldcrm
