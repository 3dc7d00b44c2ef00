#include "fieldcrm/storage/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/clock_correction.h"
#include "fieldcrm/storage/erasure.h"
#include "fieldcrm/storage/log_row.h"
#include "fieldcrm/storage/merge.h"
#include "fieldcrm/storage/schema.h"
#include "fieldcrm/storage/store_database.h"
#include "fieldcrm/storage/uuid.h"

namespace fieldcrm {

using nlohmann::json;

Store::Store(const std::string& path, bool create, const StoreHooks& hooks, const Env& env)
    : db_(path, create), hooks_(hooks), env_(env), clock_(0, [&env] { return env.NowMillis(); }) {
  MigrateSchema(db_, kSchemaVersion, hooks_.observer);
  // WAL lets readers (reports, the server's pulls) run beside a writer; FULL makes every
  // acknowledged commit survive power loss, which sync's promises rest on.
  db_.Exec("PRAGMA journal_mode = WAL");
  db_.Exec("PRAGMA synchronous = FULL");
  db_.Exec("PRAGMA foreign_keys = ON");
  // Deleted and overwritten content is zeroed rather than left in free space, so that erased
  // values (docs/privacy.md) and dropped log entries are gone from the file, not merely unlinked.
  db_.Exec("PRAGMA secure_delete = ON");
}

std::unique_ptr<Store> Store::Create(const std::string& path, DeviceInfo device,
                                     const StoreHooks& hooks, const Env& env) {
  if (std::filesystem::exists(path)) {
    throw InvalidInput("'" + path + "' already exists: init creates a new store");
  }
  if (device.name.empty()) throw InvalidInput("a device name is required (--device NAME)");
  // Owner-only from the first byte: SQLite gives the -wal and -shm files the database's mode.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw StorageError("cannot create '" + path + "': " + std::strerror(errno));
  close(fd);
  std::unique_ptr<Store> store(new Store(path, true, hooks, env));
  if (device.id.empty()) device.id = NewUuidV7(env.NowMillis());
  Transaction txn(store->db_);
  store->SetMeta("device_id", device.id);
  store->SetMeta("device_name", device.name);
  store->SetMeta("agent", device.agent);
  store->SetMeta("team", device.team);
  store->SetMeta("created_at", env.NowIso());
  txn.Commit();
  store->LoadDevice();
  return store;
}

std::unique_ptr<Store> Store::Open(const std::string& path, const StoreHooks& hooks,
                                   const Env& env) {
  if (!std::filesystem::exists(path)) {
    throw NotFound("no store at '" + path + "' (create one with 'fieldcrm --db " + path +
                   " init --device NAME')");
  }
  if (std::filesystem::is_directory(path)) {
    throw InvalidInput("'" + path + "' is a folder; --db takes a store file, e.g. " +
                       (std::filesystem::path(path) / "tablet.db").string());
  }
  std::unique_ptr<Store> store(new Store(path, false, hooks, env));
  store->LoadDevice();
  return store;
}

void Store::LoadDevice() {
  auto id = GetMeta("device_id");
  if (!id) throw StorageError("store '" + db_.path() + "' has no device identity: re-run init");
  device_ = {*id, GetMeta("device_name").value_or(""), GetMeta("agent").value_or(""),
             GetMeta("team").value_or("")};
  // Stamps follow head office's clock as the last sync measured it (fieldcrm/storage/
  // clock_correction.h).
  clock_ = HybridClock(0, CorrectedWall(env_, ClockOffset(*this)));
  // The clock restarts after the latest stamp in the log: the checkpoint covers the log up to
  // its position, so only entries after it are read (a full scan took 0.1 s per million).
  int64_t checkpoint_pos = 0;
  Hlc latest = 0;
  if (auto checkpoint = GetMeta(kClockCheckpointKey)) {
    std::istringstream(*checkpoint) >> checkpoint_pos >> latest;
  }
  Statement& after = db_.Prepare("SELECT MAX(hlc), count(*) FROM log WHERE pos > ?");
  after.Bind(checkpoint_pos);
  after.Step();
  latest = std::max(latest, static_cast<Hlc>(after.Int(0)));  // NULL (none after) reads 0
  changes_since_checkpoint_ = after.Int(1);
  after.Reset();
  clock_.Observe(latest);
}

void Store::CheckpointClock() {
  int64_t pos = db_.QueryInt("SELECT MAX(pos) FROM log").value_or(0);
  SetMeta(kClockCheckpointKey, std::to_string(pos) + " " + std::to_string(clock_.last()));
  changes_since_checkpoint_ = 0;
}

std::optional<std::string> Store::GetMeta(const std::string& key) {
  return db_.QueryText("SELECT value FROM meta WHERE key = ?", key);
}

void Store::SetMeta(const std::string& key, const std::string& value) {
  db_.Prepare(
         "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = "
         "excluded.value")
      .Bind(key, value)
      .Run();
}

void Store::DeleteMeta(const std::string& key) {
  db_.Prepare("DELETE FROM meta WHERE key = ?").Bind(key).Run();
}

std::string Store::NewId() {
  Hlc now = clock_.Now();
  return NewUuidV7(HlcMillis(now), static_cast<uint16_t>(now & 0xFFF));
}

int64_t Store::LastOwnSeq() {
  return db_.QueryInt("SELECT MAX(seq) FROM log WHERE device = ?", device_.id).value_or(0);
}

namespace {

// The stored text of a value; text that is not UTF-8 (a terminal or file in another encoding) is
// refused naming the field rather than with the JSON library's words.
std::string DumpValue(const std::string& field, const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::type_error& e) {
    std::string detail = e.what();
    detail = detail.substr(detail.find("] ") == std::string::npos ? 0 : detail.find("] ") + 2);
    throw InvalidInput("'" + field + "' is not valid UTF-8 text (" + detail +
                       "); use a UTF-8 terminal or file");
  }
}

}  // namespace

