// A canonical text dump of a replica's merged state (field_state and records, ordered by key),
// for asserting that replicas converged byte for byte. Arrival order (log positions) is left out
// on purpose: it is the one thing that may differ between replicas.
#pragma once

#include <string>

#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm::testing {

std::string StateDump(Database& db);

}  // namespace fieldcrm::testing
