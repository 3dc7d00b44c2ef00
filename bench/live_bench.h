#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// Live updates (issue 16 item 4): tablet B keeps in sync with a real server as `fieldcrm sync
// --watch` does (sync::KeepInSync, on a thread of this process, its syncs over HTTP), while
// tablet A of the same team registers a customer and syncs, 20 x --runs times (scaled, at least
// 3 x) a pause apart.
// Propagation latency is the time from the start of A's sync to the end of the sync of B that
// received the customer: p50 and p99 (target: within 1 s, p50 well under).
void RunLiveBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
