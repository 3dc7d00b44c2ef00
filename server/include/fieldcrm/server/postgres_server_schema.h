// The server's own tables in PostgreSQL (docs/postgresql.md): the same tables as the SQLite
// store's server steps (sqlite_server_storage.cc) in PostgreSQL's types, versioned by
// fieldcrm_meta's 'server_schema'. Append-only, like every schema here.
#pragma once

#include "fieldcrm/postgres/pg_connection.h"

namespace fieldcrm::sync {

// Creates or upgrades them (after SharedLog::Migrate); refuses a database a newer
// fieldcrm-server wrote.
void MigratePostgresServerTables(postgres::PgConnection& conn);

}  // namespace fieldcrm::sync
