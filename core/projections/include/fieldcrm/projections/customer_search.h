// Finding customers the way agents search on a tablet: by part of a name, by the last four (or
// more) digits of a phone, by the first digits of a phone while it is typed, and by stage.
// Each mode reads an index (schema migration 4), so answers stay fast on 100,000 customers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct CustomerQuery {
  // Digits only: the end of a phone number (at least 4 digits); anything else: part of a name
  // (names starting with it first). Empty: every customer (of the stage).
  std::string text{};
  std::optional<std::string> stage{};  // only this stage (canonical code)
  int limit = 50;
};

// Ids of live root customers matching the query, at most query.limit of them.
std::vector<std::string> SearchCustomers(Store& store, const CustomerQuery& query);

// Ids of live root customers whose phone (E.164, read in China when typed without a country code)
// starts with the digits typed so far; at most limit. Fewer than 3 digits match nothing.
std::vector<std::string> CustomersByPhonePrefix(Store& store, const std::string& digits, int limit);

}  // namespace fieldcrm
