// The dashboard's people: head office's admin adds them (`fieldcrm-server users add NAME --team T
// --role leader|office`, the password on stdin) and they log in at / with their name and password
// instead of pasting a token. A team leader sees their own team's pages and customers only; an
// office person sees everything. Only a scrypt hash of each password is kept (password.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fieldcrm/server/scope.h"
#include "fieldcrm/server/server_storage.h"

namespace fieldcrm::sync {

// The prefix of the token_id of a logged-in person's Principal: "user:NAME".
inline constexpr std::string_view kUserPrincipalPrefix = "user:";

// Adds user (or gives them a new password, team and role), filling in created_at. Throws
// InvalidInput for an empty name, the agent role (agents use tokens), a leader without a team
// or a password shorter than kMinPasswordLength.
void AddDashboardUser(ServerStorage& storage, DashboardUser user, std::string_view password);

// Who name is, when password is theirs; nullopt otherwise. An unknown name costs the same scrypt
// work as a wrong password, so response times do not tell which names exist.
std::optional<Principal> CheckPassword(ServerStorage& storage, const std::string& name,
                                       std::string_view password);

// Who a logged-in person acts as now: nullopt when they were removed since they logged in; their
// current team and role otherwise. principal: a session's, from CheckPassword.
std::optional<Principal> CurrentUser(ServerStorage& storage, const Principal& principal);

}  // namespace fieldcrm::sync
