#include "fieldcrm/sync/session_sync.h"

#include <filesystem>

#include "fieldcrm/base/error.h"

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
  return settings;
}

void RememberServer(Store& store, const ServerSettings& settings) {
  Transaction remember = store.Transact();
  store.SetMeta(kServerKey, settings.url);
  store.SetMeta(kTokenKey, settings.token);
  store.SetMeta(kCaFileKey, settings.ca_file);
  remember.Commit();
}

SessionSyncReport SyncSession(Session& session, Transport& transport, const SyncOptions& options) {
  SessionSyncReport report;
  try {
    report.sync = SyncClient(session.store(), transport, options).Run();
    auto review = session.ReviewAfterSync(report.sync.received, !report.sync.push_error.empty());
    if (review) {
      report.warnings = review->failures;
      if (review->created > 0) {
        Add(report.sync, SyncClient(session.store(), transport, options).Run());
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
          {"erasures", store.ErasureCount()}};
}

}  // namespace fieldcrm::sync
