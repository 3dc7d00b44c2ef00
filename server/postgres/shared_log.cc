#include "fieldcrm/postgres/shared_log.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "fieldcrm/base/error.h"
#include "fieldcrm/postgres/log_listener.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/uuid.h"

namespace fieldcrm::postgres {
namespace {

// Each entry upgrades version i to i+1; append only. The log is keyed by position, the one
// order every process shares; docs/postgresql.md says how it distributes by team.
constexpr const char* kMigrations[] = {
    // 1: the meta table (schema version, server id) and the log.
    R"sql(
CREATE TABLE fieldcrm_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE fieldcrm_log(
  pos BIGINT PRIMARY KEY,
  device TEXT NOT NULL,
  seq BIGINT NOT NULL,
  hlc BIGINT NOT NULL,
  base BIGINT NOT NULL,
  kind TEXT NOT NULL,
  record TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT,
  UNIQUE(device, seq));
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));
// Every appender takes this transaction-scoped advisory lock (an arbitrary constant: "fcrmlog").
constexpr const char* kAppendLock = "SELECT pg_advisory_xact_lock(7308898987533152103)";
// Entries read (and applied to the replica) at a time.
constexpr int64_t kPage = 4096;
// Entries inserted per statement (9 parameters each; PostgreSQL takes at most 65,535).
constexpr size_t kInsertRows = 500;

std::string Num(int64_t n) {
  return std::to_string(n);
}

}  // namespace

void SharedLog::Migrate(PgConnection& conn) {
  PgTransaction txn(conn);
  // One migrator at a time when several processes start together.
  conn.Exec(kAppendLock);
  int version = 0;
  if (conn.Exec("SELECT to_regclass('fieldcrm_meta') IS NOT NULL").Text(0, 0) == "t") {
    PgResult row = conn.Exec("SELECT value FROM fieldcrm_meta WHERE key = 'schema'");
    if (row.rows() == 1) version = std::stoi(row.Text(0, 0));
  }
  if (version > kSchemaVersion) {
    throw StorageError("the PostgreSQL database was written by a newer fieldcrm-server (schema " +
                       std::to_string(version) + "): upgrade fieldcrm-server to use it");
  }
  for (int v = version; v < kSchemaVersion; ++v) conn.Exec(kMigrations[v]);
  if (version == 0) {
    conn.Exec("INSERT INTO fieldcrm_meta(key, value) VALUES('server_id', $1)",
              {NewUuidV7(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count())});
  }
  conn.Exec(
      "INSERT INTO fieldcrm_meta(key, value) VALUES('schema', $1) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      {std::to_string(kSchemaVersion)});
  txn.Commit();
}

std::string SharedLog::ServerId() {
  return conn_.Exec("SELECT value FROM fieldcrm_meta WHERE key = 'server_id'").Text(0, 0);
}

int64_t SharedLog::Head() {
  return conn_.Exec("SELECT COALESCE(MAX(pos), 0) FROM fieldcrm_log").Int(0, 0);
}

std::vector<Store::LoggedChange> SharedLog::ReadAfter(int64_t after, int64_t limit) {
  PgResult rows = conn_.Exec(
      "SELECT pos, device, seq, hlc, base, kind, record, field, value FROM fieldcrm_log "
      "WHERE pos > $1 ORDER BY pos LIMIT $2",
      {Num(after), Num(limit)});
  std::vector<Store::LoggedChange> entries;
  for (int r = 0; r < rows.rows(); ++r) {
    int64_t pos = rows.Int(r, 0);
    if (pos != after + static_cast<int64_t>(entries.size()) + 1) break;  // a gap: stop before it
    entries.push_back({pos,
                       {rows.Text(r, 1), rows.Int(r, 2), static_cast<Hlc>(rows.Int(r, 3)),
                        static_cast<Hlc>(rows.Int(r, 4)), rows.Text(r, 5), rows.Text(r, 6),
                        rows.Text(r, 7), rows.OptText(r, 8)}});
  }
  return entries;
}

int64_t SharedLog::CatchUp() {
  int64_t applied = 0;
  for (;;) {
    int64_t head = replica_.LogHead();
    std::vector<Store::LoggedChange> entries = ReadAfter(head, kPage);
    if (entries.empty()) return applied;
    std::vector<Change> changes;
    changes.reserve(entries.size());
    for (auto& entry : entries) changes.push_back(std::move(entry.change));
    replica_.ApplyRemote(changes);
    if (replica_.LogHead() != entries.back().pos) {
      throw StorageError("this server's replica of the PostgreSQL log diverged at position " +
                         Num(head + 1) + ": restart fieldcrm-server to rebuild it");
    }
    applied += static_cast<int64_t>(entries.size());
  }
}

void SharedLog::Append(const std::function<void()>& work) {
  PgTransaction shared(conn_);
  conn_.Exec(kAppendLock);
  CatchUp();
  Transaction local = replica_.Transact();
  int64_t before = replica_.LogHead();
  work();
  bool appended = false;
  for (int64_t after = before;;) {
    std::vector<Store::LoggedChange> entries = replica_.ReadLog(after, kInsertRows);
    if (entries.empty()) break;
    std::string sql =
        "INSERT INTO fieldcrm_log(pos, device, seq, hlc, base, kind, record, field, value) VALUES";
    PgParams params;
    for (const auto& [pos, c] : entries) {
      size_t n = params.size();
      sql += (n ? ",(" : "(");
      for (size_t i = 1; i <= 9; ++i) sql += "$" + std::to_string(n + i) + (i < 9 ? "," : ")");
      params.insert(params.end(),
                    {Num(pos), c.device, Num(c.seq), Num(static_cast<int64_t>(c.hlc)),
                     Num(static_cast<int64_t>(c.base)), c.kind, c.record, c.field, c.value});
    }
    conn_.Exec(sql, params);
    appended = true;
    after = entries.back().pos;
  }
  // Delivered to the listeners (log_listener.h) once, and only if, the entries are committed.
  if (appended) conn_.Exec(std::string("NOTIFY ") + kLogChannel);
  shared.Commit();
  local.Commit();
}

void SharedLog::RewriteErased(int64_t through) {
  for (int64_t after = 0; after < through;) {
    std::vector<Store::LoggedChange> entries =
        replica_.ReadLog(after, std::min<int64_t>(kPage, through - after));
    if (entries.empty()) break;
    for (const auto& [pos, change] : entries) {
      if (change.value != kErasedValue) continue;
      conn_.Exec("UPDATE fieldcrm_log SET value = $2 WHERE pos = $1 AND value IS DISTINCT FROM $2",
                 {Num(pos), std::string(kErasedValue)});
    }
    after = entries.back().pos;
  }
}

const StoreHooks& ReplicaStoreHooks() {
  static const StoreHooks hooks = [] {
    StoreHooks copy = CustomerStoreHooks();
    copy.merge_duplicates = nullptr;
    return copy;
  }();
  return hooks;
}

}  // namespace fieldcrm::postgres
