#include "fieldcrm/storage/clock_correction.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

HybridClock::WallClock CorrectedWall(const Env& env, int64_t offset_ms) {
  return [&env, offset_ms] { return env.NowMillis() - offset_ms; };
}

int64_t ClockOffset(Store& store) {
  return std::stoll(store.GetMeta(kClockOffsetKey).value_or("0"));
}

void SetClockOffset(Store& store, int64_t offset_ms) {
  store.SetMeta(kClockOffsetKey, std::to_string(offset_ms));
  HybridClock& clock = store.clock();
  clock = HybridClock(clock.last(), CorrectedWall(store.env(), offset_ms));
}

int64_t RestampUnsent(Store& store, int64_t after_seq, Hlc ahead_of) {
  Database& db = StoreDatabase(store);
  const std::string& own = store.device().id;
  Transaction txn(db);
  // Own changes are numbered in log order: the unsent ones are a range of the (device, seq)
  // index, however much the log holds beside them.
  std::optional<int64_t> first_seq =
      db.QueryInt("SELECT min(seq) FROM log WHERE device = ? AND seq > ? AND hlc > ?", own,
                  after_seq, static_cast<int64_t>(ahead_of));
  if (!first_seq) return 0;
  std::optional<int64_t> first =
      db.QueryInt("SELECT pos FROM log WHERE device = ? AND seq = ?", own, *first_seq);
  // Every change before the first one stamped ahead keeps its stamp, and so do all that other
  // devices made: the new stamps follow them all, so every field keeps the winner it had (the
  // changes stamped ahead were later than all of those too).
  Hlc floor = static_cast<Hlc>(
      db.QueryInt("SELECT max(hlc) FROM log WHERE pos < ? OR device <> ?", *first, own)
          .value_or(0));
  HybridClock& clock = store.clock();
  clock = HybridClock(floor, CorrectedWall(store.env(), ClockOffset(store)));
  struct Restamped {
    Hlc old_hlc;
    Hlc new_hlc;
  };
  std::map<int64_t, std::tuple<std::string, std::string, Restamped>> by_pos;
  Statement& read = db.Prepare(
      "SELECT pos, hlc, record, field FROM log WHERE device = ? AND seq >= ? ORDER BY seq");
  read.Bind(own, *first_seq);
  while (read.Step()) {
    by_pos.emplace(read.Int(0), std::tuple{read.Text(2), read.Text(3),
                                           Restamped{static_cast<Hlc>(read.Int(1)), 0}});
  }
  read.Reset();
  std::set<std::string> records;
  for (auto& [pos, entry] : by_pos) {
    auto& [record, field, stamp] = entry;
    stamp.new_hlc = clock.Now();
    auto old_hlc = static_cast<int64_t>(stamp.old_hlc);
    auto new_hlc = static_cast<int64_t>(stamp.new_hlc);
    db.Prepare("UPDATE log SET hlc = ? WHERE pos = ?").Bind(new_hlc, pos).Run();
    // What was written on top of this change names it as its base.
    db.Prepare(
          "UPDATE log SET base = ?1 WHERE record = ?2 AND field = ?3 AND base = ?4 AND "
          "device = ?5 AND pos > ?6")
        .Bind(new_hlc, record, field, old_hlc, own, pos)
        .Run();
    db.Prepare(
          "UPDATE field_state SET hlc = ?1 WHERE record = ?2 AND field = ?3 AND hlc = ?4 AND "
          "device = ?5")
        .Bind(new_hlc, record, field, old_hlc, own)
        .Run();
    db.Prepare("UPDATE field_state SET base = ?1 WHERE record = ?2 AND field = ?3 AND base = ?4")
        .Bind(new_hlc, record, field, old_hlc)
        .Run();
    db.Prepare(
          "UPDATE conflicts SET loser_hlc = ?1 WHERE record = ?2 AND field = ?3 AND "
          "loser_hlc = ?4 AND loser_device = ?5")
        .Bind(new_hlc, record, field, old_hlc, own)
        .Run();
    db.Prepare(
          "UPDATE conflicts SET winner_hlc = ?1 WHERE record = ?2 AND field = ?3 AND "
          "winner_hlc = ?4 AND winner_device = ?5")
        .Bind(new_hlc, record, field, old_hlc, own)
        .Run();
    records.insert(record);
  }
  for (const std::string& record : records) {
    db.Prepare(
          "UPDATE records SET updated_hlc = (SELECT max(hlc) FROM field_state WHERE record = ?1) "
          "WHERE id = ?1")
        .Bind(record)
        .Run();
  }
  // The store's clock checkpoint named a stamp now gone: the next open would restart the clock
  // there. It now covers the log with the clock's new latest stamp.
  store.CheckpointClock();
  txn.Commit();
  return static_cast<int64_t>(by_pos.size());
}

}  // namespace fieldcrm
