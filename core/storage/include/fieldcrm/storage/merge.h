// The merge function: how a replica takes in changes, its own or another's.
//
// Applying a set of changes gives the same state whatever their order and however often each
// one arrives (docs/merge-rules.md):
//  - a change is identified by (device, seq); one already in the log is skipped;
//  - each field keeps the write with the greatest (hlc, device, value): last writer wins;
//  - a write that loses to a concurrent write (neither writer saw the other's value) with a
//    different value is kept in the conflicts table for review;
//  - deletes are writes too: a record tombstone is the field "_deleted", a field removal a null
//  value.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

struct ApplyStats {
  int64_t applied = 0;            // new to this replica
  int64_t duplicates = 0;         // already in the log, skipped
  int64_t conflicts = 0;          // concurrent same-field writes with different values
  Hlc max_hlc = 0;                // the latest stamp among the applied changes
  int64_t merged_duplicates = 0;  // customers merged because they share a phone (Store only)
  // Customers whose phone, tombstone or merge links changed: the only ones that can have become
  // duplicates of another.
  std::vector<std::string> identity_changed;
};

// The two statements every applied change costs at the least (bench/ measures them alone as the
// floor the merge is compared with). The upsert is used only when the change wins its field.
inline constexpr const char* kAppendLogSql =
    "INSERT OR IGNORE INTO log(device, seq, hlc, base, kind, record, field, value) "
    "VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kUpsertFieldStateSql =
    "INSERT INTO field_state(record, field, value, hlc, device, base) VALUES(?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(record, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, "
    "device = excluded.device, base = excluded.base";

// Must run inside the caller's transaction, which makes a batch all-or-nothing.
ApplyStats ApplyChanges(Database& db, std::span<const Change> changes);

}  // namespace fieldcrm
