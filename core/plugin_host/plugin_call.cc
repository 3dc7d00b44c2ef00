#include "fieldcrm/plugin_host/plugin_call.h"

#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/plugin_host/plugin_review.h"

namespace fieldcrm {

using nlohmann::json;

std::string StoreReads::Records(const std::string& kind, const std::string& field,
                                const std::string& value) {
  json matching = json::array();
  for (json& record : LiveRecords(store_, kind)) {
    auto found = record.find(field);
    bool matches = field.empty() || (found != record.end() && found->is_string() &&
                                     found->get_ref<const std::string&>() == value);
    if (matches) matching.push_back(std::move(record));
  }
  return matching.dump();
}

std::string StoreReads::CustomerByPhone(const std::string& phone) {
  std::optional<json> customer = Customers(store_).FindByPhone(phone);
  return customer ? customer->dump() : "null";
}

StoreCallResult CallWithStore(Store& store, LoadedPlugin& plugin, std::string_view function,
                              std::string_view input_json) {
  StoreReads reads(store);
  CallOutcome outcome = plugin.CallReading(function, input_json, reads);
  return {std::move(outcome.result), WriteProposedRecords(store, outcome.proposed)};
}

}  // namespace fieldcrm
