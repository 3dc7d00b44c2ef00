// The merge function: how a replica takes in changes, its own or another's.
//
// Applying a set of changes gives the same state whatever their order and however often each
// one arrives (docs/merge-rules.md):
//  - a change is identified by (device, seq); one already in the log is skipped;
//  - each field keeps the write with the greatest (hlc, device, value): last writer wins;
//  - a write that loses to a concurrent write (neither writer saw the other's value) with a
//    different value is kept in the conflicts table for review;
//  - deletes are writes too: a record tombstone is the field "_deleted", a field removal a null
//  value;
//  - erasures are records too (erasure.h): after each batch, what an erasure covers among the
//  records it touched is rewritten to kErasedValue, in the log as well; a change that differs
//  from the logged one only by having been erased is the same change.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fieldcrm/storage/apply_stats.h"
#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/snapshot.h"
#include "fieldcrm/storage/sqlite.h"
#include "fieldcrm/storage/store_hooks.h"

namespace fieldcrm {

// The two statements every applied change costs at the least (bench/ measures them alone as the
// floor the merge is compared with). The upsert is used only when the change wins its field.
inline constexpr const char* kAppendLogSql =
    "INSERT OR IGNORE INTO log(device, seq, hlc, base, kind, record, field, value) "
    "VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kUpsertFieldStateSql =
    "INSERT INTO field_state(record, field, value, hlc, device, base) VALUES(?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(record, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, "
    "device = excluded.device, base = excluded.base";

// The change logged under (device, seq), if any.
std::optional<Change> FindLoggedChange(Database& db, const std::string& device, int64_t seq);

// Keeps a same-field conflict for review (once: the same loser of a field is kept once).
void KeepConflict(Database& db, const KeptConflict& conflict);

// Must run inside the caller's transaction, which makes a batch all-or-nothing. hooks name the
// identity fields and fill the records table's indexed columns and derived tables.
ApplyStats ApplyChanges(Database& db, const StoreHooks& hooks, std::span<const Change> changes);

}  // namespace fieldcrm
