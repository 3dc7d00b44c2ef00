// The server's storage: a core store (the server is a replica like any tablet, its log position
// is the server-wide sequence) plus the server's own tables (server_tables.h). By default both
// live in one SQLite file. Given a postgresql:// URL instead, the log and the tables live in
// PostgreSQL, shared by every server process on it, and the store is this process's replica of
// that log in a temporary folder, deleted at exit (docs/postgresql.md); everything else runs the
// same code.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "fieldcrm/model/time_zone.h"
#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/projections/reporting.h"
#include "fieldcrm/server/group_commit.h"
#include "fieldcrm/server/reader_pool.h"
#include "fieldcrm/server/server_storage.h"
#include "fieldcrm/server/server_tables.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm::postgres {
class PgConnection;
class SharedLog;
}  // namespace fieldcrm::postgres

namespace fieldcrm::sync {

// The audit trail's agent for changes the server writes itself (merging customers that share a
// phone).
inline constexpr const char* kServerAuditAgent = "(server: same phone)";

class SqliteServerStorage : public ServerStorage {
 public:
  // Opens the server store at db, a file path (created when missing; a tablet's store is
  // refused) or a postgresql:// URL (its tables created when missing; the replica built from its
  // log). env must outlive the storage.
  explicit SqliteServerStorage(const std::string& db, const Env& env = Env::Default());
  ~SqliteServerStorage() override;

  std::string ServerId() override;
  const Env& env() const override { return store_->env(); }
  void AddToken(const TokenInfo& info, const std::string& hash) override;
  std::optional<TokenInfo> FindToken(const std::string& hash) override;
  std::vector<TokenInfo> ListTokens() override;
  void RevokeToken(const std::string& id, const std::string& at, bool wipe) override;
  void PutUser(const DashboardUser& user, const std::string& password_hash) override;
  std::optional<std::pair<DashboardUser, std::string>> FindUser(const std::string& name) override;
  std::vector<DashboardUser> ListUsers() override;
  void RemoveUser(const std::string& name) override;
  PushAck Push(const Principal& who, const PushRequest& request) override;
  PullPage Pull(const Principal& who, const PullRequest& request,
                const AbandonedCheck& abandoned) override;
  WatchAnswer LookForChanges(const Principal& who, const WatchRequest& request,
                             const AbandonedCheck& abandoned) override;
  SnapshotPage Snapshot(const Principal& who, const SnapshotRequest& request,
                        const AbandonedCheck& abandoned) override;
  void PutSession(const std::string& id_hash, const Principal& who, int64_t expires_ms,
                  int64_t now_ms) override;
  std::optional<Principal> FindSession(const std::string& id_hash, int64_t now_ms) override;
  void DropSession(const std::string& id_hash) override;
  std::vector<DeviceStatus> ListDevices() override;
  Gauges ReadGauges() override;
  // On PostgreSQL: a LogListener (log_listener.h) of its own.
  std::unique_ptr<Subscription> FollowOtherWriters(std::function<void()> moved) override;
  // On PostgreSQL: the count every process shares (shared_auth_failures.h).
  std::unique_ptr<AuthFailureLimiter> FailureLimiter(int limit, int64_t window_ms) override;
  StoredRelease PublishRelease(const PluginRelease& plugin, const std::string& signature,
                               const std::string& library) override;
  StoredRelease RollBackPlugin(const std::string& name, const std::string& version) override;
  std::vector<StoredRelease> ListReleases() override;
  std::vector<StoredRelease> CurrentReleases() override;
  std::string ReleaseLibrary(int64_t release) override;
  // The public key of head office's signing key (keys init); nothing before there is one.
  std::optional<std::string> SigningPublicKey();
  void SetSigningPublicKey(const std::string& public_hex);
  nlohmann::json Report(const std::string& name, const std::map<std::string, std::string>& params,
                        const AbandonedCheck& abandoned) override;
  // Team time zones (sqlite_team_zones.cc): head office sets a team's IANA zone; its reports'
  // dates, presets and times follow it. ZoneOf: the team's, or head office's (TimeZone::Default)
  // for no team or a team without one.
  void SetTeamZone(const std::string& team, const TimeZone& zone);
  std::map<std::string, std::string> TeamZones();
  TimeZone ZoneOf(const std::optional<std::string>& team);

  // Erases customers for good (docs/privacy.md), all in one transaction: an unknown id refuses
  // the whole list, nothing erased. Each erasure goes to the audit trail (sync_erasures: who,
  // when, which id, why and how much was rewritten; never the erased values) and, as a change of
  // the server's, to the tablets by sync. Then empties the WAL (Store::PurgeErasedBytes).
  struct ErasureEntry {
    std::string customer;  // the id erased: a customer's, or a record's under no customer
    std::string kind;      // "customer", or that record's kind ("reception": a walk-in)
    std::string erasure;   // the erasure record's id; empty when the customer was erased before
    std::string erased_by;
    std::string reason;
    std::string erased_at;
    ErasureStats removed;
  };
  struct ErasureReport {
    std::vector<ErasureEntry> erased;
    bool wal_emptied = false;  // false: a reader held the WAL; the bytes go at its next checkpoint
  };
  ErasureReport Erase(const std::vector<std::string>& customers, const std::string& reason,
                      const std::string& by);
  // The audit trail of erasures, oldest first.
  std::vector<ErasureEntry> ListErasures();
  // What erasing the person with this phone reaches (fieldcrm/model/erasure_targets.h): their
  // customer and the walk-ins logged under no customer. InvalidInput for no phone number.
  std::vector<std::string> ErasureTargetsByPhone(const std::string& phone);

