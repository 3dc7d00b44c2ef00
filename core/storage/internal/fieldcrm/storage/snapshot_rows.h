// Reading a snapshot (fieldcrm/storage/snapshot.h) out of a store, on its own connection or on
// one that only reads: which log entries are their field's winner at a position, and the
// conflicts kept for a field. core/model's ForEachTeamWinner scopes them to a team.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/snapshot.h"
#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

// Whether `change`, logged at or before position `at`, is its field's winner among the log
// entries up to `at`: what field_state held when the log ended there. A later write of the field
// (after `at`) does not make it lose, so a snapshot at `at` can be read at any later time, as long
// as the log keeps its entries (the server never compacts its log).
bool WinsAt(Database& db, const Change& change, int64_t at);

// Whether db keeps any conflict.
bool AnyKeptConflict(Database& db);
// The conflicts kept for one field of one record.
std::vector<KeptConflict> KeptConflictsOf(Database& db, const std::string& record,
                                          const std::string& field);

}  // namespace fieldcrm
