// Live updates on a tablet (`fieldcrm sync --watch`, the tablet app): a sync now, then a long
// poll (GET /v1/sync/watch) that the server answers as soon as a colleague's change for this
// tablet arrives, and on that answer the normal sync (SyncSession: one merge path, the review
// policy, the store's sync lock held only while it runs). Survives what happens to a tablet
// online: a network drop, a server restart or a sleep is a failed request, retried after a
// backoff (1 s, doubling up to max_backoff_ms) with a full sync first; a server without the
// watch endpoint (404) or with too many watchers (503 busy) gets a sync every periodic_ms
// instead. A sync also runs every periodic_ms whatever the watch says, which sends what other
// programs wrote on this store meanwhile. A watch told the tablet was wiped (410) runs the sync,
// which wipes the store (SyncSession) and throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fieldcrm/application/session.h"
#include "fieldcrm/sync/session_sync.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::sync {

struct LiveSyncOptions {
  SyncOptions sync;                   // for each sync
  int64_t wait_ms = kDefaultWatchMs;  // how long the server holds each watch
  int64_t periodic_ms = 300'000;
  int64_t min_backoff_ms = 1'000;
  int64_t max_backoff_ms = 60'000;
  // Asked between steps and while waiting: true ends KeepInSync (a signal, the app closing).
  std::function<bool()> stopped;
  // After each sync, with its report (a summary line, the app's refresh).
  std::function<void(const SessionSyncReport&)> synced;
  // A line for people: a failure retried, a fallback to periodic sync.
  std::function<void(const std::string&)> note;
  // After a failure that is retried (the network, the server down or overloaded): why.
  std::function<void(const std::string&)> failed;
};

// Runs one step (a sync, reading where the watch starts) with the session. A session shared
// between threads (the tablet app's) is locked for the step only: never while a watch waits.
using WithSession = std::function<void(const std::function<void(Session&)>& step)>;

// Keeps the session's store in sync until options.stopped() says so. sync_transport carries the
// syncs; watch_transport the watches (its read timeout must exceed wait_ms); cancelling them
// (Transport::Cancel) after stopped() turned true ends a wait at once. Throws only what a retry
// cannot mend: a revoked or unknown token, a wiped tablet, a refusal of the request, what
// with_session throws.
void KeepInSync(const WithSession& with_session, Transport& sync_transport,
                Transport& watch_transport, const LiveSyncOptions& options);

}  // namespace fieldcrm::sync
