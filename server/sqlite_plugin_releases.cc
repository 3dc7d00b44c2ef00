// SqliteServerStorage's plugin releases (server schema step 4) and head office's signing key.
#include "fieldcrm/base/error.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

namespace {

constexpr const char* kSigningKeyMeta = "plugins.signing_public_key";

constexpr const char* kReleaseColumns =
    "r.release, r.name, r.version, r.kind, r.sha256, r.size, r.publisher, r.published_at, "
    "r.signature, CASE WHEN c.since IS NULL THEN 0 ELSE 1 END, COALESCE(c.since, '') "
    "FROM plugin_releases r LEFT JOIN plugin_current c ON c.release = r.release";

StoredRelease ReadRelease(const TableRows& rows, size_t r) {
  StoredRelease out;
  out.release = rows.Int(r, 0);
  out.plugin.name = rows.Text(r, 1);
  out.plugin.version = rows.Text(r, 2);
  out.plugin.kind = rows.Text(r, 3);
  out.plugin.sha256 = rows.Text(r, 4);
  out.plugin.size = rows.Int(r, 5);
  out.plugin.publisher = rows.Text(r, 6);
  out.plugin.published_at = rows.Text(r, 7);
  out.signature = rows.Text(r, 8);
  // The settings head office signed with it, from the signed statement itself.
  nlohmann::json file = nlohmann::json::parse(out.signature, nullptr, false);
  if (file.is_object() && file.value("statement", nlohmann::json()).is_string()) {
    nlohmann::json statement =
        nlohmann::json::parse(file["statement"].get<std::string>(), nullptr, false);
    if (statement.is_object()) out.plugin.config = statement.value("config", nlohmann::json());
  }
  out.current = rows.Int(r, 9) != 0;
  out.current_since = rows.Text(r, 10);
  return out;
}

// The texts of a one-column result, joined by separator.
std::string Joined(const TableRows& rows, const std::string& separator) {
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) out += (r ? separator : "") + rows.Text(r, 0);
  return out;
}

}  // namespace

std::vector<StoredRelease> SqliteServerStorage::ReadReleases(const std::string& where) {
  TableRows rows = tables_->Query(std::string("SELECT ") + kReleaseColumns + " " + where);
  std::vector<StoredRelease> releases;
  for (size_t r = 0; r < rows.size(); ++r) releases.push_back(ReadRelease(rows, r));
  return releases;
}

StoredRelease SqliteServerStorage::PublishRelease(const PluginRelease& plugin,
                                                  const std::string& signature,
                                                  const std::string& library) {
  std::lock_guard lock(mutex_);
  TablesTransaction txn(*tables_);
  TableRows other_bytes = tables_->Query(
      "SELECT sha256 FROM plugin_releases WHERE name = ? AND version = ? AND sha256 != ?",
      plugin.name, plugin.version, plugin.sha256);
  if (!other_bytes.empty()) {
    throw InvalidInput("version " + plugin.version + " of plugin '" + plugin.name +
                       "' was published before with other bytes: give the new build a new "
                       "version in its manifest");
  }
  int64_t release =
      tables_
          ->Query(
              "INSERT INTO plugin_releases(name, version, kind, sha256, size, publisher, "
              "published_at, signature, library_base64) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "RETURNING release",
              plugin.name, plugin.version, plugin.kind, plugin.sha256, plugin.size,
              plugin.publisher, plugin.published_at, signature, Base64Encode(library))
          .Int(0, 0);
  MakeCurrent(plugin.name, release, plugin.published_at);
  StoredRelease stored = ReadReleases("WHERE r.release = " + std::to_string(release)).at(0);
  txn.Commit();
  return stored;
}

StoredRelease SqliteServerStorage::RollBackPlugin(const std::string& name,
                                                  const std::string& version) {
  std::lock_guard lock(mutex_);
  TablesTransaction txn(*tables_);
  TableRows newest = tables_->Query(
      "SELECT MAX(release) FROM plugin_releases WHERE name = ? AND version = ?", name, version);
  if (!newest.OptText(0, 0)) {
    std::string versions = Joined(tables_->Query("SELECT version FROM plugin_releases WHERE name = "
                                                 "? GROUP BY version ORDER BY MIN(release)",
                                                 name),
                                  ", ");
    throw NotFound(!versions.empty() ? "plugin '" + name + "' has no version " + version +
                                           " (published: " + versions + ")"
                                     : "no plugin named '" + name + "' was ever published");
  }
  int64_t release = newest.Int(0, 0);
  MakeCurrent(name, release, env().NowIso());
  StoredRelease stored = ReadReleases("WHERE r.release = " + std::to_string(release)).at(0);
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
  TableRows text =
      tables_->Query("SELECT library_base64 FROM plugin_releases WHERE release = ?", release);
  if (text.empty()) throw NotFound("no plugin release " + std::to_string(release));
  std::optional<std::string> library = Base64Decode(text.Text(0, 0));
  if (!library) throw StorageError("plugin release " + std::to_string(release) + " is damaged");
  return *library;
}

std::string SqliteServerStorage::CurrentReleasesStamp() {
  std::lock_guard lock(mutex_);
  return Joined(
      tables_->Query(
          "SELECT name || '=' || CAST(release AS TEXT) FROM plugin_current ORDER BY name"),
      ",");
}

void SqliteServerStorage::MakeCurrent(const std::string& name, int64_t release,
                                      const std::string& since) {
  tables_->Run(
      "INSERT INTO plugin_current(name, release, since) VALUES(?, ?, ?) "
      "ON CONFLICT(name) DO UPDATE SET release = excluded.release, since = excluded.since",
      name, release, since);
}

// On SQLite in the store's meta table, where it always was; on PostgreSQL in fieldcrm_meta,
// shared by every process.
std::optional<std::string> SqliteServerStorage::SigningPublicKey() {
  std::lock_guard lock(mutex_);
  if (!pg_) return store_->GetMeta(kSigningKeyMeta);
  TableRows key = tables_->Query("SELECT value FROM fieldcrm_meta WHERE key = ?", kSigningKeyMeta);
  if (key.empty()) return std::nullopt;
  return key.Text(0, 0);
}

void SqliteServerStorage::SetSigningPublicKey(const std::string& public_hex) {
  std::lock_guard lock(mutex_);
  if (!pg_) return store_->SetMeta(kSigningKeyMeta, public_hex);
  tables_->Run(
      "INSERT INTO fieldcrm_meta(key, value) VALUES(?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      kSigningKeyMeta, public_hex);
}

}  // namespace fieldcrm::sync
