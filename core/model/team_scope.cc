#include "fieldcrm/model/team_scope.h"

#include <nlohmann/json.hpp>

#include "fieldcrm/storage/log_row.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

std::optional<CustomerTeam> FindCustomerTeam(Store& store, const std::string& customer) {
  Statement& stmt = StoreDatabase(store).Prepare(
      "SELECT t.id, t.team FROM records c JOIN records t ON t.id = COALESCE(c.root, c.id) "
      "WHERE c.id = ? AND c.kind = 'customer'");
  stmt.Bind(customer);
  std::optional<CustomerTeam> found;
  if (stmt.Step()) found = CustomerTeam{stmt.Text(0), stmt.OptText(1).value_or("")};
  stmt.Reset();
  return found;
}

bool LinksCustomer(const nlohmann::json& fields) {
  for (const char* link : {"customer", "referee"}) {
    auto it = fields.find(link);
    if (it != fields.end() && it->is_string()) return true;
  }
  return false;
}

std::optional<std::string> StampedTeam(Store& store, const std::string& record) {
  return StoreDatabase(store).QueryText(
      "SELECT json_extract(doc, '$.' || ?2) FROM records WHERE id = ?1 AND parent IS NULL "
      "AND kind <> 'customer' AND json_type(doc, '$.' || ?2) = 'text'",
      record, std::string(kRecordTeamField));
}

void ForEachTeamChange(Database& db, const TeamLogQuery& query,
                       const std::function<bool(int64_t pos, Change&& change)>& visit) {
  // A record's team is that of the customer it is or hangs under, by the customer's root; t is
  // that root. A record under no customer is its own t (as is one hanging under such a record:
  // the erasure of an unregistered walk-in): its stamped team, or every team's when it has none.
  Statement& stmt = db.Prepare(R"sql(
SELECT l.pos, l.device, l.seq, l.hlc, l.base, l.kind, l.record, l.field, l.value FROM log l
LEFT JOIN records r ON r.id = l.record
LEFT JOIN records c ON c.id = (CASE WHEN l.kind = 'customer' THEN l.record
                                    ELSE COALESCE(r.parent, l.record) END)
LEFT JOIN records t ON t.id = COALESCE(c.root, c.id)
WHERE l.pos > ?1 AND l.pos <= ?2 AND l.device <> ?3
  AND (?4 = 1 OR CASE WHEN t.kind <> 'customer'
                        THEN json_extract(t.doc, '$.team') IS NULL OR json_extract(t.doc, '$.team') = ?5
                      WHEN l.kind = 'customer' OR r.parent IS NOT NULL THEN t.team IS ?5
                      ELSE 1 END)
ORDER BY l.pos LIMIT ?6
)sql");
  stmt.Bind(query.after, query.up_to, query.except_device, query.everything ? 1 : 0, query.team,
            query.limit);
  while (stmt.Step()) {
    if (!visit(stmt.Int(0), ReadLogRow(stmt, 1))) break;
  }
  stmt.Reset();
}

int64_t LogHeadOn(Database& db) {
  return db.QueryInt("SELECT MAX(pos) FROM log").value_or(0);
}

}  // namespace fieldcrm
