// Core's own way into a store's connection and hooks: the subsystems of core (model,
// projections, plugin host) run their SQL on the store's tables through it. Internal to core:
// layers above use Store's operations, the reporting contract or Store::OwnTablesConnection.
#pragma once

#include <span>

#include "fieldcrm/storage/sqlite.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

Database& StoreDatabase(Store& store);

// The merge function (merge.h) on a store's connection with the store's hooks, in the caller's
// transaction.
ApplyStats ApplyChanges(Store& store, std::span<const Change> changes);

}  // namespace fieldcrm
