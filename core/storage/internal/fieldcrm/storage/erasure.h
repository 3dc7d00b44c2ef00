// Erasure inside the merge (docs/privacy.md). A customer is erased when an erasure record hangs
// under it or under any customer of its alias group (the root and the customers merged into it).
// Everything of an erased group — the customers, the records hanging under them — keeps only
// its links and scope (StoreHooks::erasure_kept_fields); every other value, in the log and in
// field_state, becomes kErasedValue, and their kept conflicts are dropped. The merge runs this
// after every batch, for the records the batch touched, so a change about an erased customer that
// arrives late is erased on arrival, and an erasure arriving after the changes erases them: the
// result does not depend on the order, as the merge's does not.
#pragma once

#include <map>
#include <string>

#include "fieldcrm/storage/apply_stats.h"
#include "fieldcrm/storage/records.h"
#include "fieldcrm/storage/sqlite.h"
#include "fieldcrm/storage/store_hooks.h"

namespace fieldcrm {

// Erases what the store's erasures cover among the touched records (their whole groups), and
// rebuilds the rows and fact rows of the records it rewrote. In the caller's transaction.
ErasureStats ApplyErasures(Database& db, const StoreHooks& hooks,
                           const std::map<std::string, TouchedRecord>& touched);

// Whether the customer (any id of its group) has been erased.
bool IsErasedCustomer(Database& db, const std::string& customer);

}  // namespace fieldcrm
