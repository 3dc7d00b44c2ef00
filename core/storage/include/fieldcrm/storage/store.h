// A replica: one SQLite file holding the change log, the merged state and this device's identity.
// Every write goes through Write(), which turns it into stamped changes and applies them with the
// same merge function that applies changes from other replicas.
//
// This is core's public surface for a store: its tables (log, field_state, records, conflicts,
// meta and the fact tables) and its connection stay inside core. Layers above use the named
// operations below; reports read through the reporting contract (fieldcrm/projections/
// reporting.h); a layer that keeps tables of its own in the same file borrows the connection
// for them alone (OwnTablesConnection). tests/layers/layering_test.sh fails on SQL naming core's
// tables outside core.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fieldcrm/base/env.h"
#include "fieldcrm/storage/apply_stats.h"
#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/compaction.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/snapshot.h"
#include "fieldcrm/storage/sqlite.h"
#include "fieldcrm/storage/store_hooks.h"

namespace fieldcrm {

struct DeviceInfo {
  std::string id{};     // globally unique, generated at init
  std::string name{};   // what people call the tablet ("booth-3")
  std::string agent{};  // the agent using it, if any
  std::string team{};   // the agent's team, if any
};

// Field name -> new value; a null json removes the field.
using FieldValues = std::vector<std::pair<std::string, nlohmann::json>>;

class Store {
 public:
  // Creates a new store file; fails if path already holds one. hooks (which must outlive the
  // store) are what the layers above plug in: open every store of a file with the same ones
  // (OpenCustomerStore in fieldcrm/projections/customer_store.h does). The store reads the time
  // from env (its clock, the created_at and the model's timestamps), which must outlive it.
  static std::unique_ptr<Store> Create(const std::string& path, DeviceInfo device,
                                       const StoreHooks& hooks, const Env& env = Env::Default());
  static std::unique_ptr<Store> Open(const std::string& path, const StoreHooks& hooks,
                                     const Env& env = Env::Default());

  const DeviceInfo& device() const { return device_; }
  const std::string& path() const { return db_.path(); }
  HybridClock& clock() { return clock_; }
  const Env& env() const { return env_; }

  // A new record id, time-ordered by this device's clock.
  std::string NewId();

  // Stamps one change per field with this device's clock and sequence and applies them, in one
  // transaction (joins the caller's if there is one).
  ApplyStats Write(const std::string& kind, const std::string& record, const FieldValues& fields);
  // Write of many records of one kind at once (an import's customers): the same changes, stamped
  // in the same order, applied by one merge (ApplyChanges) so that the records, the facts and
  // the erasure check are settled once per batch rather than once per record.
  struct RecordFields {
    std::string record;
    FieldValues fields;
  };
  ApplyStats WriteRecords(const std::string& kind, std::span<const RecordFields> records);

  // Applies changes received from other replicas in one transaction; then the hooks merge the
  // records that have become duplicates (customers sharing a phone: docs/merge-rules.md).
  ApplyStats ApplyRemote(std::span<const Change> changes);

  // Installs a page of a snapshot (fieldcrm/storage/snapshot.h: the winning writes of a
  // replica's fields at one log position, in log order, and the conflicts kept for them) in one
  // transaction (joins the caller's): the same merge as ApplyRemote, so the winners enter the
  // log under their (device, seq) and a change met again later is a duplicate. Duplicates are
  // not merged here: the snapshot is the state of a replica that merged them already, and
  // merging part of it would write this device's own alias links where the snapshot's own ones
  // are still to come in later pages.
  ApplyStats ApplySnapshot(std::span<const Change> winners,
                           std::span<const KeptConflict> conflicts);

  // Log entries in arrival order after position `after`; only this device's when own_only.
  struct LoggedChange {
    int64_t pos;
    Change change;
  };
  std::vector<LoggedChange> ReadLog(int64_t after, int64_t limit, bool own_only = false);
  // This device's own entries numbered after after_seq, in order, at most `limit`: what is left
  // to push, read through the (device, seq) index whatever else the log holds after them.
  std::vector<LoggedChange> ReadOwnLog(int64_t after_seq, int64_t limit);
  // The distinct records of the log entries after position `after`, or nullopt when there are
  // more than max_records of them (the caller then treats the change as touching everything).
  std::optional<std::vector<std::string>> RecordsLoggedAfter(int64_t after, int64_t max_records);
  // Every log entry of the given records, in arrival order (a customer's audit history).
  std::vector<LoggedChange> ReadRecordLog(const std::vector<std::string>& records);
  // The highest sequence number this device has stamped.
  int64_t LastOwnSeq();

