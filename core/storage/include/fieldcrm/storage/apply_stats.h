// What applying a batch of changes did (Store::Write, Store::ApplyRemote).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

// What erasures did (docs/privacy.md): instructions newly applied, and the records, log entries
// and kept conflicts whose erased values they rewrote or removed.
struct ErasureStats {
  int64_t instructions = 0;
  int64_t records = 0;
  int64_t log_entries = 0;
  int64_t conflicts = 0;

  ErasureStats& operator+=(const ErasureStats& other) {
    instructions += other.instructions;
    records += other.records;
    log_entries += other.log_entries;
    conflicts += other.conflicts;
    return *this;
  }
};

struct ApplyStats {
  int64_t applied = 0;            // new to this replica
  int64_t duplicates = 0;         // already in the log, skipped
  int64_t conflicts = 0;          // concurrent same-field writes with different values
  Hlc max_hlc = 0;                // the latest stamp among the applied changes
  int64_t merged_duplicates = 0;  // records the hooks merged as duplicates (Store::ApplyRemote)
  // Records whose identity fields (StoreHooks), tombstone or merge links changed: the only ones
  // that can have become duplicates of another.
  std::vector<std::string> identity_changed;
  ErasureStats erased;  // what erasures among these changes, or covering them, rewrote
};

}  // namespace fieldcrm
