#include "fieldcrm/storage/snapshot_rows.h"

namespace fieldcrm {

bool WinsAt(Database& db, const Change& change, int64_t at) {
  // The field's current winner is the winner at `at` too when it is this entry: most entries of
  // a history are, and field_state answers by its key.
  Statement& current = db.Prepare(
      "SELECT hlc = ?3 AND device = ?4 FROM field_state WHERE record = ?1 AND field = ?2");
  current.Bind(change.record, change.field, static_cast<int64_t>(change.hlc), change.device);
  bool is_current = current.Step() && current.Int(0) != 0;
  current.Reset();
  if (is_current) return true;
  // Otherwise it wins at `at` unless an entry logged by then beats it. The merge orders writes
  // by (hlc, device, value); one device never stamps two writes alike, so (hlc, device) decides.
  // The server's log is indexed by record (Store::IndexHistory).
  Statement& beaten = db.Prepare(
      "SELECT EXISTS(SELECT 1 FROM log WHERE record = ?1 AND field = ?2 AND pos <= ?3 "
      "AND (hlc, device) > (?4, ?5))");
  beaten.Bind(change.record, change.field, at, static_cast<int64_t>(change.hlc), change.device);
  beaten.Step();
  bool loses = beaten.Int(0) != 0;
  beaten.Reset();
  return !loses;
}

bool AnyKeptConflict(Database& db) {
  return db.QueryInt("SELECT EXISTS(SELECT 1 FROM conflicts)").value_or(0) != 0;
}

std::vector<KeptConflict> KeptConflictsOf(Database& db, const std::string& record,
                                          const std::string& field) {
  Statement& stmt = db.Prepare(
      "SELECT loser_hlc, loser_device, loser_value, winner_hlc, winner_device, winner_value "
      "FROM conflicts WHERE record = ? AND field = ? ORDER BY loser_hlc, loser_device");
  stmt.Bind(record, field);
  std::vector<KeptConflict> out;
  while (stmt.Step()) {
    out.push_back({record, field, static_cast<Hlc>(stmt.Int(0)), stmt.Text(1), stmt.OptText(2),
                   static_cast<Hlc>(stmt.Int(3)), stmt.Text(4), stmt.OptText(5)});
  }
  stmt.Reset();
  return out;
}

}  // namespace fieldcrm
