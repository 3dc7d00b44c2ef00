#include "fieldcrm/server/postgres_server_schema.h"

#include <iterator>
#include <string>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {
namespace {

// Each entry upgrades version i to i+1. Never edit a released step: append a new one. Step 1 is
// the SQLite store's server steps 1-8 at once. Tables that belong to a team carry it, so that a
// distributed engine can spread them by team (docs/postgresql.md).
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE sync_tokens(
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT '');
CREATE TABLE sync_acks(
  device TEXT NOT NULL,
  digest TEXT NOT NULL,
  ack TEXT NOT NULL,
  PRIMARY KEY(device, digest));
CREATE TABLE sync_devices(
  device TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  token TEXT NOT NULL,
  last_push_at TEXT,
  last_pull_at TEXT,
  pending BIGINT,
  app_version TEXT,
  pulled_to BIGINT);
CREATE TABLE sync_audit(
  device TEXT NOT NULL,
  seq BIGINT NOT NULL,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  token TEXT NOT NULL,
  accepted_at TEXT NOT NULL,
  PRIMARY KEY(device, seq));
CREATE TABLE sync_wipe_orders(
  token TEXT PRIMARY KEY REFERENCES sync_tokens(id),
  ordered_at TEXT NOT NULL);
CREATE TABLE dashboard_users(
  name TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE plugin_releases(
  release BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  kind TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  publisher TEXT NOT NULL,
  published_at TEXT NOT NULL,
  signature TEXT NOT NULL,
  library_base64 TEXT NOT NULL);
CREATE INDEX plugin_releases_by_name ON plugin_releases(name, version);
CREATE TABLE plugin_current(
  name TEXT PRIMARY KEY,
  release BIGINT NOT NULL REFERENCES plugin_releases(release),
  since TEXT NOT NULL);
CREATE TABLE sync_erasures(
  erasure TEXT PRIMARY KEY,
  customer TEXT NOT NULL,
  erased_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  erased_at TEXT NOT NULL,
  records BIGINT NOT NULL,
  log_entries BIGINT NOT NULL,
  conflicts BIGINT NOT NULL);
CREATE TABLE team_zones(
  team TEXT PRIMARY KEY,
  zone TEXT NOT NULL,
  set_at TEXT NOT NULL);
)sql",
    // 2: the dashboard's sessions (the SQLite store's step 9).
    R"sql(
CREATE TABLE dashboard_sessions(
  id_hash TEXT PRIMARY KEY,
  token_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  expires_ms BIGINT NOT NULL);
)sql",
    // 3: failed authentications per client address, counted by every process
    // (shared_auth_failures.h); a single SQLite server counts in memory.
    R"sql(
CREATE TABLE auth_failures(
  address TEXT PRIMARY KEY,
  window_start_ms BIGINT NOT NULL,
  failures INTEGER NOT NULL);
)sql",
};
constexpr int kVersion = static_cast<int>(std::size(kMigrations));
// Held while migrating, so that processes starting together migrate once ("fcrmsrv").
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7308898987533152886)";

}  // namespace

void MigratePostgresServerTables(postgres::PgConnection& conn) {
  postgres::PgTransaction txn(conn);
  conn.Exec(kMigrationLock);
  postgres::PgResult row = conn.Exec("SELECT value FROM fieldcrm_meta WHERE key = 'server_schema'");
  int version = row.rows() == 1 ? std::stoi(row.Text(0, 0)) : 0;
  if (version > kVersion) {
    throw StorageError(
        "the PostgreSQL database's server tables were written by a newer "
        "fieldcrm-server: upgrade fieldcrm-server to use it");
  }
  for (int v = version; v < kVersion; ++v) conn.Exec(kMigrations[v]);
  conn.Exec(
      "INSERT INTO fieldcrm_meta(key, value) VALUES('server_schema', $1) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      {std::to_string(kVersion)});
  txn.Commit();
}

}  // namespace fieldcrm::sync
