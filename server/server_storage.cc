#include "fieldcrm/server/server_storage.h"

#include "fieldcrm/base/error.h"
#include "fieldcrm/server/token.h"

namespace fieldcrm::sync {

std::string IssueToken(ServerStorage& storage, TokenInfo& info) {
  if (info.agent.empty()) throw InvalidInput("a token needs the agent it is for (--agent)");
  if (info.role != Role::kOffice && info.team.empty()) {
    throw InvalidInput("an agent's or team leader's token needs --team (or use --role office)");
  }
  std::string text = NewToken();
  std::string hash = Sha256Hex(text);
  info.id = TokenIdOf(hash);
  info.created_at = storage.env().NowIso();
  storage.AddToken(info, hash);
  return text;
}

std::unique_ptr<ServerStorage::Subscription> ServerStorage::FollowOtherWriters(
    std::function<void()>) {
  return nullptr;
}

std::unique_ptr<AuthFailureLimiter> ServerStorage::FailureLimiter(int limit, int64_t window_ms) {
  return std::make_unique<LocalAuthFailureLimiter>(limit, window_ms);
}

std::string TokenIdOf(const std::string& hash) {
  return hash.substr(0, 12);
}

}  // namespace fieldcrm::sync
