// The tablet side of sync: push this device's own changes after the last acknowledged one, then
// pull the server's after the tablet's cursor, until both are up to date. Every cursor moves in
// the same transaction as the data it covers, so a sync cut off anywhere (network, kill -9) is
// resumed by running it again: nothing is lost and nothing applied twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/sync/progress.h"
#include "fieldcrm/sync/protocol.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::sync {

// Meta keys of the tablet's store.
inline constexpr const char* kPushCursorKey = "sync.push_pos";  // local log position
inline constexpr const char* kPullCursorKey = "sync.pull_pos";  // server log position
// This device's own sequence number covered by the push cursor, moved with it: own changes are
// numbered without gaps, so what is left to push is a subtraction, not a count of the log.
inline constexpr const char* kPushedSeqKey = "sync.push_seq";
// An unfinished snapshot bootstrap: "AT NEXT", the snapshot's server position and where its next
// page starts, kept with the rows each page installs; the next sync resumes from it.
inline constexpr const char* kSnapshotKey = "sync.snapshot";
inline constexpr const char* kServerIdKey = "sync.server_id";
inline constexpr const char* kLastSyncKey = "sync.last_sync_at";
inline constexpr const char* kClockSkewKey = "sync.clock_skew_ms";
// What the client reports as its app version to head office's device list.
inline constexpr const char* kClientVersion = "fieldcrm 0.1.0";

struct SyncOptions {
  int64_t batch = 5000;  // changes per push batch and per pull page
  bool full = false;     // send and fetch everything again (idempotent; fills any gap)
  // A first sync (or a full one) installs the team's state at the server's head (POST
  // /v1/sync/snapshot) rather than replaying the history; false replays it (sync --replay).
  bool snapshot = true;
  std::function<int64_t()> wall;  // this tablet's clock; unset: the store's Env
  // After each batch sent, each page received, and at the end (done or failed).
  std::function<void(const SyncProgress&)> progress;
};

struct SyncReport {
  int64_t sent = 0;            // own changes the server acknowledged
  int64_t received = 0;        // changes new to this tablet
  int64_t conflicts = 0;       // same-field conflicts newly kept for review on this tablet
  int64_t merged = 0;          // duplicate customers merged (here or on the server)
  int64_t erased = 0;          // erasures of customers head office ordered, applied here
  int64_t erased_records = 0;  // records of erased customers rewritten here (docs/privacy.md)
  std::vector<Refusal> refused;
  int64_t clock_skew_ms = 0;  // this tablet's clock minus the server's
  int64_t restamped = 0;      // own unsent changes stamped again (they were too far ahead)
  std::string push_error;     // why pushing stopped early (the pull still ran); empty if it did not
  int64_t snapshot_at = 0;    // the server position of the snapshot this sync installed; 0: none
  // Why a first sync replayed the history instead (a server without snapshots); empty if not.
  std::string snapshot_fallback;
};

// This device's last sequence number the server acknowledged (own changes are numbered without
// gaps and pushed in order). A store whose pushes predate kPushedSeqKey counts its unsent changes
// once, until its next push.
int64_t PushedSeq(Store& store);
// Pending = own changes not yet acknowledged by the server. Costs two index lookups whatever
// the store's size.
int64_t PendingChanges(Store& store);

// What to wait for: a change this tablet would pull after its pull cursor (reads the store).
WatchRequest NextWatch(Store& store, int64_t wait_ms);
// Waits (GET /v1/sync/watch) until the server holds such a change, or about request.wait_ms
// passed; returns whether it does. Touches no store, so a caller sharing the store between
// threads need not hold it meanwhile. Throws as SyncClient::Run does (404 from a server without
// live updates).
WatchAnswer Watch(Transport& transport, const WatchRequest& request);

class SyncClient {
 public:
  SyncClient(Store& store, Transport& transport, SyncOptions options = {});
  // Throws ProtocolError for a refusal by the server, NetworkError when it cannot be reached.
  // Run again on the same client (a second round), its progress adds to the first's.
  SyncReport Run();
  const SyncProgress& progress() const { return progress_; }

 private:
  // A push batch read from the log and encoded, ready to send.
  struct PendingBatch {
    std::vector<Store::LoggedChange> entries;
    nlohmann::json body;
  };
  nlohmann::json Call(const std::string& path, const nlohmann::json* body);
  // Run's rounds of push and pull; Run keeps the outcome with the progress.
  SyncReport Exchange();
  void CheckServer();
  bool Push(SyncReport& report);
  void Pull(SyncReport& report);
  // A first sync's snapshot (options_.snapshot): installs the team's state page by page and,
  // with its last page, sets the pull cursor to the snapshot's position. An interrupted one
  // resumes where kSnapshotKey says. A server without the endpoint leaves the cursor at 0, and
  // the pull replays the history (report.snapshot_fallback says so).
  void Bootstrap(SyncReport& report);
  int64_t Cursor(const char* key);
  int64_t Wall() const;
  // Stamps with the server's time as its latest answer gave it, and stamps again the unsent
  // changes beyond its bound; returns how many.
  int64_t CorrectClock(SyncReport& report);
  // Progress: a direction begins; the figures are brought up to date and kept on the store (in
  // the caller's transaction, with the cursor it moves); handed to options_.progress.
  void BeginDirection(const char* direction, int64_t from);
  void SaveProgress();
  void ShowProgress();
  void NoteFailure(const std::string& why);

  Store& store_;
  Transport& transport_;
  SyncOptions options_;
  int64_t max_clock_ahead_ms_ = 0;
  // The server's time in its latest answer, and this tablet's when it came (answers may arrive
  // on the thread that fetches the next page).
  std::mutex server_time_mutex_;
  int64_t server_time_ms_ = 0;
  int64_t server_time_seen_at_ms_ = 0;
  SyncProgress progress_;
  // Bodies carried so far (answers may arrive on the thread that fetches the next page).
  std::atomic<int64_t> bytes_sent_ = 0;
  std::atomic<int64_t> bytes_received_ = 0;
};

}  // namespace fieldcrm::sync
