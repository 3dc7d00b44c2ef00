#include "fieldcrm/sync/net_policy.h"

#include <arpa/inet.h>

#include <chrono>

namespace fieldcrm::sync {

namespace {

// Beyond this many addresses, expired windows are dropped so a scan from many addresses cannot
// grow the table without bound.
constexpr size_t kPruneAbove = 4096;

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  std::string bare = host;
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  if (bare == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, bare.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t LocalAuthFailureLimiter::RetryAfterSeconds(const std::string& address) {
  const int64_t now_ms = now_ms_();
  std::lock_guard lock(mutex_);
  auto it = windows_.find(address);
  if (it == windows_.end() || it->second.failures < limit_) return 0;
  int64_t left_ms = it->second.start_ms + window_ms_ - now_ms;
  if (left_ms <= 0) return 0;
  return (left_ms + 999) / 1000;
}

void LocalAuthFailureLimiter::NoteFailure(const std::string& address) {
  const int64_t now_ms = now_ms_();
  std::lock_guard lock(mutex_);
  if (windows_.size() > kPruneAbove) ForgetExpired(now_ms);
  auto [it, added] = windows_.try_emplace(address, Window{now_ms, 0});
  if (!added && now_ms - it->second.start_ms >= window_ms_) it->second = {now_ms, 0};
  ++it->second.failures;
}

void LocalAuthFailureLimiter::ForgetExpired(int64_t now_ms) {
  std::erase_if(windows_,
                [&](const auto& entry) { return now_ms - entry.second.start_ms >= window_ms_; });
}

}  // namespace fieldcrm::sync