  std::optional<std::string> GetMeta(const std::string& key);
  void SetMeta(const std::string& key, const std::string& value);
  void DeleteMeta(const std::string& key);

  // A transaction on the store: everything done on it until Commit() commits together (or not at
  // all); nests inside a caller's.
  Transaction Transact() { return Transaction(db_); }

  // The store's connection, lent to a layer above for tables of its own that live in the same
  // file and commit in the same transactions (the server's tokens, devices, acks and audit
  // trail; their names start with the layer's prefix, e.g. sync_). Core's tables are not part
  // of the loan: reach them through the operations of this class, the model, or the reporting
  // contract only.
  Database& OwnTablesConnection() { return db_; }

  // The log's latest position (0 when empty): the server's sequence.
  int64_t LogHead();
  // Entries in the log (after compaction, those that still decide something).
  int64_t LogSize();
  // This device's own changes logged after position `after`: what is still to push.
  int64_t OwnChangesAfter(int64_t after);
  // The change logged under (device, seq), if any.
  std::optional<Change> FindChange(const std::string& device, int64_t seq);
  // A record the store has: the kind it was written as and the record it hangs under (a visit's
  // customer, a referral's referee; nullopt for customers and top-level records).
  struct RecordPlace {
    std::string kind;
    std::optional<std::string> parent;
  };
  std::optional<RecordPlace> FindRecord(const std::string& record);

  // Same-field conflicts the merge kept for review (listed by fieldcrm/storage/conflicts.h).
  int64_t ConflictCount();

  // Erases a customer for good (docs/privacy.md), in one transaction: writes an erasure record
  // under it, which the merge applies here as on every replica that receives it: every value of
  // the customer, of the customers merged with it and of the records hanging under them becomes
  // kErasedValue, in the log too; kept conflicts and fact rows go. customer may also be a record
  // that hangs under no customer (an unregistered walk-in): it and what hangs under it are erased
  // alike (the erasure record's "customer" link names it). Throws NotFound for an id that is
  // neither here; one already erased is left as it is (already_erased).
  struct Erasure {
    std::string id;    // the erasure record's
    std::string kind;  // what was erased: "customer", or the record's kind
    bool already_erased = false;
    ErasureStats removed;
  };
  Erasure Erase(const std::string& customer);
  // Erasure records this store holds (customers erased, or erasures applied on a tablet).
  int64_t ErasureCount();
  // Moves the WAL into the file and truncates it (outside any transaction), so that the bytes an
  // erasure rewrote linger in neither file: the store zeroes what it frees (secure_delete), the
  // WAL still holds the earlier pages until then. False when a reader kept the WAL from being
  // emptied (run it again later).
  bool PurgeErasedBytes();

  // Log compaction (fieldcrm/storage/compaction.h) of this device's store: own entries after
  // own_acknowledged_pos stay until the server holds them.
  CompactionStats Compact(int64_t own_acknowledged_pos);
  StorageSizes MeasureSizes();
  // Indexes the log by record (ReadRecordLog: a customer's audit history) and by field and time,
  // the customers' stage writes by record (every customer's stage at a period's start, for tier
  // reports) and their stage moves by time (the reports' stage_moves), for a store that answers
  // those over a whole history: head office's. Tablets go without, as every index entry slows each
  // change they apply.
  // Idempotent.
  void IndexHistory();
  // Rewrites the file without its free pages (outside any transaction).
  void Vacuum();

  // Records, in the caller's transaction, the clock's latest stamp and the log position it
  // covers, so that opening the store does not scan the whole log for the latest stamp. Done
  // per applied batch, by local writes once kCheckpointEvery changes have gone unrecorded (a
  // tablet that only writes locally would otherwise read its whole log at every open), and by
  // whoever moves the clock's stamps (fieldcrm/storage/clock_correction.h).
  void CheckpointClock();

 private:
  friend Database& StoreDatabase(Store& store);
  friend ApplyStats ApplyChanges(Store& store, std::span<const Change> changes);
  Store(const std::string& path, bool create, const StoreHooks& hooks, const Env& env);
  void LoadDevice();
  static constexpr const char* kClockCheckpointKey = "clock_checkpoint";
  static constexpr int64_t kCheckpointEvery = 4096;

  Database db_;
  const StoreHooks& hooks_;
  const Env& env_;
  DeviceInfo device_;
  HybridClock clock_;
  int64_t changes_since_checkpoint_ = 0;  // log entries after the clock checkpoint
};

}  // namespace fieldcrm
