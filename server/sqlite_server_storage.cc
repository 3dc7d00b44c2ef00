#include "fieldcrm/server/sqlite_server_storage.h"

#include <openssl/crypto.h>

#include <filesystem>

#include "fieldcrm/base/error.h"
#include "fieldcrm/server/token.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/records.h"

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
    // inserted into), what each tablet last reported about itself, history by record, and field
    // moves by time (reports/reports.cc).
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
CREATE INDEX log_by_record ON log(record);
CREATE INDEX log_by_field ON log(field, hlc);
)sql",
    // 3: revoked tokens whose tablets are to delete their stores at their next request (lost
    // tablets).
    R"sql(
CREATE TABLE IF NOT EXISTS sync_wipe_orders(
  token TEXT PRIMARY KEY REFERENCES sync_tokens(id),
  ordered_at TEXT NOT NULL) WITHOUT ROWID;
)sql",
};
constexpr int kServerSchemaVersion = static_cast<int>(std::size(kServerMigrations));
constexpr const char* kServerSchemaKey = "sync_server_schema";

std::unique_ptr<Store> OpenServerStore(const std::string& path, const Env& env) {
  bool fresh = !std::filesystem::exists(path);
  auto store =
      fresh ? Store::Create(path, {"", "head-office-server", "", ""}, env) : Store::Open(path, env);
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
  if (version == kServerSchemaVersion) return store;
  Transaction txn(store->db());
  for (int v = version; v < kServerSchemaVersion; ++v) store->db().Exec(kServerMigrations[v]);
  store->SetMeta(kServerSchemaKey, std::to_string(kServerSchemaVersion));
  txn.Commit();
  return store;
}

std::optional<std::string> TextValue(const std::optional<std::string>& value_json) {
  if (!value_json) return std::nullopt;
  json value = json::parse(*value_json);
  if (!value.is_string()) return std::nullopt;
  return value.get<std::string>();
}

constexpr const char* kChangeColumns = "device, seq, hlc, base, kind, record, field, value";

// The change in the eight columns of kChangeColumns, starting at col.
Change ReadChange(Statement& stmt, int col) {
  return {stmt.Text(col),
          stmt.Int(col + 1),
          static_cast<Hlc>(stmt.Int(col + 2)),
          static_cast<Hlc>(stmt.Int(col + 3)),
          stmt.Text(col + 4),
          stmt.Text(col + 5),
          stmt.Text(col + 6),
          stmt.OptText(col + 7)};
}

TokenInfo ReadToken(Statement& stmt) {
  return {stmt.Text(0), stmt.Text(1), stmt.Text(2),    ParseRole(stmt.Text(3)),
          stmt.Text(4), stmt.Text(5), stmt.Int(6) != 0};
}

constexpr const char* kTokenColumns =
    "id, agent, team, role, created_at, revoked_at, "
    "EXISTS(SELECT 1 FROM sync_wipe_orders w WHERE w.token = sync_tokens.id)";

// Positions and changes (in ReadChange's order) of the log entries after ?1 up to ?2, except device
// ?3's, that a caller sees: everything when ?4 is 1, otherwise global records and the records of
// team ?5's customers (by their surviving root).
constexpr const char* kScopedLog = R"sql(
SELECT l.pos, l.device, l.seq, l.hlc, l.base, l.kind, l.record, l.field, l.value
FROM log l
LEFT JOIN records r ON r.id = l.record
LEFT JOIN records c ON c.id = (CASE WHEN l.kind = 'customer' THEN l.record ELSE r.parent END)
LEFT JOIN records t ON t.id = COALESCE(c.root, c.id)
WHERE l.pos > ?1 AND l.pos <= ?2 AND l.device <> ?3
  AND (?4 = 1 OR CASE WHEN l.kind = 'customer' OR r.parent IS NOT NULL THEN t.team IS ?5
                      ELSE 1 END)
ORDER BY l.pos LIMIT ?6
)sql";

}  // namespace

SqliteServerStorage::SqliteServerStorage(const std::string& path, const Env& env)
    : store_(OpenServerStore(path, env)) {}

std::string SqliteServerStorage::ServerId() {
  return store_->device().id;
}

void SqliteServerStorage::AddToken(const TokenInfo& info, const std::string& hash) {
  std::lock_guard lock(mutex_);
  store_->db()
      .Prepare(
          "INSERT INTO sync_tokens(id, hash, agent, team, role, created_at) "
          "VALUES(?, ?, ?, ?, ?, ?)")
      .Bind(info.id, hash, info.agent, info.team, RoleName(info.role), info.created_at)
      .Run();
}

