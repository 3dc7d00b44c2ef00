// Live updates in the agent's app (private to tablet/): while the app runs and the store knows
// head office, a thread keeps sync::KeepInSync going, so that a colleague's change shows without
// a tap on 同步 Sync. Each sync is the sync button's (sync::SyncSession on the app's session),
// run holding the app's session lock for the sync only, never while the watch waits on the
// network. Offline it backs off and retries (KeepInSync). A set-up that changes head office's
// address or token reconnects; a failure no retry mends (a revoked token) waits for the next
// set-up, the sync button still working meanwhile; a wipe closes the store as the button's does.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fieldcrm/sync/session_sync.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::tablet {

struct AppState;

class LiveUpdates {
 public:
  explicit LiveUpdates(AppState& state) : state_(state) {}
  ~LiveUpdates();  // Stop()
  LiveUpdates(const LiveUpdates&) = delete;
  LiveUpdates& operator=(const LiveUpdates&) = delete;

  // Starts the thread; it waits while there is no store or no head office remembered on it.
  void Start();
  // Head office's settings or the store changed (the set-up): connect again. Never blocks, so
  // it may be called holding the app's session lock.
  void ServerChanged();
  // Cuts the waiting request and joins the thread. Call without the app's session lock (the
  // thread may be waiting for it).
  void Stop();

 private:
  void Run();
  // The server remembered on the app's store; nullopt without a store or a server.
  std::optional<sync::ServerSettings> Remembered();
  // Keeps the store in sync with the server until a stop or a change, or a failure no retry
  // mends (noted on the app's state).
  void Follow(const sync::ServerSettings& server);
  bool Interrupted();

  AppState& state_;
  std::mutex mutex_;  // guards what follows, never held with the app's session lock
  std::condition_variable wake_;
  bool stop_ = false;
  bool changed_ = false;
  bool finished_ = false;
  std::vector<sync::Transport*> open_;  // the transports in use: cancelled by a stop or change
  std::thread thread_;
};

}  // namespace fieldcrm::tablet
