#include "fieldcrm/server/sqlite_server_storage.h"

#include <openssl/crypto.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/model/team_scope.h"
#include "fieldcrm/model/team_snapshot.h"
#include "fieldcrm/postgres/log_listener.h"
#include "fieldcrm/postgres/pg_connection.h"
#include "fieldcrm/postgres/shared_log.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/server/audit.h"
#include "fieldcrm/server/authorship.h"
#include "fieldcrm/server/postgres_server_schema.h"
#include "fieldcrm/server/shared_auth_failures.h"
#include "fieldcrm/server/token.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

// Server-only tables, versioned by the meta key below (the core schema's migrations stay core's).
// Each entry upgrades version i to i+1. Never edit a released step: append a new one.
constexpr const char* kServerMigrations[] = {
    // 1: tokens, push acknowledgements, devices.
    R"sql(
CREATE TABLE IF NOT EXISTS sync_tokens(
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT '') WITHOUT ROWID;
-- The acknowledgement of every push, so that a replayed batch gets the same answer.
CREATE TABLE IF NOT EXISTS sync_acks(
  device TEXT NOT NULL,
  digest TEXT NOT NULL,
  ack TEXT NOT NULL,
  PRIMARY KEY(device, digest)) WITHOUT ROWID;
-- Which devices sync, for whom, and when they last did. A device's changes are accepted only with
-- the token it first pushed with (until that token is revoked), so nobody can push changes under
-- another tablet's device id and make that tablet's own later changes look forged.
CREATE TABLE IF NOT EXISTS sync_devices(
  device TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  token TEXT NOT NULL,
  last_push_at TEXT,
  last_pull_at TEXT) WITHOUT ROWID;
)sql",
    // 2: the audit trail (who sent each accepted change, and when the server took it; only ever
    // inserted into) and what each tablet last reported about itself. (This step also indexed
    // core's log by record and by field; core's schema step 4 now does, on every store.)
    R"sql(
CREATE TABLE sync_audit(
  device TEXT NOT NULL,
  seq INTEGER NOT NULL,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  token TEXT NOT NULL,
  accepted_at TEXT NOT NULL,
  PRIMARY KEY(device, seq)) WITHOUT ROWID;
ALTER TABLE sync_devices ADD COLUMN pending INTEGER;
ALTER TABLE sync_devices ADD COLUMN app_version TEXT;
)sql",
    // 3: revoked tokens whose tablets are to delete their stores at their next request (lost
    // tablets).
    R"sql(
CREATE TABLE IF NOT EXISTS sync_wipe_orders(
  token TEXT PRIMARY KEY REFERENCES sync_tokens(id),
  ordered_at TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 4: the dashboard's people (team leaders, head office), who log in with a name and a
    // password; only its scrypt hash is kept (fieldcrm/server/password.h).
    R"sql(
CREATE TABLE dashboard_users(
  name TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 5: plugin releases head office published (signed; docs/plugins.md, "Signed plugins"), and
    // which release of each plugin tablets are given now (publish and rollback set it).
    R"sql(
CREATE TABLE plugin_releases(
  release INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  kind TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  publisher TEXT NOT NULL,
  published_at TEXT NOT NULL,
  signature TEXT NOT NULL,
  library_base64 TEXT NOT NULL);
CREATE INDEX plugin_releases_by_name ON plugin_releases(name, version);
CREATE TABLE plugin_current(
  name TEXT PRIMARY KEY,
  release INTEGER NOT NULL REFERENCES plugin_releases(release),
  since TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 6: the erasures head office ordered (docs/privacy.md): who, when, which customer, why and
    // how much was rewritten, never the erased values. Only ever inserted into.
    R"sql(
CREATE TABLE sync_erasures(
  erasure TEXT PRIMARY KEY,
  customer TEXT NOT NULL,
  erased_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  erased_at TEXT NOT NULL,
  records INTEGER NOT NULL,
  log_entries INTEGER NOT NULL,
  conflicts INTEGER NOT NULL) WITHOUT ROWID;
)sql",
    // 7: each team's time zone (fieldcrm-server teams zone): its dashboard's days and times. A
    // team without a row has head office's (the server's TZ, else Asia/Shanghai).
    R"sql(
CREATE TABLE team_zones(
  team TEXT PRIMARY KEY,
  zone TEXT NOT NULL,
  set_at TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 8: the log position each device's last complete pull reached, for how far behind it is
    // (metrics, the devices page); NULL until it completes a pull.
    R"sql(
ALTER TABLE sync_devices ADD COLUMN pulled_to INTEGER;
)sql",
    // 9: the dashboard's sessions (ServerStorage::PutSession), by the hash of their cookie.
    R"sql(
CREATE TABLE dashboard_sessions(
  id_hash TEXT PRIMARY KEY,
  token_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  expires_ms INTEGER NOT NULL) WITHOUT ROWID;
)sql",
};
constexpr int kServerSchemaVersion = static_cast<int>(std::size(kServerMigrations));
constexpr const char* kServerSchemaKey = "sync_server_schema";
// Log entries read at a time when crediting a push in the audit trail.
constexpr int64_t kAuditPage = 4096;