std::optional<TokenInfo> SqliteServerStorage::FindToken(const std::string& hash) {
  std::lock_guard lock(mutex_);
  Statement& stmt = store_->db().Prepare(std::string("SELECT ") + kTokenColumns +
                                         ", hash FROM sync_tokens WHERE id = ?");
  stmt.Bind(TokenIdOf(hash));
  std::optional<TokenInfo> info;
  if (stmt.Step()) {
    std::string stored = stmt.Text(7);
    if (stored.size() == hash.size() &&
        CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) == 0) {
      info = ReadToken(stmt);
    }
  }
  stmt.Reset();
  return info;
}

std::vector<TokenInfo> SqliteServerStorage::ListTokens() {
  std::lock_guard lock(mutex_);
  Statement& stmt = store_->db().Prepare(std::string("SELECT ") + kTokenColumns +
                                         " FROM sync_tokens ORDER BY created_at, id");
  std::vector<TokenInfo> tokens;
  while (stmt.Step()) tokens.push_back(ReadToken(stmt));
  stmt.Reset();
  return tokens;
}

void SqliteServerStorage::RevokeToken(const std::string& id, const std::string& at, bool wipe) {
  std::lock_guard lock(mutex_);
  Transaction txn(store_->db());
  store_->db()
      .Prepare("UPDATE sync_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''")
      .Bind(at, id)
      .Run();
  if (store_->db().Changes() == 0) {
    throw NotFound("no valid token with id '" + id + "' (see 'token list')");
  }
  if (wipe) {
    store_->db()
        .Prepare("INSERT INTO sync_wipe_orders(token, ordered_at) VALUES(?, ?)")
        .Bind(id, at)
        .Run();
  }
  txn.Commit();
}

std::optional<std::string> SqliteServerStorage::IntegrityRefusal(const Change& change) {
  Database& db = store_->db();
  Statement& logged = db.Prepare(std::string("SELECT ") + kChangeColumns +
                                 " FROM log WHERE device = ? AND seq = ?");
  logged.Bind(change.device, change.seq);
  std::optional<std::string> reason;
  if (logged.Step()) {
    Change known = ReadChange(logged, 0);
    if (!(known == change)) reason = "differs from the change the server holds under this id";
  }
  logged.Reset();
  if (reason) return reason;
  auto kind = db.QueryText("SELECT kind FROM records WHERE id = ?", change.record);
  if (kind && *kind != change.kind) {
    return "record " + change.record + " is a " + *kind + ", not a " + change.kind;
  }
  return std::nullopt;
}

RecordScope SqliteServerStorage::CustomerScope(const std::string& id, const BatchFields& batch) {
  Statement& stmt = store_->db().Prepare(
      "SELECT t.id, t.team FROM records c JOIN records t ON t.id = COALESCE(c.root, c.id) "
      "WHERE c.id = ? AND c.kind = 'customer'");
  stmt.Bind(id);
  RecordScope scope{false, id, ""};
  if (stmt.Step()) {
    scope.customer = stmt.Text(0);
    scope.team = stmt.OptText(1).value_or("");
  } else if (auto fields = batch.find(id); fields != batch.end()) {
    if (auto team = fields->second.find("team"); team != fields->second.end()) {
      scope.team = TextValue(team->second).value_or("");
    }
  }
  stmt.Reset();
  return scope;
}

RecordScope SqliteServerStorage::ScopeOf(const Change& change, const BatchFields& batch) {
  if (change.kind == "customer") return CustomerScope(change.record, batch);
  Statement& stmt = store_->db().Prepare("SELECT parent FROM records WHERE id = ?");
  stmt.Bind(change.record);
  std::optional<std::string> parent;
  bool known = stmt.Step();
  if (known) parent = stmt.OptText(0);
  stmt.Reset();
  if (!known) {
    // New to the server: its customer is named in the batch, as the records table would.
    if (auto fields = batch.find(change.record); fields != batch.end()) {
      for (const char* link : {"customer", "referee"}) {
        auto it = fields->second.find(link);
        if (!parent && it != fields->second.end()) parent = TextValue(it->second);
      }
    }
  }
  if (!parent) return RecordScope{true, "", ""};
  return CustomerScope(*parent, batch);
}

