// Log compaction: a replica's log keeps every write it ever received, so it grows with every
// edit while the state does not. An entry that lost its field to a later write no longer decides
// anything once the server holds it: compaction deletes such entries (docs/merge-rules.md,
// "Compaction").
#pragma once

#include <cstdint>
#include <string>

#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

struct CompactionStats {
  int64_t removed = 0;  // superseded entries deleted
  int64_t kept = 0;     // entries left in the log
};

// Deletes the log entries superseded in field_state, except this device's own entries after
// own_acknowledged_pos (the server does not hold them yet), this device's latest sequence number
// (it numbers the next write) and the latest stamp (the clock restarts from it). Runs in one
// transaction (joins the caller's).
CompactionStats CompactLog(Database& db, const std::string& own_device,
                           int64_t own_acknowledged_pos);

// Bytes the log (with its index) and the state (field_state, records and their indexes) take in
// the file, from SQLite's dbstat.
struct StorageSizes {
  int64_t log_bytes = 0;
  int64_t state_bytes = 0;
};
StorageSizes MeasureStorage(Database& db);

}  // namespace fieldcrm