// A server store merges customers that share a phone in ApplyPush, explicitly, rather than by
// the store's hook: so does a replica of the PostgreSQL log, which must apply that log as it is.
std::unique_ptr<Store> OpenServerStore(const std::string& path, const Env& env) {
  bool fresh = !std::filesystem::exists(path);
  const StoreHooks& hooks = postgres::ReplicaStoreHooks();
  auto store = fresh ? Store::Create(path, {"", "head-office-server", "", ""}, hooks, env)
                     : Store::Open(path, hooks, env);
  if (fresh) store->SetMeta("sync_role", "server");
  if (store->GetMeta("sync_role") != "server") {
    throw InvalidInput("'" + path + "' is a tablet's store, not a server's: give fieldcrm-server " +
                       "a file of its own");
  }
  int version = std::stoi(store->GetMeta(kServerSchemaKey).value_or("0"));
  if (version > kServerSchemaVersion) {
    throw StorageError("server store '" + path + "' was written by a newer fieldcrm-server: " +
                       "upgrade fieldcrm-server to open it");
  }
  if (version < kServerSchemaVersion) {
    Transaction txn = store->Transact();
    Database& own_tables = store->OwnTablesConnection();
    for (int v = version; v < kServerSchemaVersion; ++v) own_tables.Exec(kServerMigrations[v]);
    store->SetMeta(kServerSchemaKey, std::to_string(kServerSchemaVersion));
    txn.Commit();
  }
  store->IndexHistory();  // audit histories and the reports' stage moves read the whole log
  return store;
}

std::optional<std::string> TextValue(const std::optional<std::string>& value_json) {
  if (!value_json) return std::nullopt;
  json value = json::parse(*value_json);
  if (!value.is_string()) return std::nullopt;
  return value.get<std::string>();
}

TokenInfo ReadToken(const TableRows& rows, size_t r) {
  return {rows.Text(r, 0), rows.Text(r, 1), rows.Text(r, 2),    ParseRole(rows.Text(r, 3)),
          rows.Text(r, 4), rows.Text(r, 5), rows.Int(r, 6) != 0};
}

constexpr const char* kTokenColumns =
    "id, agent, team, role, created_at, revoked_at, CASE WHEN EXISTS(SELECT 1 FROM "
    "sync_wipe_orders w WHERE w.token = sync_tokens.id) THEN 1 ELSE 0 END";

