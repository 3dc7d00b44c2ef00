// The failed-authentication limit shared by every server process on one PostgreSQL database
// (several processes behind a load balancer, docs/postgresql.md): the windows are rows of the
// table auth_failures, so an address gets the limit once in all, not once per process. Each
// failure is one upsert on a connection of the limiter's own (only failing requests come here, so
// tablets' syncs never wait for it); windows are timed by the storage's clock (Env: wall time, so
// that processes on several machines agree within their clocks' drift, far below a window).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "fieldcrm/base/env.h"
#include "fieldcrm/server/server_tables.h"
#include "fieldcrm/sync/net_policy.h"

namespace fieldcrm::postgres {
class PgConnection;
}

namespace fieldcrm::sync {

class SharedAuthFailureLimiter : public AuthFailureLimiter {
 public:
  // conn: the limiter's own (used under its lock); env must outlive the limiter.
  SharedAuthFailureLimiter(std::unique_ptr<postgres::PgConnection> conn, int limit,
                           int64_t window_ms, const Env& env);
  ~SharedAuthFailureLimiter() override;

  int64_t RetryAfterSeconds(const std::string& address) override;
  void NoteFailure(const std::string& address) override;

 private:
  std::unique_ptr<postgres::PgConnection> conn_;
  std::unique_ptr<ServerTables> tables_;
  int limit_;
  int64_t window_ms_;
  const Env& env_;
  std::mutex mutex_;
  int64_t noted_ = 0;  // failures noted by this process: every so often, expired rows go
};

}  // namespace fieldcrm::sync
