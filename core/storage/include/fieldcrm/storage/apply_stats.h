// What applying a batch of changes did (Store::Write, Store::ApplyRemote).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

struct ApplyStats {
  int64_t applied = 0;            // new to this replica
  int64_t duplicates = 0;         // already in the log, skipped
  int64_t conflicts = 0;          // concurrent same-field writes with different values
  Hlc max_hlc = 0;                // the latest stamp among the applied changes
  int64_t merged_duplicates = 0;  // records the hooks merged as duplicates (Store::ApplyRemote)
  // Records whose identity fields (StoreHooks), tombstone or merge links changed: the only ones
  // that can have become duplicates of another.
  std::vector<std::string> identity_changed;
};

}  // namespace fieldcrm