// A folder of its own for a process's replica of the PostgreSQL log (docs/postgresql.md), named
// after the process; the folders of processes that are gone (killed before they could delete
// theirs) are deleted first.
std::string NewReplicaFolder() {
  const std::filesystem::path temp = std::filesystem::temp_directory_path();
  const std::string prefix = "fieldcrm-replica-";
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(temp, ignored)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    pid_t owner = static_cast<pid_t>(std::atoll(name.c_str() + prefix.size()));
    if (owner > 0 && kill(owner, 0) != 0 && errno == ESRCH) {
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }
  std::string pattern = (temp / (prefix + std::to_string(getpid()) + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw StorageError("cannot create a folder for the replica");
  return pattern;
}

}  // namespace

SqliteServerStorage::SqliteServerStorage(const std::string& db, const Env& env) {
  if (postgres::IsPostgresUrl(db)) {
    pg_url_ = db;
    pg_ = std::make_unique<postgres::PgConnection>(db);
    pg_reader_ = std::make_unique<postgres::PgConnection>(db);
    postgres::SharedLog::Migrate(*pg_);
    MigratePostgresServerTables(*pg_);
    replica_folder_ = NewReplicaFolder();
    store_ = OpenServerStore(replica_folder_ + "/replica.db", env);
    shared_log_ = std::make_unique<postgres::SharedLog>(*pg_, *store_);
    // The replica catches up when something reads it: an admin command (token create, users
    // add) replays no log.
    server_id_ = shared_log_->ServerId();
    tables_ = PostgresTables(*pg_);
    reader_tables_ = PostgresTables(*pg_reader_);
  } else {
    store_ = OpenServerStore(db, env);
    server_id_ = store_->device().id;
    tables_ = SqliteTables(store_->OwnTablesConnection());
  }
  readers_ = std::make_unique<ReaderPool>(store_->path());
  pushes_ = std::make_unique<GroupCommit>(*store_, mutex_);
}

SqliteServerStorage::~SqliteServerStorage() {
  if (replica_folder_.empty()) return;
  // The replica's connections close before its folder goes.
  pushes_.reset();
  shared_log_.reset();
  reporting_.reset();
  readers_.reset();
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(replica_folder_, ignored);
}

std::unique_ptr<ServerStorage::Subscription> SqliteServerStorage::FollowOtherWriters(
    std::function<void()> moved) {
  if (pg_url_.empty()) return ServerStorage::FollowOtherWriters(std::move(moved));
  struct Listening : Subscription {
    Listening(const std::string& url, std::function<void()> moved)
        : listener(url, std::move(moved)) {}
    postgres::LogListener listener;
  };
  return std::make_unique<Listening>(pg_url_, std::move(moved));
}

std::unique_ptr<AuthFailureLimiter> SqliteServerStorage::FailureLimiter(int limit,
                                                                        int64_t window_ms) {
  if (pg_url_.empty()) return ServerStorage::FailureLimiter(limit, window_ms);
  return std::make_unique<SharedAuthFailureLimiter>(
      std::make_unique<postgres::PgConnection>(pg_url_), limit, window_ms, env());
}

std::string SqliteServerStorage::ServerId() {
  return server_id_;
}

void SqliteServerStorage::CatchUp() {
  std::lock_guard lock(mutex_);
  CatchUpLocked();
}

void SqliteServerStorage::CatchUpLocked() {
  if (shared_log_) shared_log_->CatchUp();
}

void SqliteServerStorage::CatchUpUnlessWriting() {
  if (!shared_log_) return;
  std::unique_lock lock(mutex_, std::try_to_lock);
  // A push in progress catches the replica up itself: read what it has.
  if (lock.owns_lock()) shared_log_->CatchUp();
}

json SqliteServerStorage::History(const std::string& customer) {
  std::lock_guard lock(mutex_);
  CatchUpLocked();
  return CustomerHistory(*store_, *tables_, customer);
}

void SqliteServerStorage::AddToken(const TokenInfo& info, const std::string& hash) {
  std::lock_guard lock(mutex_);
  tables_->Run(
      "INSERT INTO sync_tokens(id, hash, agent, team, role, created_at) VALUES(?, ?, ?, ?, ?, ?)",
      info.id, hash, info.agent, info.team, RoleName(info.role), info.created_at);
}

template <typename... Args>
TableRows SqliteServerStorage::QueryOnReader(std::string_view sql, const Args&... args) {
  if (reader_tables_) {
    std::lock_guard lock(reader_tables_mutex_);
    return reader_tables_->Query(sql, args...);
  }
  ReaderPool::Lease reader = readers_->Borrow();
  return SqliteTables(reader.db())->Query(sql, args...);
}

std::optional<TokenInfo> SqliteServerStorage::FindToken(const std::string& hash) {
  // Every request asks: on a reader, so that no request waits for a push being committed.
  TableRows rows =
      QueryOnReader(std::string("SELECT ") + kTokenColumns + ", hash FROM sync_tokens WHERE id = ?",
                    TokenIdOf(hash));
  if (rows.empty()) return std::nullopt;
  std::string stored = rows.Text(0, 7);
  if (stored.size() != hash.size() || CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) != 0) {
    return std::nullopt;
  }
  return ReadToken(rows, 0);
}

