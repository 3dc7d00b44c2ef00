// What a team sees of a store, for the server's scoping of pushes and pulls: the team a customer
// belongs to (by its surviving root) and the log entries of the records a team may see. Records
// that hang under no customer (surveys, plugin configurations) are global: every team sees them.
#pragma once

#include <cstdint>
#include <functional>
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

struct TeamLogQuery {
  int64_t after = 0;          // log positions after this one ...
  int64_t up_to = 0;          // ... up to this one
  std::string except_device;  // whose entries are left out (the caller's own)
  bool everything = false;    // head office: every entry, whatever its team
  std::string team;           // otherwise: global records and the records of this team's customers
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
