// What the sync server keeps, behind a small interface: the shared change log (ordered by a
// server-wide position), tokens, and the acknowledgement of every push. SqliteServerStorage keeps
// it all in one core store file; a PostgreSQL backend for large customers implements the same.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/base/env.h"
#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/plugin_host/plugin_signature.h"
#include "fieldcrm/server/scope.h"
#include "fieldcrm/sync/net_policy.h"
#include "fieldcrm/sync/protocol.h"

namespace fieldcrm::sync {

struct TokenInfo {
  std::string id;  // short, public: the first hex digits of the token's hash
  std::string agent;
  std::string team;
  Role role = Role::kAgent;
  std::string created_at;
  std::string revoked_at;  // empty while valid
  bool wipe = false;       // revoked with an order to wipe the tablet at its next request
};

// A person who logs in to the dashboard with a name and a password (dashboard_users.h).
struct DashboardUser {
  std::string name;
  std::string team;  // a leader's team; empty for head office's people
  Role role = Role::kLeader;
  std::string created_at;
};

// A device that synced, for whom, and when (ISO times; empty: never).
struct DeviceStatus {
  std::string device;
  std::string agent;
  std::string team;
  std::string token;
  std::string last_push_at;
  std::string last_pull_at;
  int64_t pending = -1;  // own changes it had not sent yet at its last sync; -1: not reported
  std::string app_version;
  int64_t pulled_to = -1;  // the log head its last complete pull reached; -1: none yet
};

// A plugin release head office published, as the server keeps it.
struct StoredRelease {
  int64_t release = 0;    // its number, in publishing order
  PluginRelease plugin;   // what the signature vouches for
  std::string signature;  // the signature file's text (plugin_signature.h)
  bool current = false;   // what tablets are given now
  std::string current_since;
};

// Asked now and then during a long read: true once nobody waits for its answer (the client hung
// up), and the read stops with Cancelled rather than keep the store busy for no one.
using AbandonedCheck = std::function<bool()>;

class ServerStorage {
 public:
  virtual ~ServerStorage() = default;

  // This server's identity: clients restart their cursors when it changes.
  virtual std::string ServerId() = 0;
  // Where the server reads the time (its storage's stamps, its HTTP side and its sessions).
  virtual const Env& env() const = 0;

  virtual void AddToken(const TokenInfo& info, const std::string& hash) = 0;
  // The token with this hash, revoked or not. Looks it up by its public id (TokenIdOf) and
  // compares the full hash in constant time, so response times reveal nothing about stored hashes.
  virtual std::optional<TokenInfo> FindToken(const std::string& hash) = 0;
  virtual std::vector<TokenInfo> ListTokens() = 0;
  // Throws NotFound for an unknown or already revoked id. wipe: the device is told to delete its
  // store at its next request (410 wiped) instead of merely being refused.
  virtual void RevokeToken(const std::string& id, const std::string& at, bool wipe) = 0;

  // Adds the person user.name, or gives them a new password, team and role; password_hash as
  // HashPassword (password.h) makes it.
  virtual void PutUser(const DashboardUser& user, const std::string& password_hash) = 0;
  // The person and their password hash; nullopt for an unknown name.
  virtual std::optional<std::pair<DashboardUser, std::string>> FindUser(
      const std::string& name) = 0;
  virtual std::vector<DashboardUser> ListUsers() = 0;
  // Throws NotFound for an unknown name.
  virtual void RemoveUser(const std::string& name) = 0;

