// What a team sees of a store, for the server's scoping of pushes and pulls: the team a customer
// belongs to (by its surviving root) and the log entries of the records a team may see. A record
// that hangs under no customer belongs to the team its `team` field names (a reception tablet's
// walk-in log: the plugin host stamps the writing device's team on it); without one it is global
// (surveys, plugin configurations): every team sees it.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct CustomerTeam {
  std::string root;  // the surviving customer
  std::string team;  // its team; empty when it has none
};
// nullopt when the store has no customer `customer`.
std::optional<CustomerTeam> FindCustomerTeam(Store& store, const std::string& customer);

// The field naming the team of a record that hangs under no customer.
inline constexpr const char* kRecordTeamField = "team";
// Whether a record with these fields hangs under a customer (its "customer" or "referee" link,
// the fields records.parent is read from).
bool LinksCustomer(const nlohmann::json& fields);
// The team stamped on record `id` when it hangs under no customer; nullopt for a global record,
// a record under a customer, or an id the store lacks.
std::optional<std::string> StampedTeam(Store& store, const std::string& record);

struct TeamLogQuery {
  int64_t after = 0;          // log positions after this one ...
  int64_t up_to = 0;          // ... up to this one
  std::string except_device;  // whose entries are left out (the caller's own)
  bool everything = false;    // head office: every entry, whatever its team
  std::string team;           // otherwise: global records, this team's stamped records and the
                              // records of this team's customers
  int64_t limit = 0;          // at most this many entries
};
// Calls visit(pos, change) for the entries the query selects, in log order, until it returns
// false. db is the store's own connection (StoreDatabase) or one that only reads
// (Database::OpenForReading), so that pulls read beside the writer; inside the caller's
// transaction, the entries come from one snapshot.
void ForEachTeamChange(Database& db, const TeamLogQuery& query,
                       const std::function<bool(int64_t pos, Change&& change)>& visit);
// The last log position db's snapshot holds (0 for an empty log): the head a page is read up to.
int64_t LogHeadOn(Database& db);

}  // namespace fieldcrm