  // On PostgreSQL: brings this process's replica up to the shared log; nothing on SQLite. What
  // reads the replica does so itself; serve calls it before listening, so that the first
  // requests do not wait for a replica built from nothing. Call without holding the storage.
  void CatchUp();
  // The store; on PostgreSQL, the replica as of the last CatchUp.
  Store& store() { return *store_; }
  // A customer's audit history (audit.h): each change of theirs, who sent it and when.
  nlohmann::json History(const std::string& customer);
  // How to load the plugins the reports use (the tiering plugin for tiers). load runs before the
  // first report and again whenever the current plugin releases changed (a publish or rollback
  // at head office), so the server grades with what tablets are given. The plugins are
  // configured from the store's synced plugin_config records at every report, so rules head
  // office changed apply from the next report on.
  void UsePlugins(std::function<std::unique_ptr<PluginHost>()> load);

 private:
  // record id -> field -> value of the batch being pushed, for records the server lacks yet.
  using BatchFields = std::map<std::string, std::map<std::string, std::optional<std::string>>>;
  RecordScope ScopeOf(const Change& change, const BatchFields& batch);
  RecordScope CustomerScope(const std::string& id, const BatchFields& batch);
  std::optional<std::string> IntegrityRefusal(const Change& change);
  // The agents holding a valid token of team (whom its leader may credit records to).
  std::set<std::string> TeamAgents(const std::string& team);
  // For a change of a record's author field: the agent the record is credited to on the server.
  std::optional<std::string> CreditedAgent(const Change& change);
  // Throws a 403 ProtocolError when device syncs with a token other than its own; tables: the
  // writer's or a pull's reader's.
  void CheckDeviceOwner(ServerTables& tables, const Principal& who, const std::string& device);
  // A query of the server's tables that never waits for the writer: on PostgreSQL's reader
  // connection, or on a SQLite reader's snapshot (what the last commit left).
  template <typename... Args>
  TableRows QueryOnReader(std::string_view sql, const Args&... args);
  // CatchUp for a caller holding mutex_.
  void CatchUpLocked();
  // CatchUp, unless a push holds mutex_ (and is catching the replica up itself).
  void CatchUpUnlessWriting();
  // One push's work inside the group's transaction (Push): checks, refusals, the merge, the
  // audit trail, the stored ack. Sets erased_on_arrival when it erased late changes.
  PushAck ApplyPush(const Principal& who, const PushRequest& request, const std::string& digest,
                    bool& erased_on_arrival);
  // CheckDeviceOwner for a read on a reader's connection (its tables, or the writer's copy of
  // them on PostgreSQL).
  void CheckDeviceOwnerOnReader(Database& reader, const Principal& who, const std::string& device);
  // A pull's page, read on a reader's snapshot: Pull without the device row.
  PullPage ReadPage(const Principal& who, const PullRequest& request,
                    const AbandonedCheck& abandoned);
  std::vector<DeviceStatus> ReadDevices();  // ListDevices without the lock
  std::vector<StoredRelease> ReadReleases(const std::string& where);  // under the lock
  // Makes release the plugin's current one since `since` (under the lock).
  void MakeCurrent(const std::string& name, int64_t release, const std::string& since);
  // What changes when a release is published or rolled back.
  std::string CurrentReleasesStamp();
  // Records the time in column; bind makes who's token the device's own.
  void NoteDevice(const Principal& who, const std::string& device, const char* column, bool bind);
  // Credits the log entries after position log_before to who, at the server's time.
  void RecordAudit(const Principal& who, int64_t log_before);

  // Loads the plugins again when head office published or rolled one back; under reports_mutex_.
  void ReloadPublishedPlugins();
  // The connection reports read from, opened on first use.
  ReportingConnection& Reporting();

  // On PostgreSQL: the writer's connection (under mutex_), a connection for pulls' checks (under
  // reader_tables_mutex_), the shared log, and the replica's folder.
  std::unique_ptr<postgres::PgConnection> pg_, pg_reader_;
  std::unique_ptr<postgres::SharedLog> shared_log_;
  std::string replica_folder_;
  std::string pg_url_;
  std::mutex reader_tables_mutex_;
  std::unique_ptr<ServerTables> reader_tables_;  // null on SQLite: a pull's reader has the tables

  std::unique_ptr<Store> store_;
  std::string server_id_;
  std::mutex mutex_;                      // the writer's connections, used by one request at a time
  std::unique_ptr<ServerTables> tables_;  // the writer's
  std::unique_ptr<ReaderPool> readers_;   // pulls read on these
  std::unique_ptr<GroupCommit> pushes_;   // SQLite's pushes commit through it, several at once
  std::atomic<int64_t> shared_pushes_ = 0;  // PostgreSQL's, each its own commit (for metrics)
  std::unique_ptr<PluginHost> plugins_;     // null: none loaded; used under reports_mutex_
  std::function<std::unique_ptr<PluginHost>()> load_plugins_;  // under reports_mutex_
  std::string plugins_stamp_;  // CurrentReleasesStamp() when plugins_ were loaded
  // Reports read their own snapshot on a second connection, so a minute-long report never makes
  // a tablet's push or pull wait (nor the other way round); one report at a time.
  std::unique_ptr<ReportingConnection> reporting_;
  std::mutex reports_mutex_;
};

}  // namespace fieldcrm::sync
