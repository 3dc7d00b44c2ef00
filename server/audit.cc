#include "fieldcrm/server/audit.h"

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm::sync {

using nlohmann::json;

json CustomerHistory(Store& store, ServerTables& tables, const std::string& customer) {
  auto record = store.FindRecord(customer);
  if (!record || record->kind != "customer") {
    throw NotFound("no customer '" + customer + "' on this server (give a customer id)");
  }
  Customers customers(store);
  std::string root = customers.RootOf(customer);
  std::vector<std::string> ids = customers.IdsOf(root);

  // Who sent each change: the server's own table, by change id.
  constexpr const char* kSender =
      "SELECT agent, team, accepted_at FROM sync_audit WHERE device = ? AND seq = ?";
  json changes = json::array();
  // Registered first = the earliest stamp, not the earliest arrival: a tablet that registered a
  // customer offline and synced later still registered it first.
  size_t first = 0;
  Hlc first_hlc = 0;
  for (const Store::LoggedChange& entry : store.ReadRecordLog(ids)) {
    const Change& c = entry.change;
    if (changes.empty() || c.hlc < first_hlc) {
      first = changes.size();
      first_hlc = c.hlc;
    }
    // Changes logged before the audit trail existed have no sender on record.
    json agent = "", team = "", accepted_at = "";
    TableRows sender = tables.Query(kSender, c.device, c.seq);
    if (!sender.empty()) {
      agent = sender.Text(0, 0);
      team = sender.Text(0, 1);
      accepted_at = sender.Text(0, 2);
    }
    changes.push_back({{"pos", entry.pos},
                       {"record", c.record},
                       {"field", c.field},
                       {"value", c.value ? json::parse(*c.value) : json()},
                       {"device", c.device},
                       {"stamped_at", HlcToIso(c.hlc)},
                       {"agent", agent},
                       {"team", team},
                       {"accepted_at", accepted_at}});
  }
  json history = {{"customer", root}, {"ids", ids}, {"changes", changes}};
  history["registered"] = changes.empty() ? json() : changes[first];
  return history;
}

}  // namespace fieldcrm::sync