void SqliteServerStorage::PutUser(const DashboardUser& user, const std::string& password_hash) {
  std::lock_guard lock(mutex_);
  tables_->Run(
      "INSERT INTO dashboard_users(name, team, role, password_hash, created_at) "
      "VALUES(?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET team = excluded.team, "
      "role = excluded.role, password_hash = excluded.password_hash, "
      "created_at = excluded.created_at",
      user.name, user.team, RoleName(user.role), password_hash, user.created_at);
}

std::optional<std::pair<DashboardUser, std::string>> SqliteServerStorage::FindUser(
    const std::string& name) {
  std::lock_guard lock(mutex_);
  TableRows rows = tables_->Query(
      "SELECT name, team, role, created_at, password_hash FROM dashboard_users WHERE name = ?",
      name);
  if (rows.empty()) return std::nullopt;
  return std::pair{
      DashboardUser{rows.Text(0, 0), rows.Text(0, 1), ParseRole(rows.Text(0, 2)), rows.Text(0, 3)},
      rows.Text(0, 4)};
}

std::vector<DashboardUser> SqliteServerStorage::ListUsers() {
  std::lock_guard lock(mutex_);
  TableRows rows = tables_->Query(
      "SELECT name, team, role, created_at FROM dashboard_users ORDER BY team, name");
  std::vector<DashboardUser> users;
  for (size_t r = 0; r < rows.size(); ++r) {
    users.push_back(
        {rows.Text(r, 0), rows.Text(r, 1), ParseRole(rows.Text(r, 2)), rows.Text(r, 3)});
  }
  return users;
}

void SqliteServerStorage::RemoveUser(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (tables_->Run("DELETE FROM dashboard_users WHERE name = ?", name) == 0) {
    throw NotFound("no dashboard user '" + name + "'");
  }
}

std::vector<TokenInfo> SqliteServerStorage::ListTokens() {
  std::lock_guard lock(mutex_);
  TableRows rows = tables_->Query(std::string("SELECT ") + kTokenColumns +
                                  " FROM sync_tokens ORDER BY created_at, id");
  std::vector<TokenInfo> tokens;
  for (size_t r = 0; r < rows.size(); ++r) tokens.push_back(ReadToken(rows, r));
  return tokens;
}

void SqliteServerStorage::RevokeToken(const std::string& id, const std::string& at, bool wipe) {
  std::lock_guard lock(mutex_);
  TablesTransaction txn(*tables_);
  if (tables_->Run("UPDATE sync_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''", at,
                   id) == 0) {
    throw NotFound("no valid token with id '" + id + "' (see 'token list')");
  }
  if (wipe) tables_->Run("INSERT INTO sync_wipe_orders(token, ordered_at) VALUES(?, ?)", id, at);
  txn.Commit();
}

std::optional<std::string> SqliteServerStorage::IntegrityRefusal(const Change& change) {
  std::optional<Change> known = store_->FindChange(change.device, change.seq);
  if (known && !SameChange(*known, change)) {
    return "differs from the change the server holds under this id";
  }
  auto record = store_->FindRecord(change.record);
  if (record && record->kind != change.kind) {
    return "record " + change.record + " is a " + record->kind + ", not a " + change.kind;
  }
  return std::nullopt;
}

