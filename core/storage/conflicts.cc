#include "fieldcrm/storage/conflicts.h"

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

json Value(Statement& stmt, int column) {
  return stmt.IsNull(column) ? json() : json::parse(stmt.Text(column));
}

}  // namespace

std::vector<LostWrite> ListConflicts(Store& store) {
  Database& db = StoreDatabase(store);
  Statement& stmt = db.Prepare(
      "SELECT c.record, coalesce(r.kind, ''), c.field, c.loser_value, c.loser_device, "
      "c.loser_hlc, c.winner_value, c.winner_device, c.winner_hlc FROM conflicts c "
      "LEFT JOIN records r ON r.id = c.record ORDER BY c.loser_hlc, c.record, c.field");
  std::vector<LostWrite> out;
  while (stmt.Step()) {
    out.push_back({stmt.Text(0), stmt.Text(1), stmt.Text(2), Value(stmt, 3), stmt.Text(4),
                   static_cast<Hlc>(stmt.Int(5)), Value(stmt, 6), stmt.Text(7),
                   static_cast<Hlc>(stmt.Int(8))});
  }
  stmt.Reset();
  return out;
}

void RestoreLostWrite(Store& store, const std::string& record, const std::string& field,
                      Hlc lost_hlc, const std::string& lost_device) {
  Database& db = StoreDatabase(store);
  Transaction txn(db);
  Statement& stmt = db.Prepare(
      "SELECT c.loser_value, r.kind FROM conflicts c JOIN records r ON r.id = c.record "
      "WHERE c.record = ? AND c.field = ? AND c.loser_hlc = ? AND c.loser_device = ?");
  stmt.Bind(record, field, static_cast<int64_t>(lost_hlc), lost_device);
  if (!stmt.Step()) {
    stmt.Reset();
    throw NotFound("no conflict kept for field '" + field + "' of record '" + record + "'");
  }
  json value = Value(stmt, 0);
  std::string kind = stmt.Text(1);
  stmt.Reset();
  store.Write(kind, record, {{field, value}});
  Statement& drop = db.Prepare(
      "DELETE FROM conflicts WHERE record = ? AND field = ? AND loser_hlc = ? AND "
      "loser_device = ?");
  drop.Bind(record, field, static_cast<int64_t>(lost_hlc), lost_device);
  drop.Step();
  drop.Reset();
  txn.Commit();
}

}  // namespace fieldcrm
