// The wire format of sync, protocol version 1 (docs/sync-protocol.md): what each request and
// response carries, how it is checked, and how errors are reported.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/snapshot.h"

namespace fieldcrm::sync {

constexpr int kProtocolVersion = 1;
constexpr int kMinProtocolVersion = 1;  // older clients are told to upgrade
constexpr const char* kHealthPath = "/v1/health";
constexpr const char* kPushPath = "/v1/sync/push";
constexpr const char* kPullPath = "/v1/sync/pull";
// Snapshot bootstrap: a new tablet's team state at one log position, in pages.
constexpr const char* kSnapshotPath = "/v1/sync/snapshot";
// Live updates: a long poll answered as soon as the log holds a change for the requester.
constexpr const char* kWatchPath = "/v1/sync/watch";
// Head office's current plugin releases (signature files), and one release's library.
constexpr const char* kPluginsPath = "/v1/plugins";
constexpr const char* kPluginLibraryPath = "/v1/plugins/library";
// Every answer carries the server's clock (unix ms) in this header, errors included, so a tablet
// corrects its stamps from whichever answer it got last (docs/sync-protocol.md, "Clock skew").
constexpr const char* kServerTimeHeader = "X-Fieldcrm-Time";
// Upper bounds: a client asks for batches of at most kMaxBatch changes (a push may run past it to
// keep one record's write together, up to kMaxPushChanges); the server enforces both.
constexpr int64_t kMaxBatch = 5000;
constexpr int64_t kMaxPushChanges = 10000;
constexpr int64_t kPullPageBytes = 4 << 20;

// A failure with an HTTP status, a stable code for programs and a message for people.
class ProtocolError : public Error {
 public:
  ProtocolError(int status, std::string code, const std::string& message)
      : Error(std::move(code), message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// The 413's code for a gzip body that inflates too many times its size: the client sends it again
// uncompressed.
inline constexpr const char* kInflatesTooFar = "inflates_too_far";

// {"error": {"code": ..., "message": ...}}
nlohmann::json ErrorBody(const std::string& code, const std::string& message);

// Parses a request body; malformed JSON or a non-object is a 400 bad_request.
nlohmann::json ParseBody(const std::string& body);
// Checks the request's "protocol" member: missing or newer than ours is a 400, older than we
// still speak is a 426 telling the client to upgrade.
void CheckProtocol(const nlohmann::json& request);

struct PushRequest {
  std::string device;  // every change must be this device's own
  std::vector<Change> changes;
};
nlohmann::json ToJson(const PushRequest& request);
PushRequest ParsePushRequest(const nlohmann::json& request);
// ToJson(request).dump(), written directly (the server digests every push to recognise a replay).
std::string PushRequestBody(const PushRequest& request);

// A change the server would not apply, and why. The client reports it and does not resend it.
struct Refusal {
  int64_t seq = 0;
  std::string record;
  std::string field;
  std::string reason;
};

// What the server answers to a push, stored and returned again when the same batch is replayed.
struct PushAck {
  int64_t last_seq = 0;  // the batch's highest seq: the server holds everything up to it
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t conflicts = 0;
  int64_t merged = 0;  // customers the server merged because they share a phone
  std::vector<Refusal> refused;
};
nlohmann::json ToJson(const PushAck& ack);
PushAck ParsePushAck(const nlohmann::json& response);

struct PullRequest {
  std::string device;  // the requester's own changes are left out: it has them
  int64_t after = 0;   // server log position already received
  int64_t limit = 1000;
  // Optional, for head office's device list (older clients send neither): the requester's own
  // changes not yet acknowledged, and its program version.
  std::optional<int64_t> pending;
  std::string app_version;
};
nlohmann::json ToJson(const PullRequest& request);
PullRequest ParsePullRequest(const nlohmann::json& request);

struct PullPage {
  std::vector<Change> changes;
  int64_t next = 0;  // the cursor to ask from next time
  int64_t head = 0;  // the server's latest position when the page was read
  bool more = false;
};
nlohmann::json ToJson(const PullPage& page);
// ToJson(page).dump(), written directly: a page is the largest answer the server sends.
std::string PullPageBody(const PullPage& page);
PullPage ParsePullPage(const nlohmann::json& response);

// POST /v1/sync/snapshot (docs/sync-protocol.md, "Snapshot bootstrap"): the state a team's
// pulls up to position `at` would leave on a new tablet, in pages read like pull pages.
struct SnapshotRequest {
  std::string device;  // the requester's own changes are left out, as in a pull
  int64_t at = 0;      // the snapshot's position; 0: a new snapshot at the server's head
  int64_t after = 0;   // the page starts after this log position (0: the first page)
  int64_t limit = 1000;
};
nlohmann::json ToJson(const SnapshotRequest& request);
SnapshotRequest ParseSnapshotRequest(const nlohmann::json& request);

struct SnapshotPage {
  int64_t at = 0;  // the snapshot's position: the pull cursor once the last page is installed
  std::vector<Change> changes;  // the winners at `at` among the entries looked at, in log order
  std::vector<KeptConflict> conflicts;  // the conflicts kept for their fields
  int64_t next = 0;                     // where the next page starts
  bool more = false;
};
// The answer's body, written directly like PullPageBody.
std::string SnapshotPageBody(const SnapshotPage& page);
SnapshotPage ParseSnapshotPage(const nlohmann::json& response);

// GET /v1/sync/watch?protocol=1&device=D&after=N&wait_ms=W (docs/sync-protocol.md, "Live
// updates"): answered as soon as the log holds a change after `after` that a pull by this token
// and device would return, or after wait_ms with nothing new.
constexpr int64_t kDefaultWatchMs = 25'000;
constexpr int64_t kMaxWatchMs = 60'000;
struct WatchRequest {
  std::string device;
  int64_t after = 0;  // the tablet's pull cursor
  int64_t wait_ms = kDefaultWatchMs;
};
// wait_ms is optional (default kDefaultWatchMs) and capped at kMaxWatchMs.
WatchRequest ParseWatchRequest(const nlohmann::json& request);
// The query string of the request, path included.
std::string WatchPath(const WatchRequest& request);

struct WatchAnswer {
  bool changed = false;  // a pull would now return something
  int64_t head = 0;      // the log head the server looked up to
};
nlohmann::json ToJson(const WatchAnswer& answer);
WatchAnswer ParseWatchAnswer(const nlohmann::json& response);

}  // namespace fieldcrm::sync
