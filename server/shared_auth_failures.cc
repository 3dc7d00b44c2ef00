#include "fieldcrm/server/shared_auth_failures.h"

#include "fieldcrm/postgres/pg_connection.h"

namespace fieldcrm::sync {
namespace {

// One failure in this many clears the expired windows, so that a scan from many addresses does
// not grow the table without bound.
constexpr int64_t kPruneEvery = 256;

}  // namespace

SharedAuthFailureLimiter::SharedAuthFailureLimiter(std::unique_ptr<postgres::PgConnection> conn,
                                                   int limit, int64_t window_ms, const Env& env)
    : conn_(std::move(conn)),
      tables_(PostgresTables(*conn_)),
      limit_(limit),
      window_ms_(window_ms),
      env_(env) {}

SharedAuthFailureLimiter::~SharedAuthFailureLimiter() = default;

int64_t SharedAuthFailureLimiter::RetryAfterSeconds(const std::string& address) {
  const int64_t now_ms = env_.NowMillis();
  std::lock_guard lock(mutex_);
  TableRows rows = tables_->Query(
      "SELECT window_start_ms + ? - ? FROM auth_failures WHERE address = ? AND failures >= ?",
      window_ms_, now_ms, address, limit_);
  if (rows.empty()) return 0;
  const int64_t left_ms = rows.Int(0, 0);
  return left_ms <= 0 ? 0 : (left_ms + 999) / 1000;
}

void SharedAuthFailureLimiter::NoteFailure(const std::string& address) {
  const int64_t now_ms = env_.NowMillis();
  std::lock_guard lock(mutex_);
  // Counted in one statement, so that processes failing the same address at once all count.
  tables_->Run(
      "INSERT INTO auth_failures(address, window_start_ms, failures) VALUES(?1, ?2, 1) "
      "ON CONFLICT(address) DO UPDATE SET "
      "failures = CASE WHEN ?2 - auth_failures.window_start_ms >= ?3 THEN 1 "
      "ELSE auth_failures.failures + 1 END, "
      "window_start_ms = CASE WHEN ?2 - auth_failures.window_start_ms >= ?3 THEN ?2 "
      "ELSE auth_failures.window_start_ms END",
      address, now_ms, window_ms_);
  if (++noted_ % kPruneEvery == 0) {
    tables_->Run("DELETE FROM auth_failures WHERE window_start_ms <= ?", now_ms - window_ms_);
  }
}

}  // namespace fieldcrm::sync
