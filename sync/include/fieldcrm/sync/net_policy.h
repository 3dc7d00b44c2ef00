// Transport security policy shared by the server and the client: plain HTTP is for loopback only,
// and failed authentications are rate-limited per remote address.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fieldcrm::sync {

// True for "localhost", 127.0.0.0/8 and ::1 (with or without brackets): addresses whose traffic
// never leaves the machine, the only ones plain HTTP may be used on.
bool IsLoopbackHost(const std::string& host);

// Counts failed authentications per remote address in fixed windows. Once an address reaches the
// limit within a window, its failing requests are answered 429 until the window ends. Requests
// with a valid token are never limited, so tablets behind the same NAT address as a misbehaving
// device keep syncing (guessing a 256-bit token is hopeless either way; the limit caps the work and
// log noise a flood of bad tokens causes). Only failing requests consult it. Implementations are
// safe to call from any thread.
class AuthFailureLimiter {
 public:
  virtual ~AuthFailureLimiter() = default;
  // Seconds (at least 1) until address may fail again; 0 while it is under the limit.
  virtual int64_t RetryAfterSeconds(const std::string& address) = 0;
  virtual void NoteFailure(const std::string& address) = 0;
};

// Milliseconds on the steady clock: the local limiter's default time.
int64_t SteadyMillis();

// The windows in this process's memory: a single server's (several processes on one database
// share theirs in it: server/include/fieldcrm/server/shared_auth_failures.h).
class LocalAuthFailureLimiter : public AuthFailureLimiter {
 public:
  LocalAuthFailureLimiter(int limit, int64_t window_ms,
                          std::function<int64_t()> now_ms = SteadyMillis)
      : limit_(limit), window_ms_(window_ms), now_ms_(std::move(now_ms)) {}

  int64_t RetryAfterSeconds(const std::string& address) override;
  void NoteFailure(const std::string& address) override;

 private:
  struct Window {
    int64_t start_ms = 0;
    int failures = 0;
  };
  void ForgetExpired(int64_t now_ms);

  int limit_;
  int64_t window_ms_;
  std::function<int64_t()> now_ms_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace fieldcrm::sync
