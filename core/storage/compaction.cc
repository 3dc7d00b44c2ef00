#include "fieldcrm/storage/compaction.h"

namespace fieldcrm {

CompactionStats CompactLog(Database& db, const std::string& own_device,
                           int64_t own_acknowledged_pos) {
  Transaction txn(db);
  int64_t before = db.QueryInt("SELECT count(*) FROM log").value_or(0);
  int64_t own_last_seq =
      db.QueryInt("SELECT MAX(seq) FROM log WHERE device = ?", own_device).value_or(0);
  int64_t latest_hlc = db.QueryInt("SELECT MAX(hlc) FROM log").value_or(0);
  // A superseded entry is one that is not its field's winner; the winner is the field_state row
  // with the same stamp and device.
  db.Prepare(
        "DELETE FROM log WHERE hlc < ?4 "
        "AND (device <> ?1 OR (pos <= ?2 AND seq < ?3)) "
        "AND NOT EXISTS (SELECT 1 FROM field_state s WHERE s.record = log.record "
        "AND s.field = log.field AND s.hlc = log.hlc AND s.device = log.device)")
      .Bind(own_device, own_acknowledged_pos, own_last_seq, latest_hlc)
      .Run();
  int64_t after = db.QueryInt("SELECT count(*) FROM log").value_or(0);
  txn.Commit();
  return {before - after, after};
}

StorageSizes MeasureStorage(Database& db) {
  StorageSizes sizes;
  Statement& pages = db.Prepare(
      "SELECT CASE WHEN name = 'log' OR tbl_name = 'log' THEN 'log' ELSE 'state' END, "
      "sum(pgsize) FROM dbstat JOIN sqlite_schema USING(name) "
      "WHERE tbl_name IN ('log', 'field_state', 'records') GROUP BY 1");
  pages.Bind();
  while (pages.Step()) {
    (pages.Text(0) == "log" ? sizes.log_bytes : sizes.state_bytes) = pages.Int(1);
  }
  return sizes;
}

}  // namespace fieldcrm