RecordScope SqliteServerStorage::CustomerScope(const std::string& id, const BatchFields& batch) {
  RecordScope scope{false, id, ""};
  if (auto known = FindCustomerTeam(*store_, id)) {
    scope.customer = known->root;
    scope.team = known->team;
  } else if (auto fields = batch.find(id); fields != batch.end()) {
    if (auto team = fields->second.find("team"); team != fields->second.end()) {
      scope.team = TextValue(team->second).value_or("");
    }
  }
  return scope;
}

RecordScope SqliteServerStorage::ScopeOf(const Change& change, const BatchFields& batch) {
  if (change.kind == "customer") return CustomerScope(change.record, batch);
  auto record = store_->FindRecord(change.record);
  std::optional<std::string> parent;
  if (record) {
    parent = record->parent;
  } else if (auto fields = batch.find(change.record); fields != batch.end()) {
    // New to the server: its customer is named in the batch, as the records table would.
    for (const char* link : {"customer", "referee"}) {
      auto it = fields->second.find(link);
      if (!parent && it != fields->second.end()) parent = TextValue(it->second);
    }
  }
  if (parent) return CustomerScope(*parent, batch);
  // Under no customer: the team stamped on it (as the server holds it, else as the batch says),
  // or global.
  std::optional<std::string> team;
  if (record) {
    team = StampedTeam(*store_, change.record);
  } else if (auto fields = batch.find(change.record); fields != batch.end()) {
    if (auto it = fields->second.find(kRecordTeamField); it != fields->second.end()) {
      team = TextValue(it->second);
    }
  }
  if (!team) return RecordScope{true, "", ""};
  return RecordScope{false, "", *team};
}

std::set<std::string> SqliteServerStorage::TeamAgents(const std::string& team) {
  TableRows rows = tables_->Query(
      "SELECT DISTINCT agent FROM sync_tokens WHERE team = ? AND revoked_at = ''", team);
  std::set<std::string> agents;
  for (size_t r = 0; r < rows.size(); ++r) agents.insert(rows.Text(r, 0));
  return agents;
}

std::optional<std::string> SqliteServerStorage::CreditedAgent(const Change& change) {
  if (change.field != kAuthorField) return std::nullopt;
  std::optional<json> record = LiveRecord(*store_, change.record, change.kind);
  if (!record) return std::nullopt;
  auto agent = record->find(kAuthorField);
  if (agent == record->end() || !agent->is_string()) return std::nullopt;
  return agent->get<std::string>();
}

void SqliteServerStorage::CheckDeviceOwner(ServerTables& tables, const Principal& who,
                                           const std::string& device) {
  TableRows token = tables.Query(
      "SELECT d.token FROM sync_devices d JOIN sync_tokens t ON t.id = d.token "
      "WHERE d.device = ? AND t.revoked_at = ''",
      device);
  if (!token.empty() && token.Text(0, 0) != who.token_id) {
    // Which token (and so whose) stays unsaid: the caller may hold another team's token.
    throw ProtocolError(403, "forbidden",
                        "device " + device +
                            " syncs with another token: head office revokes that one to move the "
                            "device to this token");
  }
}

void SqliteServerStorage::NoteDevice(const Principal& who, const std::string& device,
                                     const char* column, bool bind) {
  std::string at = env().NowIso();
  std::string owner =
      bind ? "agent = excluded.agent, team = excluded.team, token = excluded.token, " : "";
  tables_->Run(std::string("INSERT INTO sync_devices(device, agent, team, token, ") + column +
                   ") VALUES(?, ?, ?, ?, ?) ON CONFLICT(device) DO UPDATE SET " + owner + column +
                   " = excluded." + column,
               device, who.agent, who.team, who.token_id, at);
}

