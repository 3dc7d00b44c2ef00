// Store::RestampUnsent: see store.h. Only this device's changes that never left it are touched,
// so no other replica holds them under their old stamps.
#include <map>
#include <set>
#include <tuple>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

int64_t Store::RestampUnsent(int64_t after, Hlc ahead_of) {
  Transaction txn(db_);
  std::optional<int64_t> first =
      db_.QueryInt("SELECT min(pos) FROM log WHERE device = ? AND pos > ? AND hlc > ?", device_.id,
                   after, static_cast<int64_t>(ahead_of));
  if (!first) return 0;
  // Every change before the first one stamped ahead keeps its stamp, and so do all that other
  // devices made: the new stamps follow them all, so every field keeps the winner it had (the
  // changes stamped ahead were later than all of those too).
  Hlc floor = static_cast<Hlc>(
      db_.QueryInt("SELECT max(hlc) FROM log WHERE pos < ? OR device <> ?", *first, device_.id)
          .value_or(0));
  clock_.Restart(floor);
  struct Restamped {
    Hlc old_hlc;
    Hlc new_hlc;
  };
  std::map<int64_t, std::tuple<std::string, std::string, Restamped>> by_pos;
  Statement& read = db_.Prepare(
      "SELECT pos, hlc, record, field FROM log WHERE device = ? AND pos >= ? ORDER BY pos");
  read.Bind(device_.id, *first);
  while (read.Step()) {
    by_pos.emplace(read.Int(0), std::tuple{read.Text(2), read.Text(3),
                                           Restamped{static_cast<Hlc>(read.Int(1)), 0}});
  }
  read.Reset();
  std::set<std::string> records;
  for (auto& [pos, entry] : by_pos) {
    auto& [record, field, stamp] = entry;
    stamp.new_hlc = clock_.Now();
    auto old_hlc = static_cast<int64_t>(stamp.old_hlc);
    auto new_hlc = static_cast<int64_t>(stamp.new_hlc);
    db_.Prepare("UPDATE log SET hlc = ? WHERE pos = ?").Bind(new_hlc, pos).Run();
    // What was written on top of this change names it as its base.
    db_.Prepare(
           "UPDATE log SET base = ?1 WHERE record = ?2 AND field = ?3 AND base = ?4 AND "
           "device = ?5 AND pos > ?6")
        .Bind(new_hlc, record, field, old_hlc, device_.id, pos)
        .Run();
    db_.Prepare(
           "UPDATE field_state SET hlc = ?1 WHERE record = ?2 AND field = ?3 AND hlc = ?4 AND "
           "device = ?5")
        .Bind(new_hlc, record, field, old_hlc, device_.id)
        .Run();
    db_.Prepare("UPDATE field_state SET base = ?1 WHERE record = ?2 AND field = ?3 AND base = ?4")
        .Bind(new_hlc, record, field, old_hlc)
        .Run();
    db_.Prepare(
           "UPDATE conflicts SET loser_hlc = ?1 WHERE record = ?2 AND field = ?3 AND "
           "loser_hlc = ?4 AND loser_device = ?5")
        .Bind(new_hlc, record, field, old_hlc, device_.id)
        .Run();
    db_.Prepare(
           "UPDATE conflicts SET winner_hlc = ?1 WHERE record = ?2 AND field = ?3 AND "
           "winner_hlc = ?4 AND winner_device = ?5")
        .Bind(new_hlc, record, field, old_hlc, device_.id)
        .Run();
    records.insert(record);
  }
  for (const std::string& record : records) {
    db_.Prepare(
           "UPDATE records SET updated_hlc = (SELECT max(hlc) FROM field_state WHERE record = ?1) "
           "WHERE id = ?1")
        .Bind(record)
        .Run();
  }
  CheckpointClock();
  txn.Commit();
  return static_cast<int64_t>(by_pos.size());
}

}  // namespace fieldcrm
