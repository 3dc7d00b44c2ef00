// SqliteServerStorage's erasures: core's Store::Erase for each customer (or walk-in record),
// recorded in the server's audit trail of erasures in the same transaction.
#include "fieldcrm/base/error.h"
#include "fieldcrm/model/erasure_targets.h"
#include "fieldcrm/postgres/shared_log.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

SqliteServerStorage::ErasureReport SqliteServerStorage::Erase(
    const std::vector<std::string>& customers, const std::string& reason, const std::string& by) {
  if (customers.empty()) throw InvalidInput("no customer to erase");
  if (reason.empty()) throw InvalidInput("an erasure needs a reason (--reason TEXT)");
  if (by.empty()) throw InvalidInput("an erasure needs the name of who orders it (--by NAME)");
  std::lock_guard lock(mutex_);
  ErasureReport report;
  std::string at = env().NowIso();
  auto erase_all = [&] {
    for (const std::string& customer : customers) {
      Store::Erasure erasure = store_->Erase(customer);
      ErasureEntry entry{customer, erasure.kind, erasure.id, by, reason, at, erasure.removed};
      if (!erasure.already_erased) {
        tables_->Run(
            "INSERT INTO sync_erasures(erasure, customer, erased_by, reason, erased_at, records, "
            "log_entries, conflicts) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            erasure.id, customer, by, reason, at, erasure.removed.records,
            erasure.removed.log_entries, erasure.removed.conflicts);
        // The erasure is the server's own change, credited to who ordered it (RecordAudit would
        // credit the server's changes to its duplicate-phone merges).
        tables_->Run(
            "INSERT INTO sync_audit(device, seq, agent, team, token, accepted_at) "
            "VALUES(?, ?, ?, '', '', ?)",
            store_->device().id, store_->LastOwnSeq(), by, at);
      }
      report.erased.push_back(std::move(entry));
    }
  };
  if (shared_log_) {
    // The erasure record goes to the shared log like a push; the entries it rewrote here are
    // rewritten there too, and every other process's replica rewrites its own when it applies
    // the record.
    shared_log_->Append([&] {
      int64_t before = store_->LogHead();
      erase_all();
      shared_log_->RewriteErased(before);
    });
  } else {
    Transaction txn = store_->Transact();
    erase_all();
    txn.Commit();
  }
  report.wal_emptied = store_->PurgeErasedBytes();
  return report;
}

std::vector<SqliteServerStorage::ErasureEntry> SqliteServerStorage::ListErasures() {
  std::lock_guard lock(mutex_);
  CatchUpLocked();
  TableRows rows = tables_->Query(
      "SELECT customer, erasure, erased_by, reason, erased_at, records, log_entries, conflicts "
      "FROM sync_erasures ORDER BY erased_at, erasure");
  std::vector<ErasureEntry> out;
  for (size_t r = 0; r < rows.size(); ++r) {
    ErasureStats removed{1, rows.Int(r, 5), rows.Int(r, 6), rows.Int(r, 7)};
    out.push_back({rows.Text(r, 0), "", rows.Text(r, 1), rows.Text(r, 2), rows.Text(r, 3),
                   rows.Text(r, 4), removed});
  }
  for (ErasureEntry& entry : out) {  // an erased record keeps its kind
    auto place = store_->FindRecord(entry.customer);
    entry.kind = place ? place->kind : "customer";
  }
  return out;
}

std::vector<std::string> SqliteServerStorage::ErasureTargetsByPhone(const std::string& phone) {
  std::lock_guard lock(mutex_);
  CatchUpLocked();
  return fieldcrm::ErasureTargetsByPhone(*store_, phone);
}

}  // namespace fieldcrm::sync
