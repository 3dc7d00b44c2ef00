#include "fieldcrm/storage/schema.h"

#include <string>

#include "fieldcrm/base/error.h"

namespace fieldcrm {
namespace {

// Each entry upgrades version i to i+1: its SQL, or the SQL of the tables the record observer
// derives from the records (which it then fills from the records already there). Never edit a
// released step: append a new one.
struct Migration {
  const char* sql;
  bool derived_tables = false;
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
    // 3: the tables derived from the records (the fact tables): the observer's schema, filled
    // from the records by the observer.
    {nullptr, true},
    // 4: the log by record (a customer's history) and by field and time (stage moves in
    // reports). Server stores made these in their own schema step 2 before core owned them,
    // hence IF NOT EXISTS.
    {R"sql(
CREATE INDEX IF NOT EXISTS log_by_record ON log(record);
CREATE INDEX IF NOT EXISTS log_by_field ON log(field, hlc);
)sql"},
    // 5: indexes for the tablet app's customer search (fieldcrm/projections/customer_search.h):
    // the last four digits of a phone, and names.
    {R"sql(
CREATE INDEX records_by_phone_tail ON records(substr(phone, -4)) WHERE kind = 'customer';
CREATE INDEX customer_facts_by_name ON customer_facts(name);
)sql"},
    // 6: step 4's log indexes cost every tablet two more index entries per change (a quarter of
    // its merge rate) for queries only head office runs over a whole history; a store that
    // answers them asks for them (Store::IndexHistory).
    {R"sql(
DROP INDEX IF EXISTS log_by_record;
DROP INDEX IF EXISTS log_by_field;
)sql"},
    // 7: how many tags each customer has, beside its other facts (the observer writes it from
    // the customer's `tags`), so that a report of tag coverage reads no JSON document.
    {R"sql(
ALTER TABLE customer_facts ADD COLUMN tags INTEGER NOT NULL DEFAULT 0;
UPDATE customer_facts SET tags = COALESCE(
  (SELECT json_array_length(r.doc, '$.tags') FROM records r WHERE r.id = customer_facts.id), 0);
)sql"},
    // 8: each customer's latest interaction (unix ms, NULL for none), kept by the observer with
    // every write of the customer or of an interaction, so that the churn report reads one row
    // per customer instead of seeking its interactions.
    {R"sql(
ALTER TABLE customer_facts ADD COLUMN last_interaction_ms INTEGER;
UPDATE customer_facts SET last_interaction_ms = (SELECT max(h.at_ms) FROM history_facts h
  WHERE h.kind = 'interaction' AND h.customer = customer_facts.id);
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

void MigrateSchema(Database& db, int target, RecordObserver* observer) {
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
  // The derived tables are filled once every step has run: the observer writes them as the
  // latest step leaves them (later steps add columns to them).
  bool fill_derived = false;
  for (int v = version; v < target; ++v) {
    if (!kMigrations[v].derived_tables) {
      db.Exec(kMigrations[v].sql);
    } else if (observer) {
      db.Exec(observer->SchemaSql());
      fill_derived = true;
    } else {
      throw StorageError("store '" + db.path() + "' needs schema step " + std::to_string(v + 1) +
                         ", which only a program with the customer model can run");
    }
  }
  if (fill_derived) observer->RebuildAll(db);
  db.Exec("PRAGMA application_id = " + std::to_string(kApplicationId));
  db.Exec("PRAGMA user_version = " + std::to_string(target));
  txn.Commit();
}

}  // namespace fieldcrm
