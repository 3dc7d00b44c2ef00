// Who may see and change what. An agent's token reaches the customers of its team and everything
// hanging off them (interactions, tasks, deals, referrals), and the records without a customer
// stamped with its team (a reception tablet's walk-in log, fieldcrm/model/team_scope.h); the other
// records without a customer (plugin configuration, survey definitions) are global: everyone
// receives them, only head office writes them. A head-office token reaches everything. A team
// leader syncs like an agent of the team and also reads the team's pages of the dashboard (and no
// other team's).
#pragma once

#include <optional>
#include <string>

#include "fieldcrm/storage/change.h"

namespace fieldcrm::sync {

enum class Role { kAgent, kOffice, kLeader };
std::string RoleName(Role role);
// "agent", "leader" or "office"; throws InvalidInput otherwise.
Role ParseRole(const std::string& name);

// The caller of a request, from its token.
struct Principal {
  std::string token_id;
  std::string agent;
  std::string team;
  Role role = Role::kAgent;
};

// Where a record belongs: global, under a customer (the surviving one) of a team, or to a team
// without a customer (a record stamped with its team: customer empty).
struct RecordScope {
  bool global = false;
  std::string customer;
  std::string team;  // empty when the customer has none
};

// Why `who` may not write `change` to a record in `scope` (nullopt: allowed). For a customer's
// "_merged_into" change, merge_target is the scope of the customer it would merge into.
std::optional<std::string> WriteRefusal(const Principal& who, const Change& change,
                                        const RecordScope& scope,
                                        const std::optional<RecordScope>& merge_target);

}  // namespace fieldcrm::sync
