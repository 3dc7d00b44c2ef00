#include "fieldcrm/server/dashboard_users.h"

#include "fieldcrm/base/error.h"
#include "fieldcrm/server/password.h"

namespace fieldcrm::sync {

namespace {

Principal PrincipalOf(const DashboardUser& user) {
  return {std::string(kUserPrincipalPrefix) + user.name, user.name, user.team, user.role};
}

// Checked against when the name is unknown, so that it takes a wrong password's time.
const std::string& DecoyHash() {
  static const std::string hash = HashPassword("not anybody's password");
  return hash;
}

}  // namespace

void AddDashboardUser(ServerStorage& storage, DashboardUser user, std::string_view password) {
  if (user.name.empty()) throw InvalidInput("a dashboard user needs a name");
  if (user.role == Role::kAgent) {
    throw InvalidInput(
        "dashboard users are team leaders (--role leader) or head office "
        "(--role office); agents use their tablets' tokens");
  }
  if (user.role == Role::kLeader && user.team.empty()) {
    throw InvalidInput("a team leader needs their team (--team)");
  }
  user.created_at = storage.env().NowIso();
  storage.PutUser(user, HashPassword(password));
}

std::optional<Principal> CheckPassword(ServerStorage& storage, const std::string& name,
                                       std::string_view password) {
  auto found = storage.FindUser(name);
  if (!found) {
    VerifyPassword(password, DecoyHash());
    return std::nullopt;
  }
  if (!VerifyPassword(password, found->second)) return std::nullopt;
  return PrincipalOf(found->first);
}

std::optional<Principal> CurrentUser(ServerStorage& storage, const Principal& principal) {
  if (!principal.token_id.starts_with(kUserPrincipalPrefix)) return principal;
  auto found = storage.FindUser(principal.agent);
  if (!found) return std::nullopt;
  return PrincipalOf(found->first);
}

}  // namespace fieldcrm::sync
