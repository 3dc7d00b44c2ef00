// A customer with everything that happened around it, as plugins see it: the customer's
// document, its interactions, deals, referrals (both ways), survey responses, complaints and
// repairs, plus the numeric facts derived from them. Loaded from the merged records only, so
// replicas that hold the same changes build the same bundles.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/plugin.h"
#include "fieldcrm/storage/sqlite.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct CustomerBundle {
  std::string id;  // the root id
  nlohmann::json customer;
  nlohmann::json interactions = nlohmann::json::array();
  nlohmann::json deals = nlohmann::json::array();
  nlohmann::json referrals_made = nlohmann::json::array();
  nlohmann::json referred_by = nlohmann::json::array();
  nlohmann::json survey_responses = nlohmann::json::array();
  nlohmann::json complaints = nlohmann::json::array();  // after-sales cases
  nlohmann::json repairs = nlohmann::json::array();
  sdk::CustomerFacts facts;
};

// Live customers (all, or the one root `only`) in id order, histories oldest first: those with
// ids after `after`, at most `limit` of them (-1: no limit), so a large store is read in windows.
std::vector<CustomerBundle> LoadCustomerBundles(Database& db,
                                                const std::optional<std::string>& only = {},
                                                const std::string& after = "", int64_t limit = -1);
// The same, read on the store's own connection.
std::vector<CustomerBundle> LoadCustomerBundles(Store& store,
                                                const std::optional<std::string>& only = {},
                                                const std::string& after = "", int64_t limit = -1);

// The live roots whose bundles hold any of these records (by id), sorted: a customer's root, the
// root of the customer a record hangs under, and for a referral also its referrer's root. Records
// the store does not have, and those of no customer, hold none.
std::vector<std::string> CustomersHolding(Store& store, const std::vector<std::string>& records);

// The numeric summary of a bundle (fills bundle.facts).
sdk::CustomerFacts ComputeFacts(const CustomerBundle& bundle);

}  // namespace fieldcrm
