// What a team sees of a store at one log position, as a snapshot (fieldcrm/storage/snapshot.h)
// for a new tablet: the entries a team's pulls up to that position would carry (ForEachTeamChange,
// the same scope), less those a later one of them replaced, with the conflicts kept for their
// fields. Read on the store's connection or one that only reads, like a pull page.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "fieldcrm/model/team_scope.h"
#include "fieldcrm/storage/snapshot.h"

namespace fieldcrm {

// Looks at the entries ForEachTeamChange selects for query (at most query.limit of them, up to
// position query.up_to: the snapshot's) in log order, and calls visit(pos, change, conflicts)
// for each one that is its field's winner at query.up_to, until visit returns false. Returns
// where the next page of the snapshot starts: the last position looked at, or query.up_to once
// everything up to it was looked at.
int64_t ForEachTeamWinner(Database& db, const TeamLogQuery& query,
                          const std::function<bool(int64_t pos, Change&& change,
                                                   std::vector<KeptConflict>&& conflicts)>& visit);

}  // namespace fieldcrm
