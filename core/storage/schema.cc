#include "fieldcrm/storage/schema.h"

#include <string>

#include "fieldcrm/base/error.h"
#include "fieldcrm/projections/facts.h"

namespace fieldcrm {
namespace {

// Each entry upgrades version i to i+1: its SQL, then (optionally) code that fills what the SQL
// created from the data already there. Never edit a released step: append a new one.
struct Migration {
  const char* sql;
  void (*fill)(Database&) = nullptr;
};

const Migration kMigrations[] = {
    // 1: the change log, per-field merged state and the materialised records.
    {R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- Every change this replica knows, in arrival order (pos). (device, seq) identifies a change
-- everywhere, which makes applying it twice a no-op.
CREATE TABLE log(
  pos INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hlc INTEGER NOT NULL,
  base INTEGER NOT NULL,
  kind TEXT NOT NULL,
  record TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT,
  UNIQUE(device, seq));
-- The winning write of every field: last writer by (hlc, device).
CREATE TABLE field_state(
  record TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT,
  hlc INTEGER NOT NULL,
  device TEXT NOT NULL,
  base INTEGER NOT NULL,
  PRIMARY KEY(record, field)) WITHOUT ROWID;
-- Derived from field_state for queries; rebuilt for every record a change touches.
CREATE TABLE records(
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  parent TEXT,
  root TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  phone TEXT,
  team TEXT,
  stage TEXT,
  updated_hlc INTEGER NOT NULL,
  doc TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX records_by_parent ON records(parent, kind) WHERE parent IS NOT NULL;
CREATE INDEX records_by_root ON records(root) WHERE root IS NOT NULL;
CREATE INDEX records_by_phone ON records(phone) WHERE phone IS NOT NULL;
CREATE INDEX records_by_kind ON records(kind, stage);
)sql"},
    // 2: same-field conflicts keep the losing write for review instead of dropping it.
    {R"sql(
CREATE TABLE conflicts(
  record TEXT NOT NULL,
  field TEXT NOT NULL,
  loser_hlc INTEGER NOT NULL,
  loser_device TEXT NOT NULL,
  loser_value TEXT,
  winner_hlc INTEGER NOT NULL,
  winner_device TEXT NOT NULL,
  winner_value TEXT,
  PRIMARY KEY(record, field, loser_hlc, loser_device)) WITHOUT ROWID;
)sql"},
    // 3: fact tables for reports and tier grading (core/facts.h), filled from the records.
    {R"sql(
CREATE TABLE customer_facts(
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  agent TEXT NOT NULL,
  project TEXT,
  stage TEXT NOT NULL,
  name TEXT,
  source TEXT,
  created_at TEXT,
  created_ms INTEGER,
  budget INTEGER NOT NULL) WITHOUT ROWID;
-- Times are kept as written (for display) and as unix ms (to compare); NULL when missing or
-- malformed. Columns a kind does not have stay NULL (or 0). Rows are clustered by kind, then
-- customer: a report reads one kind's rows, a customer's grading reads a few short ranges.
CREATE TABLE history_facts(
  kind TEXT NOT NULL,
  customer TEXT NOT NULL,
  id TEXT NOT NULL,
  parent TEXT NOT NULL,
  at TEXT,
  at_ms INTEGER,
  type TEXT,
  minutes INTEGER NOT NULL,
  due TEXT,
  due_ms INTEGER,
  done INTEGER NOT NULL,
  status TEXT,
  price INTEGER NOT NULL,
  reserved_at TEXT,
  signed_at TEXT,
  signed_ms INTEGER,
  referrer TEXT,
  referrer_root TEXT,
  points INTEGER NOT NULL,
  granted_ms INTEGER,
  survey TEXT,
  nps REAL,
  satisfaction REAL,
  PRIMARY KEY(kind, customer, id)) WITHOUT ROWID;
CREATE UNIQUE INDEX history_facts_by_id ON history_facts(id);
CREATE INDEX history_facts_by_parent ON history_facts(parent);
CREATE INDEX history_facts_by_referrer ON history_facts(referrer) WHERE referrer IS NOT NULL;
)sql",
     RebuildAllFacts},
    // 4: indexes for the tablet app's customer search (fieldcrm/projections/customer_search.h):
    // the last four digits of a phone, and names.
    {R"sql(
CREATE INDEX records_by_phone_tail ON records(substr(phone, -4)) WHERE kind = 'customer';
CREATE INDEX customer_facts_by_name ON customer_facts(name);
)sql"},
};
static_assert(std::size(kMigrations) == kSchemaVersion);

int PragmaInt(Database& db, const char* pragma) {
  return static_cast<int>(db.QueryInt(std::string("PRAGMA ") + pragma).value_or(0));
}

}  // namespace

int SchemaVersion(Database& db) {
  return PragmaInt(db, "user_version");
}

void MigrateSchema(Database& db, int target) {
  int app_id = 0;
  int tables = 0;
  try {
    app_id = PragmaInt(db, "application_id");
    tables = static_cast<int>(db.QueryInt("SELECT count(*) FROM sqlite_schema").value_or(0));
  } catch (const StorageError&) {
    // Only a file SQLite cannot read as a database is "not a store": a read-only or failing disk
    // keeps its own message.
    if ((sqlite3_extended_errcode(db.handle()) & 0xff) != SQLITE_NOTADB) throw;
    throw InvalidInput("'" + db.path() + "' is not a fieldcrm store (not an SQLite database)");
  }
  if (tables > 0 && app_id != kApplicationId) {
    throw InvalidInput("'" + db.path() +
                       "' is not a fieldcrm store (an SQLite file of another application)");
  }
  int version = SchemaVersion(db);
  if (version > kSchemaVersion) {
    throw StorageError("store '" + db.path() + "' has schema version " + std::to_string(version) +
                       " but this fieldcrm understands up to " + std::to_string(kSchemaVersion) +
                       ": upgrade fieldcrm to open it");
  }
  if (version >= target) return;
  Transaction txn(db);
  for (int v = version; v < target; ++v) {
    db.Exec(kMigrations[v].sql);
    if (kMigrations[v].fill) kMigrations[v].fill(db);
  }
  db.Exec("PRAGMA application_id = " + std::to_string(kApplicationId));
  db.Exec("PRAGMA user_version = " + std::to_string(target));
  txn.Commit();
}

}  // namespace fieldcrm
