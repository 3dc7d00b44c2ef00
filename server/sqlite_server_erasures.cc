// SqliteServerStorage's erasures: core's Store::Erase for each customer (or walk-in record),
// recorded in the server's audit trail of erasures in the same transaction.
#include "fieldcrm/base/error.h"
#include "fieldcrm/model/erasure_targets.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

SqliteServerStorage::ErasureReport SqliteServerStorage::Erase(
    const std::vector<std::string>& customers, const std::string& reason, const std::string& by) {
  if (customers.empty()) throw InvalidInput("no customer to erase");
  if (reason.empty()) throw InvalidInput("an erasure needs a reason (--reason TEXT)");
  if (by.empty()) throw InvalidInput("an erasure needs the name of who orders it (--by NAME)");
  std::lock_guard lock(mutex_);
  ErasureReport report;
  Transaction txn = store_->Transact();
  Statement& record = store_->OwnTablesConnection().Prepare(
      "INSERT INTO sync_erasures(erasure, customer, erased_by, reason, erased_at, records, "
      "log_entries, conflicts) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  std::string at = env().NowIso();
  for (const std::string& customer : customers) {
    Store::Erasure erasure = store_->Erase(customer);
    ErasureEntry entry{customer, erasure.kind, erasure.id, by, reason, at, erasure.removed};
    if (!erasure.already_erased) {
      record
          .Bind(erasure.id, customer, by, reason, at, erasure.removed.records,
                erasure.removed.log_entries, erasure.removed.conflicts)
          .Run();
      // The erasure is the server's own change, credited to who ordered it (RecordAudit would
      // credit the server's changes to its duplicate-phone merges).
      store_->OwnTablesConnection()
          .Prepare(
              "INSERT INTO sync_audit(device, seq, agent, team, token, accepted_at) "
              "VALUES(?, ?, ?, '', '', ?)")
          .Bind(store_->device().id, store_->LastOwnSeq(), by, at)
          .Run();
    }
    report.erased.push_back(std::move(entry));
  }
  txn.Commit();
  report.wal_emptied = store_->PurgeErasedBytes();
  return report;
}

std::vector<SqliteServerStorage::ErasureEntry> SqliteServerStorage::ListErasures() {
  std::lock_guard lock(mutex_);
  Statement& stmt = store_->OwnTablesConnection().Prepare(
      "SELECT customer, erasure, erased_by, reason, erased_at, records, log_entries, conflicts "
      "FROM sync_erasures ORDER BY erased_at, erasure");
  std::vector<ErasureEntry> out;
  while (stmt.Step()) {
    ErasureStats removed{1, stmt.Int(5), stmt.Int(6), stmt.Int(7)};
    out.push_back(
        {stmt.Text(0), "", stmt.Text(1), stmt.Text(2), stmt.Text(3), stmt.Text(4), removed});
  }
  stmt.Reset();
  for (ErasureEntry& entry : out) {  // an erased record keeps its kind
    auto place = store_->FindRecord(entry.customer);
    entry.kind = place ? place->kind : "customer";
  }
  return out;
}

std::vector<std::string> SqliteServerStorage::ErasureTargetsByPhone(const std::string& phone) {
  std::lock_guard lock(mutex_);
  return fieldcrm::ErasureTargetsByPhone(*store_, phone);
}

}  // namespace fieldcrm::sync