void SqliteServerStorage::CheckDeviceOwner(const Principal& who, const std::string& device) {
  auto token = store_->db().QueryText(
      "SELECT d.token FROM sync_devices d JOIN sync_tokens t ON t.id = d.token "
      "WHERE d.device = ? AND t.revoked_at = ''",
      device);
  if (token && *token != who.token_id) {
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
  store_->db()
      .Prepare(std::string("INSERT INTO sync_devices(device, agent, team, token, ") + column +
               ") VALUES(?, ?, ?, ?, ?) ON CONFLICT(device) DO UPDATE SET " + owner + column +
               " = excluded." + column)
      .Bind(device, who.agent, who.team, who.token_id, at)
      .Run();
}

void SqliteServerStorage::RecordAudit(const Principal& who, int64_t log_before) {
  // Everything logged by this push: the pusher's changes, and the merges of duplicate phones the
  // server wrote under its own device because of them.
  store_->db()
      .Prepare(
          "INSERT OR IGNORE INTO sync_audit(device, seq, agent, team, token, accepted_at) "
          "SELECT device, seq, CASE WHEN device = ?1 THEN ?2 ELSE ?3 END, "
          "CASE WHEN device = ?1 THEN '' ELSE ?4 END, CASE WHEN device = ?1 THEN '' ELSE ?5 END, "
          "?6 FROM log WHERE pos > ?7")
      .Bind(store_->device().id, std::string(kServerAuditAgent), who.agent, who.team, who.token_id,
            env().NowIso(), log_before)
      .Run();
}

PushAck SqliteServerStorage::Push(const Principal& who, const PushRequest& request) {
  std::lock_guard lock(mutex_);
  Database& db = store_->db();
  std::string digest = Sha256Hex(PushRequestBody(request));
  Transaction txn(db);
  CheckDeviceOwner(who, request.device);
  auto stored = db.QueryText("SELECT ack FROM sync_acks WHERE device = ? AND digest = ?",
                             request.device, digest);
  if (stored) return ParsePushAck(json::parse(*stored));

  BatchFields batch;
  for (const Change& c : request.changes) batch[c.record][c.field] = c.value;
  PushAck ack;
  std::vector<Change> accepted;
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
    if (reason) {
      ack.refused.push_back({c.seq, c.record, c.field, *reason});
    } else {
      accepted.push_back(c);
    }
  }
  if (!accepted.empty()) {
    int64_t log_before = db.QueryInt("SELECT COALESCE(MAX(pos), 0) FROM log").value_or(0);
    ApplyStats stats = store_->ApplyRemote(accepted);
    RecordAudit(who, log_before);
    ack.accepted = stats.applied;
    ack.duplicates = stats.duplicates;
    ack.conflicts = stats.conflicts;
    ack.merged = stats.merged_duplicates;
  }
  db.Prepare("INSERT INTO sync_acks(device, digest, ack) VALUES(?, ?, ?)")
      .Bind(request.device, digest, ToJson(ack).dump())
      .Run();
  NoteDevice(who, request.device, "last_push_at", /*bind=*/true);
  txn.Commit();
  return ack;
}

PullPage SqliteServerStorage::Pull(const Principal& who, const PullRequest& request) {
  std::lock_guard lock(mutex_);
  Database& db = store_->db();
  Transaction txn(db);
  // Another tablet's device id would only hide that tablet's own changes from this pull, but
  // would also mark that tablet as recently synced in 'devices', hiding a lost one.
  CheckDeviceOwner(who, request.device);
  PullPage page;
  page.head = db.QueryInt("SELECT MAX(pos) FROM log").value_or(0);
  page.next = std::min(request.after, page.head);
  Statement& stmt = db.Prepare(kScopedLog);
  stmt.Bind(request.after, page.head, request.device, who.role == Role::kOffice ? 1 : 0, who.team,
            request.limit);
  int64_t bytes = 0;
  bool full = false;
  while (stmt.Step()) {
    Change c = ReadChange(stmt, 1);
    page.next = stmt.Int(0);
    bytes += 160 + static_cast<int64_t>(c.record.size() + c.field.size() +
                                        (c.value ? c.value->size() : 0));
    page.changes.push_back(std::move(c));
    if (bytes >= kPullPageBytes) {
      full = true;
      break;
    }
  }
  stmt.Reset();
  // A short page means everything up to head was scanned, matching or not.
  if (!full && static_cast<int64_t>(page.changes.size()) < request.limit) page.next = page.head;
  page.more = page.next < page.head;
  if (!page.more) {  // once a sync
    NoteDevice(who, request.device, "last_pull_at", /*bind=*/false);
    db.Prepare(
          "UPDATE sync_devices SET pending = COALESCE(NULLIF(?, -1), pending), "
          "app_version = COALESCE(NULLIF(?, ''), app_version) WHERE device = ?")
        .Bind(request.pending.value_or(-1), request.app_version, request.device)
        .Run();
  }
  txn.Commit();
  return page;
}

std::vector<DeviceStatus> SqliteServerStorage::ListDevices() {
  std::lock_guard lock(mutex_);
  return ReadDevices();
}

std::vector<DeviceStatus> SqliteServerStorage::ReadDevices() {
  Statement& stmt = store_->db().Prepare(
      "SELECT device, agent, team, token, COALESCE(last_push_at, ''), COALESCE(last_pull_at, ''), "
      "COALESCE(pending, -1), COALESCE(app_version, '') "
      "FROM sync_devices ORDER BY last_pull_at DESC, device");
  std::vector<DeviceStatus> devices;
  while (stmt.Step()) {
    devices.push_back({stmt.Text(0), stmt.Text(1), stmt.Text(2), stmt.Text(3), stmt.Text(4),
                       stmt.Text(5), stmt.Int(6), stmt.Text(7)});
  }
  stmt.Reset();
  return devices;
}

}  // namespace fieldcrm::sync
