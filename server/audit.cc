#include "fieldcrm/server/audit.h"

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/records.h"

namespace fieldcrm::sync {

using nlohmann::json;

json CustomerHistory(Database& db, const std::string& customer) {
  auto kind = db.QueryText("SELECT kind FROM records WHERE id = ?", customer);
  if (kind != "customer") {
    throw NotFound("no customer '" + customer + "' on this server (give a customer id)");
  }
  std::string root = ResolveCustomerRoot(db, customer);
  json ids = json::array();
  // The unary + keeps SQLite on the id and root indexes; by kind it would read every customer.
  Statement& aliases = db.Prepare(
      "SELECT id FROM records WHERE +kind = 'customer' AND (id = ?1 OR root = ?1) ORDER BY id");
  aliases.Bind(root);
  while (aliases.Step()) ids.push_back(aliases.Text(0));
  aliases.Reset();

  json changes = json::array();
  // Registered first = the earliest stamp, not the earliest arrival: a tablet that registered a
  // customer offline and synced later still registered it first.
  size_t first = 0;
  Hlc first_hlc = 0;
  Statement& stmt = db.Prepare(R"sql(
SELECT l.pos, l.record, l.field, l.value, l.device, l.hlc, a.agent, a.team, a.accepted_at
FROM log l LEFT JOIN sync_audit a ON a.device = l.device AND a.seq = l.seq
WHERE l.record IN (SELECT id FROM records WHERE +kind = 'customer' AND (id = ?1 OR root = ?1))
ORDER BY l.pos
)sql");
  stmt.Bind(root);
  while (stmt.Step()) {
    std::optional<std::string> value = stmt.OptText(3);
    auto hlc = static_cast<Hlc>(stmt.Int(5));
    if (changes.empty() || hlc < first_hlc) {
      first = changes.size();
      first_hlc = hlc;
    }
    changes.push_back({{"pos", stmt.Int(0)},
                       {"record", stmt.Text(1)},
                       {"field", stmt.Text(2)},
                       {"value", value ? json::parse(*value) : json()},
                       {"device", stmt.Text(4)},
                       {"stamped_at", HlcToIso(hlc)},
                       // Changes logged before the audit trail existed have no sender on record.
                       {"agent", stmt.OptText(6).value_or("")},
                       {"team", stmt.OptText(7).value_or("")},
                       {"accepted_at", stmt.OptText(8).value_or("")}});
  }
  stmt.Reset();
  json history = {{"customer", root}, {"ids", ids}, {"changes", changes}};
  history["registered"] = changes.empty() ? json() : changes[first];
  return history;
}

}  // namespace fieldcrm::sync
