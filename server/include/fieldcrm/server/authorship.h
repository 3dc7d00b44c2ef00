// Authorship the server vouches for. Commissions (a deal's agent), the first-registrant credit
// (报备: a customer's agent) and who made a visit, call or task (their agent) hang on the `agent`
// field of a record, which a tablet writes. An agent's token may therefore write that field only
// as itself: the value must be the token's own agent, and the record must not already be credited
// to someone else on the server. A team leader's token may credit any agent of its team (one
// holding a token of the team): a sales office's reception tablet, synced with its leader's token,
// registers walk-ins for the agent who received them. Head office's tokens may credit anyone. The
// change is refused on
// its own, with the field named, like any other refused change: the rest of the push is applied
// (docs/security.md says why refusing beats rewriting).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "fieldcrm/server/scope.h"
#include "fieldcrm/storage/change.h"

namespace fieldcrm::sync {

// The field that names who a record is credited to.
inline constexpr const char* kAuthorField = "agent";

// Why `who` may not write `change` (nullopt: allowed). credited_agent is the record's agent on
// the server before this push ("" or nullopt when it has none, or is new). team_agents: for a
// leader, the agents holding a token of its team (unused for other roles).
std::optional<std::string> AuthorshipRefusal(const Principal& who, const Change& change,
                                             const std::optional<std::string>& credited_agent,
                                             const std::set<std::string>& team_agents = {});

}  // namespace fieldcrm::sync
