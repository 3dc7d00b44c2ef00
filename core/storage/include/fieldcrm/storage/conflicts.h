// Same-field conflicts kept for review: when two replicas wrote one field concurrently, the merge
// keeps the last writer and records the losing write here (local to this replica, not synced).
// Restoring a lost value writes it again as a new change, so it wins from now on and syncs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct LostWrite {
  std::string record;
  std::string kind;  // the record's kind ("" when the record is not on this replica)
  std::string field;
  nlohmann::json lost_value;  // null: the losing write removed the field
  std::string lost_device;
  Hlc lost_hlc = 0;
  nlohmann::json kept_value;
  std::string kept_device;
  Hlc kept_hlc = 0;
};

// The conflicts kept on this replica, oldest losing write first.
std::vector<LostWrite> ListConflicts(Store& store);

// Writes the lost value of the conflict (record, field, lost_hlc, lost_device) again, through
// Store::Write, and drops the conflict from the review list, in one transaction. Throws NotFound
// when no such conflict is kept.
void RestoreLostWrite(Store& store, const std::string& record, const std::string& field,
                      Hlc lost_hlc, const std::string& lost_device);

}  // namespace fieldcrm
