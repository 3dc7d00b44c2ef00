// Authorship the server vouches for. Commissions (a deal's agent), the first-registrant credit
// (报备: a customer's agent) and who made a visit, call or task (their agent) hang on the `agent`
// field of a record, which a tablet writes. An agent's token may therefore write that field only
// as itself: the value must be the token's own agent, and the record must not already be credited
// to someone else on the server. Head office's tokens may credit anyone. The change is refused on
// its own, with the field named, like any other refused change: the rest of the push is applied
// (docs/security.md says why refusing beats rewriting).
#pragma once

#include <optional>
#include <string>

#include "fieldcrm/server/scope.h"
#include "fieldcrm/storage/change.h"

namespace fieldcrm::sync {

// The field that names who a record is credited to.
inline constexpr const char* kAuthorField = "agent";

// Why `who` may not write `change` (nullopt: allowed). credited_agent is the record's agent on
// the server before this push ("" or nullopt when it has none, or is new).
std::optional<std::string> AuthorshipRefusal(const Principal& who, const Change& change,
                                             const std::optional<std::string>& credited_agent);

}  // namespace fieldcrm::sync
