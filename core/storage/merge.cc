#include "fieldcrm/storage/merge.h"

#include <map>
#include <tuple>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/records.h"

namespace fieldcrm {
namespace {

// The total order that decides every field: later stamp wins, then device id, then value, so
// that even two writes with identical stamps resolve the same way everywhere.
bool Wins(const Change& incoming, const FieldWrite& current) {
  return std::tie(incoming.hlc, incoming.device, incoming.value) >
         std::tie(current.hlc, current.device, current.value);
}

// Neither writer had seen the other's value when it wrote.
bool Concurrent(const Change& incoming, const FieldWrite& current) {
  return incoming.base < current.hlc && current.base < incoming.hlc;
}

void CheckSameAsLogged(Database& db, const Change& c) {
  Statement& stmt = db.Prepare(
      "SELECT hlc, base, kind, record, field, value FROM log WHERE device = ? AND seq = ?");
  stmt.Bind(c.device, c.seq);
  stmt.Step();
  Change logged{c.device,
                c.seq,
                static_cast<Hlc>(stmt.Int(0)),
                static_cast<Hlc>(stmt.Int(1)),
                stmt.Text(2),
                stmt.Text(3),
                stmt.Text(4),
                stmt.OptText(5)};
  stmt.Reset();
  if (!(logged == c)) {
    throw InvalidInput("change " + c.device + "/" + std::to_string(c.seq) +
                       " differs from the change already recorded under that id");
  }
}

void KeepConflict(Database& db, const std::string& record, const std::string& field,
                  const FieldWrite& loser, const FieldWrite& winner) {
  db.Prepare(
        "INSERT OR IGNORE INTO conflicts(record, field, loser_hlc, loser_device, loser_value, "
        "winner_hlc, winner_device, winner_value) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(record, field, loser.hlc, loser.device, loser.value, winner.hlc, winner.device,
            winner.value)
      .Run();
}

}  // namespace

ApplyStats ApplyChanges(Database& db, std::span<const Change> changes) {
  ApplyStats stats;
  std::map<std::string, TouchedRecord> touched;  // by record id
  Statement& append = db.Prepare(kAppendLogSql);
  Statement& upsert = db.Prepare(kUpsertFieldStateSql);
  for (const Change& c : changes) {
    append.Bind(c.device, c.seq, c.hlc, c.base, c.kind, c.record, c.field, c.value).Run();
    if (db.Changes() == 0) {
      CheckSameAsLogged(db, c);
      ++stats.duplicates;
      continue;
    }
    ++stats.applied;
    stats.max_hlc = std::max(stats.max_hlc, c.hlc);
    auto [it, first_touch] = touched.try_emplace(c.record);
    TouchedRecord& record = it->second;
    if (first_touch) {
      // One read of the record's fields serves every change of it in this batch and the rebuild.
      record.kind = c.kind;
      record.fields = LoadFieldWrites(db, c.record);
    } else if (record.kind != c.kind) {
      throw InvalidInput("record " + c.record + " is written both as " + record.kind + " and as " +
                         c.kind);
    }
    record.links_changed |= c.field == kMergedIntoField;
    record.identity_changed |= c.field == "phone" || c.field == kDeletedField;

    FieldWrite incoming{c.value, c.hlc, c.device, c.base};
    auto current = record.fields.find(c.field);
    bool wins = current == record.fields.end() || Wins(c, current->second);
    if (current != record.fields.end() && current->second.value != c.value &&
        Concurrent(c, current->second)) {
      ++stats.conflicts;
      if (wins) {
        KeepConflict(db, c.record, c.field, current->second, incoming);
      } else {
        KeepConflict(db, c.record, c.field, incoming, current->second);
      }
    }
    if (wins) {
      upsert.Bind(c.record, c.field, c.value, c.hlc, c.device, c.base).Run();
      record.fields[c.field] = std::move(incoming);
    }
  }
  RebuildRecords(db, touched, &stats.identity_changed);
  return stats;
}

}  // namespace fieldcrm