void SqliteServerStorage::RecordAudit(const Principal& who, int64_t log_before) {
  // Everything logged by this push: the pusher's changes, and the merges of duplicate phones the
  // server wrote under its own device because of them. Many rows per statement: on PostgreSQL
  // each statement is a round trip.
  std::string at = env().NowIso();
  for (int64_t after = log_before;;) {
    std::vector<Store::LoggedChange> logged = store_->ReadLog(after, kAuditPage);
    if (logged.empty()) break;
    std::string sql = "INSERT INTO sync_audit(device, seq, agent, team, token, accepted_at) VALUES";
    std::vector<SqlValue> values;
    for (const Store::LoggedChange& entry : logged) {
      bool server_own = entry.change.device == store_->device().id;
      sql += values.empty() ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)";
      values.insert(values.end(), {entry.change.device, entry.change.seq,
                                   server_own ? std::string(kServerAuditAgent) : who.agent,
                                   server_own ? std::string() : who.team,
                                   server_own ? std::string() : who.token_id, at});
    }
    tables_->RunValues(sql + " ON CONFLICT DO NOTHING", values);
    after = logged.back().pos;
  }
}

PushAck SqliteServerStorage::Push(const Principal& who, const PushRequest& request) {
  std::string digest = Sha256Hex(PushRequestBody(request));
  PushAck ack;
  bool erased_on_arrival = false;
  if (shared_log_) {
    // One process appends at a time, all of them on the shared log (docs/postgresql.md).
    std::lock_guard lock(mutex_);
    shared_log_->Append([&] { ack = ApplyPush(who, request, digest, erased_on_arrival); });
    ++shared_pushes_;
  } else {
    // Committed together with the pushes of other tablets waiting at the same time.
    pushes_->Run([&] { ack = ApplyPush(who, request, digest, erased_on_arrival); });
  }
  if (erased_on_arrival) {
    // A late change about an erased customer was erased on arrival: leave none of it in the WAL.
    std::lock_guard lock(mutex_);
    store_->PurgeErasedBytes();
  }
  return ack;
}

PushAck SqliteServerStorage::ApplyPush(const Principal& who, const PushRequest& request,
                                       const std::string& digest, bool& erased_on_arrival) {
  CheckDeviceOwner(*tables_, who, request.device);
  TableRows stored = tables_->Query("SELECT ack FROM sync_acks WHERE device = ? AND digest = ?",
                                    request.device, digest);
  if (!stored.empty()) return ParsePushAck(json::parse(stored.Text(0, 0)));

  BatchFields batch;
  for (const Change& c : request.changes) batch[c.record][c.field] = c.value;
  PushAck ack;
  std::vector<Change> accepted;
  std::set<std::string> team_agents;
  if (who.role == Role::kLeader) team_agents = TeamAgents(who.team);
  for (const Change& c : request.changes) {
    ack.last_seq = std::max(ack.last_seq, c.seq);
    std::optional<std::string> reason = IntegrityRefusal(c);
    if (!reason) {
      std::optional<RecordScope> target;
      if (c.kind == "customer" && c.field == kMergedIntoField) {
        if (auto id = TextValue(c.value)) target = CustomerScope(*id, batch);
      }
      reason = WriteRefusal(who, c, ScopeOf(c, batch), target);
    }
    if (!reason) reason = AuthorshipRefusal(who, c, CreditedAgent(c), team_agents);
    if (reason) {
      ack.refused.push_back({c.seq, c.record, c.field, *reason});
    } else {
      accepted.push_back(c);
    }
  }
  if (!accepted.empty()) {
    int64_t log_before = store_->LogHead();
    ApplyStats stats = store_->ApplyRemote(accepted);
    int64_t merged = MergeCustomersSharingPhone(*store_, stats.identity_changed);
    RecordAudit(who, log_before);
    ack.accepted = stats.applied;
    ack.duplicates = stats.duplicates;
    ack.conflicts = stats.conflicts;
    ack.merged = merged;
    erased_on_arrival = stats.erased.records > 0;
  }
  tables_->Run("INSERT INTO sync_acks(device, digest, ack) VALUES(?, ?, ?)", request.device, digest,
               ToJson(ack).dump());
  NoteDevice(who, request.device, "last_push_at", /*bind=*/true);
  return ack;
}

