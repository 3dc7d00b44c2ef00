// A head-office store at scale for the dashboard: `count` customers spread over `agents` agents
// in `teams` teams (agent k in team k % teams), registered over the last year, each visited in
// the last 90 days, half followed up, a quarter with a task, a tenth with a deal (a twentieth
// signed). Used by the dashboard benchmark and by `dashboard_seed --bulk`.
#pragma once

#include <cstdint>

#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::bench {

void FillDashboardStore(sync::SqliteServerStorage& storage, int64_t count, int64_t teams,
                        int64_t agents);

}  // namespace fieldcrm::bench
