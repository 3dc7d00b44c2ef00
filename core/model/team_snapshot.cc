#include "fieldcrm/model/team_snapshot.h"

#include "fieldcrm/storage/snapshot_rows.h"

namespace fieldcrm {

int64_t ForEachTeamWinner(Database& db, const TeamLogQuery& query,
                          const std::function<bool(int64_t pos, Change&& change,
                                                   std::vector<KeptConflict>&& conflicts)>& visit) {
  int64_t looked_at = query.after;
  int64_t count = 0;
  bool stopped = false;
  // Most stores keep no conflict at all: then no field needs looking up.
  bool any_conflict = AnyKeptConflict(db);
  ForEachTeamChange(db, query, [&](int64_t pos, Change&& change) {
    looked_at = pos;
    ++count;
    if (!WinsAt(db, change, query.up_to)) return true;
    std::vector<KeptConflict> conflicts;
    if (any_conflict) conflicts = KeptConflictsOf(db, change.record, change.field);
    stopped = !visit(pos, std::move(change), std::move(conflicts));
    return !stopped;
  });
  // Fewer entries than the limit, and visit never stopped: everything up to up_to was looked at.
  return stopped || count >= query.limit ? looked_at : query.up_to;
}

}  // namespace fieldcrm
