#include "fieldcrm/sync/session_sync.h"

#include <filesystem>

#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_host/plugin_signature.h"
#include "fieldcrm/sync/sync_lock.h"

namespace fieldcrm::sync {

namespace {

constexpr const char* kServerKey = "sync.server";
constexpr const char* kTokenKey = "sync.token";
constexpr const char* kCaFileKey = "sync.ca_file";

std::string Remembered(Store& store, const std::string& given, const char* key,
                       const char* option) {
  if (!given.empty()) return given;
  if (auto known = store.GetMeta(key)) return *known;
  throw InvalidInput(std::string("no ") + option +
                     " given and none remembered from an earlier sync");
}

// Deletes the store and its SQLite side files, token included; returns the files deleted.
std::string WipeStore(Session& session) {
  session.Close();  // closes the database before its files are removed
  std::string deleted;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::string file = session.options().db_path + suffix;
    if (std::filesystem::remove(file)) deleted += (deleted.empty() ? "" : ", ") + file;
  }
  std::filesystem::path delivered = DeliveredPluginsFolder(session.options().db_path);
  std::error_code error;
  if (std::filesystem::remove_all(delivered, error) > 0) deleted += ", " + delivered.string();
  return deleted;
}

void Add(SyncReport& total, const SyncReport& round) {
  total.sent += round.sent;
  total.received += round.received;
  total.conflicts += round.conflicts;
  total.merged += round.merged;
  total.erased += round.erased;
  total.erased_records += round.erased_records;
  total.refused.insert(total.refused.end(), round.refused.begin(), round.refused.end());
}

}  // namespace

ServerSettings RememberedServer(Store& store, const ServerSettings& given) {
  ServerSettings settings;
  settings.url = Remembered(store, given.url, kServerKey, "--server");
  settings.token = Remembered(store, given.token, kTokenKey, "--token");
  settings.ca_file = given.ca_file.empty() ? store.GetMeta(kCaFileKey).value_or("") : given.ca_file;
  settings.head_office_key = given.head_office_key;
  return settings;
}

void RememberServer(Store& store, const ServerSettings& settings) {
  Transaction remember = store.Transact();
  store.SetMeta(kServerKey, settings.url);
  store.SetMeta(kTokenKey, settings.token);
  store.SetMeta(kCaFileKey, settings.ca_file);
  if (!settings.head_office_key.empty()) {
    CheckPublicKey(settings.head_office_key);
    store.SetMeta(kHeadOfficeKeyMeta, settings.head_office_key);
  }
  remember.Commit();
}

SessionSyncReport SyncSession(Session& session, Transport& transport, const SyncOptions& options) {
  SessionSyncReport report;
  SyncLock one_at_a_time(session.options().db_path);
  try {
    SyncClient client(session.store(), transport, options);  // both rounds: one progress
    report.sync = client.Run();
    try {
      report.plugins = DeliverPlugins(transport, DeliveredPluginsFolder(session.options().db_path),
                                      session.store().GetMeta(kHeadOfficeKeyMeta).value_or(""));
    } catch (const Error& e) {
      // The changes were exchanged: a server without plugins to give (or gone meanwhile) fails
      // only this part, which the next sync tries again.
      report.plugins.refused.push_back(std::string("could not check head office's plugins: ") +
                                       e.what());
    }
    if (report.plugins.changed()) session.ReloadPlugins();
    report.warnings = report.plugins.refused;
    auto review =
        session.ReviewAfterSync(!report.sync.push_error.empty(), report.plugins.changed());
    if (review) {
      report.warnings.insert(report.warnings.end(), review->failures.begin(),
                             review->failures.end());
      if (review->created > 0) {
        Add(report.sync, client.Run());
      }
    }
  } catch (const ProtocolError& e) {
    if (e.code() != "wiped") throw;
    throw InvalidInput(std::string(e.what()) + ": deleted " + WipeStore(session));
  }
  return report;
}

nlohmann::json SyncStatus(Store& store) {
  const DeviceInfo& device = store.device();
  int64_t conflicts = store.ConflictCount();
  auto meta = [&](const char* key) { return store.GetMeta(key).value_or(""); };
  nlohmann::json skew = nullptr;
  if (auto text = store.GetMeta(kClockSkewKey)) skew = std::stoll(*text);
  auto progress = LastProgress(store);
  return {{"device", device.name},
          {"device_id", device.id},
          {"agent", device.agent},
          {"team", device.team},
          {"server", meta(kServerKey)},
          {"last_sync_at", meta(kLastSyncKey)},
          {"pending", PendingChanges(store)},
          {"server_cursor", std::stoll(store.GetMeta(kPullCursorKey).value_or("0"))},
          {"clock_skew_ms", skew},
          {"conflicts", conflicts},
          {"erasures", store.ErasureCount()},
          {"sync", progress ? progress->ToJson() : nlohmann::json()}};
}

}  // namespace fieldcrm::sync
