#include "core/merge.h"

#include <map>
#include <tuple>

#include "core/error.h"
#include "core/records.h"

namespace fieldcrm {
namespace {

struct FieldWrite {
  std::optional<std::string> value;
  Hlc hlc;
  std::string device;
  Hlc base;
};

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

std::optional<FieldWrite> CurrentWrite(Database& db, const Change& c) {
  Statement& stmt =
      db.Prepare("SELECT value, hlc, device, base FROM field_state WHERE record = ? AND field = ?");
  stmt.Bind(c.record, c.field);
  std::optional<FieldWrite> current;
  if (stmt.Step()) {
    current = FieldWrite{stmt.OptText(0), static_cast<Hlc>(stmt.Int(1)), stmt.Text(2),
                         static_cast<Hlc>(stmt.Int(3))};
  }
  stmt.Reset();
  return current;
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
  std::map<std::string, std::string> touched;  // record id -> kind
  Statement& append = db.Prepare(
      "INSERT OR IGNORE INTO log(device, seq, hlc, base, kind, record, field, value) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  Statement& upsert = db.Prepare(
      "INSERT INTO field_state(record, field, value, hlc, device, base) VALUES(?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(record, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, "
      "device = excluded.device, base = excluded.base");
  for (const Change& c : changes) {
    append.Bind(c.device, c.seq, c.hlc, c.base, c.kind, c.record, c.field, c.value).Run();
    if (db.Changes() == 0) {
      CheckSameAsLogged(db, c);
      ++stats.duplicates;
      continue;
    }
    ++stats.applied;
    stats.max_hlc = std::max(stats.max_hlc, c.hlc);
    auto [it, inserted] = touched.emplace(c.record, c.kind);
    if (!inserted && it->second != c.kind) {
      throw InvalidInput("record " + c.record + " is written both as " + it->second + " and as " +
                         c.kind);
    }

    FieldWrite incoming{c.value, c.hlc, c.device, c.base};
    std::optional<FieldWrite> current = CurrentWrite(db, c);
    bool wins = !current || Wins(c, *current);
    if (current && current->value != c.value && Concurrent(c, *current)) {
      ++stats.conflicts;
      if (wins) {
        KeepConflict(db, c.record, c.field, *current, incoming);
      } else {
        KeepConflict(db, c.record, c.field, incoming, *current);
      }
    }
    if (wins) upsert.Bind(c.record, c.field, c.value, c.hlc, c.device, c.base).Run();
  }
  RebuildRecords(db, touched, &stats.customers);
  return stats;
}

}  // namespace fieldcrm
