// SqliteServerStorage's plugin releases (server schema step 4) and head office's signing key.
#include "fieldcrm/base/error.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

namespace {

constexpr const char* kSigningKeyMeta = "plugins.signing_public_key";

constexpr const char* kReleaseColumns =
    "r.release, r.name, r.version, r.kind, r.sha256, r.size, r.publisher, r.published_at, "
    "r.signature, c.since IS NOT NULL, COALESCE(c.since, '') "
    "FROM plugin_releases r LEFT JOIN plugin_current c ON c.release = r.release";

StoredRelease ReadRelease(Statement& stmt) {
  StoredRelease out;
  out.release = stmt.Int(0);
  out.plugin.name = stmt.Text(1);
  out.plugin.version = stmt.Text(2);
  out.plugin.kind = stmt.Text(3);
  out.plugin.sha256 = stmt.Text(4);
  out.plugin.size = stmt.Int(5);
  out.plugin.publisher = stmt.Text(6);
  out.plugin.published_at = stmt.Text(7);
  out.signature = stmt.Text(8);
  // The settings head office signed with it, from the signed statement itself.
  nlohmann::json file = nlohmann::json::parse(out.signature, nullptr, false);
  if (file.is_object() && file.value("statement", nlohmann::json()).is_string()) {
    nlohmann::json statement =
        nlohmann::json::parse(file["statement"].get<std::string>(), nullptr, false);
    if (statement.is_object()) out.plugin.config = statement.value("config", nlohmann::json());
  }
  out.current = stmt.Int(9) != 0;
  out.current_since = stmt.Text(10);
  return out;
}

}  // namespace

std::vector<StoredRelease> SqliteServerStorage::ReadReleases(const std::string& where) {
  Statement& stmt =
      store_->OwnTablesConnection().Prepare(std::string("SELECT ") + kReleaseColumns + " " + where);
  std::vector<StoredRelease> releases;
  while (stmt.Step()) releases.push_back(ReadRelease(stmt));
  stmt.Reset();
  return releases;
}

StoredRelease SqliteServerStorage::PublishRelease(const PluginRelease& plugin,
                                                  const std::string& signature,
                                                  const std::string& library) {
  std::lock_guard lock(mutex_);
  Database& db = store_->OwnTablesConnection();
  Transaction txn(db);
  auto other_bytes = db.QueryText(
      "SELECT sha256 FROM plugin_releases WHERE name = ? AND version = ? AND sha256 != ?",
      plugin.name, plugin.version, plugin.sha256);
  if (other_bytes) {
    throw InvalidInput("version " + plugin.version + " of plugin '" + plugin.name +
                       "' was published before with other bytes: give the new build a new "
                       "version in its manifest");
  }
  db.Prepare(
        "INSERT INTO plugin_releases(name, version, kind, sha256, size, publisher, published_at, "
        "signature, library_base64) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(plugin.name, plugin.version, plugin.kind, plugin.sha256, plugin.size, plugin.publisher,
            plugin.published_at, signature, Base64Encode(library))
      .Run();
  int64_t release = sqlite3_last_insert_rowid(db.handle());
  db.Prepare("INSERT OR REPLACE INTO plugin_current(name, release, since) VALUES(?, ?, ?)")
      .Bind(plugin.name, release, plugin.published_at)
      .Run();
  StoredRelease stored = ReadReleases("WHERE r.release = " + std::to_string(release)).at(0);
  txn.Commit();
  return stored;
}

StoredRelease SqliteServerStorage::RollBackPlugin(const std::string& name,
                                                  const std::string& version) {
  std::lock_guard lock(mutex_);
  Database& db = store_->OwnTablesConnection();
  Transaction txn(db);
  auto release = db.QueryInt(
      "SELECT MAX(release) FROM plugin_releases WHERE name = ? AND version = ?", name, version);
  if (!release) {
    auto versions = db.QueryText(
        "SELECT group_concat(version, ', ') FROM (SELECT version FROM plugin_releases "
        "WHERE name = ? GROUP BY version ORDER BY MIN(release))",
        name);
    throw NotFound(versions ? "plugin '" + name + "' has no version " + version +
                                  " (published: " + *versions + ")"
                            : "no plugin named '" + name + "' was ever published");
  }
  db.Prepare("INSERT OR REPLACE INTO plugin_current(name, release, since) VALUES(?, ?, ?)")
      .Bind(name, *release, env().NowIso())
      .Run();
  StoredRelease stored = ReadReleases("WHERE r.release = " + std::to_string(*release)).at(0);
  txn.Commit();
  return stored;
}

std::vector<StoredRelease> SqliteServerStorage::ListReleases() {
  std::lock_guard lock(mutex_);
  return ReadReleases("ORDER BY r.release DESC");
}

std::vector<StoredRelease> SqliteServerStorage::CurrentReleases() {
  std::lock_guard lock(mutex_);
  return ReadReleases("WHERE c.since IS NOT NULL ORDER BY r.name");
}

std::string SqliteServerStorage::ReleaseLibrary(int64_t release) {
  std::lock_guard lock(mutex_);
  auto text = store_->OwnTablesConnection().QueryText(
      "SELECT library_base64 FROM plugin_releases WHERE release = ?", release);
  if (!text) throw NotFound("no plugin release " + std::to_string(release));
  std::optional<std::string> library = Base64Decode(*text);
  if (!library) throw StorageError("plugin release " + std::to_string(release) + " is damaged");
  return *library;
}

std::string SqliteServerStorage::CurrentReleasesStamp() {
  std::lock_guard lock(mutex_);
  return store_->OwnTablesConnection()
      .QueryText(
          "SELECT group_concat(name || '=' || release, ',') FROM "
          "(SELECT name, release FROM plugin_current ORDER BY name)")
      .value_or("");
}

std::optional<std::string> SqliteServerStorage::SigningPublicKey() {
  std::lock_guard lock(mutex_);
  return store_->GetMeta(kSigningKeyMeta);
}

void SqliteServerStorage::SetSigningPublicKey(const std::string& public_hex) {
  std::lock_guard lock(mutex_);
  store_->SetMeta(kSigningKeyMeta, public_hex);
}

}  // namespace fieldcrm::sync