ApplyStats Store::Write(const std::string& kind, const std::string& record,
                        const FieldValues& fields) {
  RecordFields one{record, fields};
  return WriteRecords(kind, std::span(&one, 1));
}

ApplyStats Store::WriteRecords(const std::string& kind, std::span<const RecordFields> records) {
  Transaction txn(db_);
  int64_t seq = LastOwnSeq();
  // Each change's base is the stamp of the value it replaces: one read per record (a new
  // record, as an import writes by the thousand, has none), then this batch's own stamps.
  std::map<std::string, std::map<std::string, Hlc, std::less<>>, std::less<>> bases;
  Statement& current = db_.Prepare("SELECT field, hlc FROM field_state WHERE record = ?");
  std::vector<Change> changes;
  for (const auto& [record, fields] : records) {
    auto [known, first] = bases.try_emplace(record);
    if (first) {
      current.Bind(record);
      while (current.Step())
        known->second.emplace(current.Text(0), static_cast<Hlc>(current.Int(1)));
      current.Reset();
    }
    for (const auto& [field, value] : fields) {
      Hlc& base = known->second[field];
      Change change{device_.id, ++seq, clock_.Now(), base, kind, record, field, std::nullopt};
      if (!value.is_null()) change.value = DumpValue(field, value);
      base = change.hlc;
      changes.push_back(std::move(change));
    }
  }
  ApplyStats stats = ApplyChanges(db_, hooks_, changes);
  changes_since_checkpoint_ += static_cast<int64_t>(changes.size());
  if (changes_since_checkpoint_ >= kCheckpointEvery) CheckpointClock();
  txn.Commit();
  return stats;
}

ApplyStats Store::ApplyRemote(std::span<const Change> changes) {
  Transaction txn(db_);
  ApplyStats stats = ApplyChanges(db_, hooks_, changes);
  clock_.Observe(stats.max_hlc);
  if (hooks_.merge_duplicates) {
    stats.merged_duplicates = hooks_.merge_duplicates(*this, stats.identity_changed);
  }
  CheckpointClock();
  txn.Commit();
  return stats;
}

ApplyStats Store::ApplySnapshot(std::span<const Change> winners,
                                std::span<const KeptConflict> conflicts) {
  Transaction txn(db_);
  ApplyStats stats = ApplyChanges(db_, hooks_, winners);
  for (const KeptConflict& conflict : conflicts) KeepConflict(db_, conflict);
  clock_.Observe(stats.max_hlc);
  CheckpointClock();
  txn.Commit();
  return stats;
}

std::vector<Store::LoggedChange> Store::ReadLog(int64_t after, int64_t limit, bool own_only) {
  Statement& stmt = db_.Prepare("SELECT pos, " FIELDCRM_LOG_CHANGE_COLUMNS
                                " FROM log WHERE pos > ? AND (? = 0 OR device = ?) ORDER BY pos "
                                "LIMIT ?");
  stmt.Bind(after, own_only ? 1 : 0, device_.id, limit);
  std::vector<LoggedChange> out;
  while (stmt.Step()) out.push_back({stmt.Int(0), ReadLogRow(stmt, 1)});
  stmt.Reset();
  return out;
}

std::vector<Store::LoggedChange> Store::ReadOwnLog(int64_t after_seq, int64_t limit) {
  Statement& stmt = db_.Prepare("SELECT pos, " FIELDCRM_LOG_CHANGE_COLUMNS
                                " FROM log WHERE device = ? AND seq > ? ORDER BY seq LIMIT ?");
  stmt.Bind(device_.id, after_seq, limit);
  std::vector<LoggedChange> out;
  while (stmt.Step()) out.push_back({stmt.Int(0), ReadLogRow(stmt, 1)});
  stmt.Reset();
  return out;
}