  // Applies the changes `who` may write, all in one transaction with the acknowledgement; a
  // batch seen before returns its stored acknowledgement and changes nothing.
  virtual PushAck Push(const Principal& who, const PushRequest& request) = 0;
  // Changes after request.after that `who` may see, except the requester's own.
  virtual PullPage Pull(const Principal& who, const PullRequest& request,
                        const AbandonedCheck& abandoned) = 0;
  // A page of the state `who` would have after pulling up to request.at (a new snapshot at the
  // log head when at is 0), for a tablet's bootstrap: read in one snapshot beside the writer,
  // like a pull page. Every later page of the same `at` describes the same state, however the log
  // moved meanwhile.
  virtual SnapshotPage Snapshot(const Principal& who, const SnapshotRequest& request,
                                const AbandonedCheck& abandoned) = 0;
  // For a watch (GET /v1/sync/watch): whether a pull by `who` for `device` after `after` would
  // return a change now, and the log head it looked up to. Records nothing (a watch is not a
  // sync: the device list keeps the device's last real pull).
  virtual WatchAnswer LookForChanges(const Principal& who, const WatchRequest& request,
                                     const AbandonedCheck& abandoned) = 0;
  // Keeps a signed release and makes it the plugin's current one. Throws InvalidInput when that
  // version of the plugin was published before with other bytes.
  virtual StoredRelease PublishRelease(const PluginRelease& plugin, const std::string& signature,
                                       const std::string& library) = 0;
  // Makes the newest release of that version the plugin's current one again; NotFound naming
  // the versions there are.
  virtual StoredRelease RollBackPlugin(const std::string& name, const std::string& version) = 0;
  // Every release, newest first.
  virtual std::vector<StoredRelease> ListReleases() = 0;
  // The current release of each plugin, by name.
  virtual std::vector<StoredRelease> CurrentReleases() = 0;
  // A release's library bytes; NotFound for an unknown release.
  virtual std::string ReleaseLibrary(int64_t release) = 0;

  // The dashboard's logged-in people (dashboard.cc), kept with the server's tables: every server
  // process behind a load balancer knows every session, and a restart keeps them. id_hash: the
  // SHA-256 of the session's cookie, which itself is kept nowhere. FindSession answers only
  // before expires_ms; PutSession also forgets the sessions expired by then.
  virtual void PutSession(const std::string& id_hash, const Principal& who, int64_t expires_ms,
                          int64_t now_ms) = 0;
  virtual std::optional<Principal> FindSession(const std::string& id_hash, int64_t now_ms) = 0;
  virtual void DropSession(const std::string& id_hash) = 0;

  // Every device that ever synced, most recently pulled first.
  virtual std::vector<DeviceStatus> ListDevices() = 0;
  // What /metrics shows of the store now (metrics.h).
  struct Gauges {
    int64_t log_head = 0;
    std::vector<DeviceStatus> devices;
    std::vector<PluginState> plugins;  // the plugins the reports use; empty when none are loaded
    // Pushes run so far, the transactions that committed them (fewer under group commit), and
    // pushes waiting for their turn now.
    int64_t pushes_run = 0, push_commits = 0, pushes_waiting = 0;
  };
  virtual Gauges ReadGauges() = 0;
  // Keeps a subscription going until it is destroyed.
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };
  // Calls moved, on a thread of the storage's, whenever another server process appended to the
  // log this one serves, for as long as the returned subscription lives; null where no other
  // process writes (one SQLite file, one process).
  virtual std::unique_ptr<Subscription> FollowOtherWriters(std::function<void()> moved);
  // Where failed authentications are counted (net_policy.h): in this process's memory, unless
  // several processes serve one database, where they share the count.
  virtual std::unique_ptr<AuthFailureLimiter> FailureLimiter(int limit, int64_t window_ms);
  // Head office's report `name` (reports/include/fieldcrm/reports/reports.h, plus "devices",
  // "reception" (reports/include/fieldcrm/reports/reception_report.h), and "customer" with an
  // "id" parameter) filtered by the query parameters. Throws NotFound or
  // InvalidInput.
  virtual nlohmann::json Report(const std::string& name,
                                const std::map<std::string, std::string>& params,
                                const AbandonedCheck& abandoned) = 0;
};

// Creates a token for info's agent, team and role (filling in id and created_at), stores its
// hash and returns the token text, which exists nowhere else.
std::string IssueToken(ServerStorage& storage, TokenInfo& info);
// A token's public id: the first 12 hex digits of its hash.
std::string TokenIdOf(const std::string& hash);

}  // namespace fieldcrm::sync