void SqliteServerStorage::CheckDeviceOwnerOnReader(Database& reader, const Principal& who,
                                                   const std::string& device) {
  if (reader_tables_) {
    std::lock_guard lock(reader_tables_mutex_);
    CheckDeviceOwner(*reader_tables_, who, device);
  } else {
    CheckDeviceOwner(*SqliteTables(reader), who, device);
  }
}

PullPage SqliteServerStorage::ReadPage(const Principal& who, const PullRequest& request,
                                       const AbandonedCheck& abandoned) {
  // A tablet that gave up (a timeout, a lost network) asks again later.
  if (abandoned()) throw Cancelled("pull abandoned by its client before it started");
  PullPage page;
  // The page comes from one snapshot on a connection of its own: pulls run side by side and
  // beside the writer, whose pushes they neither wait for nor hold up.
  ReaderPool::Lease reader = readers_->Borrow();
  Database& db = reader.db();
  Transaction snapshot(db);
  // Another tablet's device id would only hide that tablet's own changes from this pull, but
  // would also mark that tablet as recently synced in 'devices', hiding a lost one.
  CheckDeviceOwnerOnReader(db, who, request.device);
  page.head = LogHeadOn(db);
  page.next = std::min(request.after, page.head);
  TeamLogQuery query{request.after, page.head,    request.device, who.role == Role::kOffice,
                     who.team,      request.limit};
  int64_t bytes = 0;
  bool full = false;
  {
    // A team's page may scan many other teams' entries: stop if its client goes meanwhile.
    InterruptWhen interrupt(db, abandoned);
    ForEachTeamChange(db, query, [&](int64_t pos, Change&& c) {
      page.next = pos;
      bytes += 160 + static_cast<int64_t>(c.record.size() + c.field.size() +
                                          (c.value ? c.value->size() : 0));
      page.changes.push_back(std::move(c));
      full = bytes >= kPullPageBytes;
      return !full;
    });
  }
  snapshot.Commit();
  // A short page means everything up to head was scanned, matching or not.
  if (!full && static_cast<int64_t>(page.changes.size()) < request.limit) page.next = page.head;
  page.more = page.next < page.head;
  return page;
}

SnapshotPage SqliteServerStorage::Snapshot(const Principal& who, const SnapshotRequest& request,
                                           const AbandonedCheck& abandoned) {
  // A later page may come to another process than the first (behind a load balancer): its
  // replica must reach the snapshot's position, or the position would look never reached.
  if (request.at > 0) {
    CatchUp();
  } else {
    CatchUpUnlessWriting();
  }
  if (abandoned()) throw Cancelled("snapshot abandoned by its client before it started");
  ReaderPool::Lease reader = readers_->Borrow();
  Database& db = reader.db();
  Transaction snapshot(db);
  CheckDeviceOwnerOnReader(db, who, request.device);
  SnapshotPage page;
  int64_t head = LogHeadOn(db);
  page.at = request.at;
  int64_t after = request.after;
  // The log never shrinks, so a position beyond its head is one this server never reached (a
  // store restored from an older backup under the same id): a new snapshot starts over.
  if (page.at == 0 || page.at > head) {
    page.at = head;
    after = 0;
  }
  TeamLogQuery query{after,    page.at,      request.device, who.role == Role::kOffice,
                     who.team, request.limit};
  int64_t bytes = 0;
  {
    // A team's page may look at many other teams' entries: stop if its client goes meanwhile.
    InterruptWhen interrupt(db, abandoned);
    page.next = ForEachTeamWinner(
        db, query, [&](int64_t, Change&& c, std::vector<KeptConflict>&& conflicts) {
          bytes += 160 + static_cast<int64_t>(c.record.size() + c.field.size() +
                                              (c.value ? c.value->size() : 0));
          page.changes.push_back(std::move(c));
          for (KeptConflict& conflict : conflicts) page.conflicts.push_back(std::move(conflict));
          return bytes < kPullPageBytes;
        });
  }
  snapshot.Commit();
  page.more = page.next < page.at;
  return page;
}

WatchAnswer SqliteServerStorage::LookForChanges(const Principal& who, const WatchRequest& request,
                                                const AbandonedCheck& abandoned) {
  CatchUpUnlessWriting();
  PullPage page = ReadPage(who, {request.device, request.after, 1, std::nullopt, ""}, abandoned);
  return {!page.changes.empty(), page.head};
}

