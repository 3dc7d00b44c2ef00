#include "fieldcrm/storage/merge.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/erasure.h"
#include "fieldcrm/storage/log_row.h"
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
  std::optional<Change> logged = FindLoggedChange(db, c.device, c.seq);
  if (!logged || !SameChange(*logged, c)) {
    throw InvalidInput("change " + c.device + "/" + std::to_string(c.seq) +
                       " differs from the change already recorded under that id");
  }
}

void KeepConflict(Database& db, const std::string& record, const std::string& field,
                  const FieldWrite& loser, const FieldWrite& winner) {
  KeepConflict(db, {record, field, loser.hlc, loser.device, loser.value, winner.hlc, winner.device,
                    winner.value});
}

}  // namespace

void KeepConflict(Database& db, const KeptConflict& conflict) {
  db.Prepare(
        "INSERT OR IGNORE INTO conflicts(record, field, loser_hlc, loser_device, loser_value, "
        "winner_hlc, winner_device, winner_value) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(conflict.record, conflict.field, conflict.loser_hlc, conflict.loser_device,
            conflict.loser_value, conflict.winner_hlc, conflict.winner_device,
            conflict.winner_value)
      .Run();
}

Change ReadLogRow(const Statement& stmt, int col) {
  return {stmt.Text(col),
          stmt.Int(col + 1),
          static_cast<Hlc>(stmt.Int(col + 2)),
          static_cast<Hlc>(stmt.Int(col + 3)),
          stmt.Text(col + 4),
          stmt.Text(col + 5),
          stmt.Text(col + 6),
          stmt.OptText(col + 7)};
}

std::optional<Change> FindLoggedChange(Database& db, const std::string& device, int64_t seq) {
  Statement& stmt =
      db.Prepare("SELECT " FIELDCRM_LOG_CHANGE_COLUMNS " FROM log WHERE device = ? AND seq = ?");
  stmt.Bind(device, seq);
  std::optional<Change> found;
  if (stmt.Step()) found = ReadLogRow(stmt, 0);
  stmt.Reset();
  return found;
}

ApplyStats ApplyChanges(Database& db, const StoreHooks& hooks, std::span<const Change> changes) {
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
    record.identity_changed |= c.field == kDeletedField ||
                               std::find(hooks.identity_fields.begin(), hooks.identity_fields.end(),
                                         c.field) != hooks.identity_fields.end();

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
  RebuildRecords(db, hooks, touched, &stats.identity_changed);
  stats.erased = ApplyErasures(db, hooks, touched);
  return stats;
}

}  // namespace fieldcrm
