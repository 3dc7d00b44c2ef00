// The store's schema and its migrations. PRAGMA application_id marks a file as a fieldcrm store;
// PRAGMA user_version holds the schema version, and older files are upgraded in place.
#pragma once

#include "fieldcrm/storage/sqlite.h"
#include "fieldcrm/storage/store_hooks.h"

namespace fieldcrm {

constexpr int kSchemaVersion = 8;
constexpr int kApplicationId = 0x4643524D;  // "FCRM"

// Checks the file is a fieldcrm store this build understands and upgrades it to kSchemaVersion
// (or to target, for tests of the migrations themselves). A fresh empty file is initialised.
// observer creates and fills the derived tables at their step (3); without one, a file that
// needs that step is refused.
void MigrateSchema(Database& db, int target = kSchemaVersion, RecordObserver* observer = nullptr);
int SchemaVersion(Database& db);

}  // namespace fieldcrm
