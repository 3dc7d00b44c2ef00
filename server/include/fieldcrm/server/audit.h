// The server's audit trail read back: a customer's full history from the change log, each change
// with who sent it (device, agent and team of its token) and when the server accepted it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "fieldcrm/server/server_tables.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm::sync {

// {"customer": root id, "ids": [root and aliases], "registered": the earliest-stamped change,
//  "changes": [{pos, record, field, value, device, agent, team, stamped_at, accepted_at}]} in
// the order the server logged them. Any id of the customer (an alias too) works; throws NotFound
// for an id the server has never seen as a customer. tables: the server's, with the audit trail.
nlohmann::json CustomerHistory(Store& store, ServerTables& tables, const std::string& customer);

}  // namespace fieldcrm::sync