PullPage SqliteServerStorage::Pull(const Principal& who, const PullRequest& request,
                                   const AbandonedCheck& abandoned) {
  CatchUpUnlessWriting();
  PullPage page = ReadPage(who, request, abandoned);
  if (!page.more) {  // once a sync: the device's row on the writer
    std::lock_guard lock(mutex_);
    TablesTransaction txn(*tables_);
    NoteDevice(who, request.device, "last_pull_at", /*bind=*/false);
    tables_->Run(
        "UPDATE sync_devices SET pending = COALESCE(NULLIF(?, -1), pending), "
        "app_version = COALESCE(NULLIF(?, ''), app_version), pulled_to = ? WHERE device = ?",
        request.pending.value_or(-1), request.app_version, page.head, request.device);
    txn.Commit();
  }
  return page;
}

void SqliteServerStorage::PutSession(const std::string& id_hash, const Principal& who,
                                     int64_t expires_ms, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  TablesTransaction txn(*tables_);
  tables_->Run("DELETE FROM dashboard_sessions WHERE expires_ms <= ?", now_ms);
  tables_->Run(
      "INSERT INTO dashboard_sessions(id_hash, token_id, agent, team, role, expires_ms) "
      "VALUES(?, ?, ?, ?, ?, ?)",
      id_hash, who.token_id, who.agent, who.team, RoleName(who.role), expires_ms);
  txn.Commit();
}

std::optional<Principal> SqliteServerStorage::FindSession(const std::string& id_hash,
                                                          int64_t now_ms) {
  TableRows rows = QueryOnReader(
      "SELECT token_id, agent, team, role FROM dashboard_sessions "
      "WHERE id_hash = ? AND expires_ms > ?",
      id_hash, now_ms);
  if (rows.empty()) return std::nullopt;
  return Principal{rows.Text(0, 0), rows.Text(0, 1), rows.Text(0, 2), ParseRole(rows.Text(0, 3))};
}

void SqliteServerStorage::DropSession(const std::string& id_hash) {
  std::lock_guard lock(mutex_);
  tables_->Run("DELETE FROM dashboard_sessions WHERE id_hash = ?", id_hash);
}

std::vector<DeviceStatus> SqliteServerStorage::ListDevices() {
  std::lock_guard lock(mutex_);
  return ReadDevices();
}

ServerStorage::Gauges SqliteServerStorage::ReadGauges() {
  Gauges gauges;
  {
    std::lock_guard lock(mutex_);
    CatchUpLocked();
    gauges.log_head = store_->LogHead();
    gauges.devices = ReadDevices();
  }
  GroupCommit::Counts pushes = pushes_->counts();
  gauges.pushes_run = pushes.works + shared_pushes_;
  gauges.push_commits = pushes.commits + shared_pushes_;
  gauges.pushes_waiting = pushes.waiting;
  std::lock_guard lock(reports_mutex_);
  if (plugins_) gauges.plugins = plugins_->States();
  return gauges;
}

std::vector<DeviceStatus> SqliteServerStorage::ReadDevices() {
  TableRows rows = tables_->Query(
      "SELECT device, agent, team, token, COALESCE(last_push_at, ''), COALESCE(last_pull_at, ''), "
      "COALESCE(pending, -1), COALESCE(app_version, ''), COALESCE(pulled_to, -1) "
      "FROM sync_devices ORDER BY last_pull_at DESC NULLS LAST, device");
  std::vector<DeviceStatus> devices;
  for (size_t r = 0; r < rows.size(); ++r) {
    devices.push_back({rows.Text(r, 0), rows.Text(r, 1), rows.Text(r, 2), rows.Text(r, 3),
                       rows.Text(r, 4), rows.Text(r, 5), rows.Int(r, 6), rows.Text(r, 7),
                       rows.Int(r, 8)});
  }
  return devices;
}

}  // namespace fieldcrm::sync
