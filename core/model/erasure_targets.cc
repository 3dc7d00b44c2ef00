#include "fieldcrm/model/erasure_targets.h"

#include <nlohmann/json.hpp>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/phone.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

std::vector<std::string> ErasureTargetsByPhone(Store& store, const std::string& phone_text) {
  std::string phone = NormalizePhone(phone_text);
  std::vector<std::string> ids;
  if (std::optional<nlohmann::json> customer = Customers(store).FindByPhone(phone)) {
    ids.push_back(customer->at("id").get<std::string>());
  }
  // Erased records are tombstones: their phone is gone, so they are not found again.
  Statement& stmt = StoreDatabase(store).Prepare(
      "SELECT id FROM records WHERE parent IS NULL AND kind <> 'customer' AND deleted = 0 "
      "AND json_extract(doc, '$.phone') = ? ORDER BY id");
  stmt.Bind(phone);
  while (stmt.Step()) ids.push_back(stmt.Text(0));
  stmt.Reset();
  return ids;
}

}  // namespace fieldcrm