std::optional<std::vector<std::string>> Store::RecordsLoggedAfter(int64_t after,
                                                                  int64_t max_records) {
  Statement& stmt = db_.Prepare("SELECT DISTINCT record FROM log WHERE pos > ? LIMIT ?");
  stmt.Bind(after, max_records + 1);
  std::vector<std::string> records;
  while (stmt.Step()) records.push_back(stmt.Text(0));
  stmt.Reset();
  if (static_cast<int64_t>(records.size()) > max_records) return std::nullopt;
  return records;
}

std::vector<Store::LoggedChange> Store::ReadRecordLog(const std::vector<std::string>& records) {
  Statement& stmt = db_.Prepare("SELECT pos, " FIELDCRM_LOG_CHANGE_COLUMNS
                                " FROM log WHERE record = ? ORDER BY pos");
  std::vector<LoggedChange> out;
  for (const std::string& record : records) {
    stmt.Bind(record);
    while (stmt.Step()) out.push_back({stmt.Int(0), ReadLogRow(stmt, 1)});
    stmt.Reset();
  }
  std::sort(out.begin(), out.end(),
            [](const LoggedChange& a, const LoggedChange& b) { return a.pos < b.pos; });
  return out;
}

Database& StoreDatabase(Store& store) {
  return store.db_;
}

ApplyStats ApplyChanges(Store& store, std::span<const Change> changes) {
  return ApplyChanges(store.db_, store.hooks_, changes);
}

void Store::IndexHistory() {
  db_.Exec(
      "CREATE INDEX IF NOT EXISTS log_by_record ON log(record);"
      "CREATE INDEX IF NOT EXISTS log_by_field ON log(field, hlc);"
      // The customers' stage writes by record, covering what LoadCustomerFacts reads of them for
      // every customer's stage as of a past time: no log row is read, and only stage writes pay
      // for an entry. The query names it by the same `+field` (which keeps SQLite off
      // log_by_field: that read every stage write's log row, and sorted them).
      "CREATE INDEX IF NOT EXISTS log_stage_by_record ON log(record, hlc, device, value) "
      "WHERE kind = 'customer' AND +field = 'stage';"
      // The stage moves (not registrations) by time, for the reports' stage_moves: a period's
      // moves without reading its registrations' log rows.
      "CREATE INDEX IF NOT EXISTS log_stage_moves ON log(hlc, record, value) "
      "WHERE kind = 'customer' AND +field = 'stage' AND base <> 0;");
}

int64_t Store::LogHead() {
  return db_.QueryInt("SELECT MAX(pos) FROM log").value_or(0);
}

int64_t Store::LogSize() {
  return db_.QueryInt("SELECT count(*) FROM log").value_or(0);
}

int64_t Store::OwnChangesAfter(int64_t after) {
  return db_.QueryInt("SELECT count(*) FROM log WHERE device = ? AND pos > ?", device_.id, after)
      .value_or(0);
}

std::optional<Change> Store::FindChange(const std::string& device, int64_t seq) {
  return FindLoggedChange(db_, device, seq);
}

std::optional<Store::RecordPlace> Store::FindRecord(const std::string& record) {
  Statement& stmt = db_.Prepare("SELECT kind, parent FROM records WHERE id = ?");
  stmt.Bind(record);
  std::optional<RecordPlace> place;
  if (stmt.Step()) place = RecordPlace{stmt.Text(0), stmt.OptText(1)};
  stmt.Reset();
  return place;
}

int64_t Store::ConflictCount() {
  return db_.QueryInt("SELECT count(*) FROM conflicts").value_or(0);
}

Store::Erasure Store::Erase(const std::string& customer) {
  Transaction txn(db_);
  auto place = FindRecord(customer);
  // A customer, or a record under none (an unregistered walk-in holding a phone and a name).
  bool erasable =
      place && (place->kind == "customer" || (!place->parent && place->kind != kErasureKind));
  if (!erasable) {
    throw NotFound("no customer '" + customer + "' on this store (give a customer id)");
  }
  Erasure erasure;
  erasure.kind = place->kind;
  if (IsErasedCustomer(db_, customer)) {
    erasure.already_erased = true;
    return erasure;
  }
  erasure.id = NewId();
  erasure.removed = Write(kErasureKind, erasure.id, {{"customer", customer}}).erased;
  txn.Commit();
  return erasure;
}

int64_t Store::ErasureCount() {
  return db_.QueryInt("SELECT count(*) FROM records WHERE kind = ?", kErasureKind).value_or(0);
}

bool Store::PurgeErasedBytes() {
  // The first column is 1 when a reader or writer kept the checkpoint from completing.
  return db_.QueryInt("PRAGMA wal_checkpoint(TRUNCATE)").value_or(1) == 0;
}

CompactionStats Store::Compact(int64_t own_acknowledged_pos) {
  return CompactLog(db_, device_.id, own_acknowledged_pos);
}

StorageSizes Store::MeasureSizes() {
  return MeasureStorage(db_);
}

void Store::Vacuum() {
  db_.Exec("VACUUM");
}

}  // namespace fieldcrm
