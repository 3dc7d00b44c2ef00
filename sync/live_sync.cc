#include "fieldcrm/sync/live_sync.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "fieldcrm/sync/client.h"
#include "fieldcrm/sync/sync_lock.h"

namespace fieldcrm::sync {

namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Whether a retry later can mend the failure: the network, the server (restarting, overloaded,
// failing), or another sync of this store running just now.
bool Transient(const Error& e) {
  if (dynamic_cast<const NetworkError*>(&e)) return true;
  if (e.code() == kSyncInProgress) return true;
  auto* refusal = dynamic_cast<const ProtocolError*>(&e);
  return refusal && (refusal->status() >= 500 || refusal->status() == 429);
}

}  // namespace

void KeepInSync(const WithSession& with_session, Transport& sync_transport,
                Transport& watch_transport, const LiveSyncOptions& options) {
  auto stopped = [&] { return options.stopped && options.stopped(); };
  auto note = [&](const std::string& line) {
    if (options.note) options.note(line);
  };
  // Sleeps up to ms, a slice at a time, so that a stop is noticed within 100 ms.
  auto pause = [&](int64_t ms) {
    for (int64_t until = SteadyMillis() + ms; !stopped() && SteadyMillis() < until;) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::clamp<int64_t>(until - SteadyMillis(), 1, 100)));
    }
  };
  bool due = true;       // sync before the next watch
  bool watching = true;  // false: the server offers no watch now; sync periodically
  int64_t last_sync = 0;
  int64_t backoff = 0;
  while (!stopped()) {
    std::string failure;
    try {
      if (due || SteadyMillis() - last_sync >= options.periodic_ms) {
        SessionSyncReport report;
        with_session(
            [&](Session& session) { report = SyncSession(session, sync_transport, options.sync); });
        last_sync = SteadyMillis();
        due = false;
        backoff = 0;
        if (options.synced) options.synced(report);
      }
      if (!watching) {
        pause(last_sync + options.periodic_ms - SteadyMillis());
        due = watching = true;  // and ask again: the server may have been upgraded or freed up
        continue;
      }
      try {
        WatchRequest next;
        with_session([&](Session& session) { next = NextWatch(session.store(), options.wait_ms); });
        due = Watch(watch_transport, next).changed;
        backoff = 0;
        continue;
      } catch (const ProtocolError& e) {
        if (e.code() == "wiped") {  // the sync carries out head office's order, then throws
          due = true;
          continue;
        }
        if (e.status() != 404 && e.code() != "busy") throw;
        note("live updates unavailable (" + std::string(e.what()) + "): syncing every " +
             std::to_string(options.periodic_ms / 1000) + " s");
        watching = false;
        continue;
      }
    } catch (const Error& e) {
      if (stopped()) return;  // a request cut by the stop
      if (!Transient(e)) throw;
      failure = e.what();
      if (options.failed) options.failed(failure);
    }
    backoff = std::clamp(backoff * 2, options.min_backoff_ms, options.max_backoff_ms);
    note(failure + ": trying again in " + std::to_string(backoff / 1000) + " s");
    due = true;
    pause(backoff);
  }
}

}  // namespace fieldcrm::sync
