// One sync per store at a time. Two syncs of one store (two `fieldcrm sync` processes, or the CLI
// beside the tablet app) would both push the same unacknowledged changes, and the slower one
// would move the push cursor back over the other's progress. A sync therefore holds an OS file
// lock (flock) on a file beside the store, `STORE.sync-lock`, for as long as it runs; the
// kernel releases it when the process ends, however it ends (kill -9 included), so a crashed
// sync never blocks the next one.
#pragma once

#include <string>

namespace fieldcrm::sync {

// The error code of a sync refused because another holds the store: HTTP 409 in the tablet app.
inline constexpr const char* kSyncInProgress = "sync_in_progress";

class SyncLock {
 public:
  // Takes the lock of the store at db_path without waiting. Throws Error(kSyncInProgress) when
  // another sync holds it (naming its process id), StorageError when the lock file can be
  // neither created nor opened.
  explicit SyncLock(const std::string& db_path);
  ~SyncLock();
  SyncLock(const SyncLock&) = delete;
  SyncLock& operator=(const SyncLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace fieldcrm::sync
