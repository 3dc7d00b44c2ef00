// A replica: one SQLite file holding the change log, the merged state and this device's identity.
// Every write goes through Write(), which turns it into stamped changes and applies them with the
// same merge function that applies changes from other replicas.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fieldcrm/base/env.h"
#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/merge.h"
#include "fieldcrm/storage/sqlite.h"

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
  // Creates a new store file; fails if path already holds one. The store reads the time from
  // env (its clock, the created_at and the model's timestamps), which must outlive it.
  static std::unique_ptr<Store> Create(const std::string& path, DeviceInfo device,
                                       const Env& env = Env::Default());
  static std::unique_ptr<Store> Open(const std::string& path, const Env& env = Env::Default());

  Database& db() { return db_; }
  const DeviceInfo& device() const { return device_; }
  HybridClock& clock() { return clock_; }
  const Env& env() const { return env_; }

  // A new record id, time-ordered by this device's clock.
  std::string NewId();

  // Stamps one change per field with this device's clock and sequence and applies them, in one
  // transaction (joins the caller's if there is one).
  ApplyStats Write(const std::string& kind, const std::string& record, const FieldValues& fields);

  // Applies changes received from other replicas in one transaction; then customers that now
  // share a phone number are merged into the earliest-created one (docs/merge-rules.md).
  ApplyStats ApplyRemote(std::span<const Change> changes);

  // Log entries in arrival order after position `after`; only this device's when own_only.
  struct LoggedChange {
    int64_t pos;
    Change change;
  };
  std::vector<LoggedChange> ReadLog(int64_t after, int64_t limit, bool own_only = false);
  // The highest sequence number this device has stamped.
  int64_t LastOwnSeq();

  std::optional<std::string> GetMeta(const std::string& key);
  void SetMeta(const std::string& key, const std::string& value);

 private:
  Store(const std::string& path, bool create, const Env& env);
  void LoadDevice();
  // Records, in the caller's transaction, the clock's latest stamp and the log position it
  // covers, so that opening the store does not scan the whole log for the latest stamp. Done
  // per applied batch: the few local writes since the last one are read at open.
  void CheckpointClock();
  static constexpr const char* kClockCheckpointKey = "clock_checkpoint";
  // Merges live customers sharing a phone with one of `customers` (see ApplyRemote).
  int64_t MergeDuplicatePhones(const std::vector<std::string>& customers);

  Database db_;
  const Env& env_;
  DeviceInfo device_;
  HybridClock clock_;
};

}  // namespace fieldcrm
