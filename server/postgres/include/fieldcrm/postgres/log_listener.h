// Tells this process when any server process on the database appended to the shared log, so that
// tablets waiting on GET /v1/sync/watch here hear of a push another process took (behind a load
// balancer a team's tablets watch on one process and push through others). SharedLog::Append
// sends NOTIFY on kLogChannel inside its transaction, which PostgreSQL delivers only once the
// entries are committed, so whoever is woken can read them. A thread of the listener's own
// waits on a connection of its own. If that connection is lost it reconnects every second and,
// once back, reports a move (one may have been missed meanwhile).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace fieldcrm::postgres {

// The channel SharedLog::Append notifies.
inline constexpr const char* kLogChannel = "fieldcrm_log";

class LogListener {
 public:
  // Starts listening on the database at url; moved runs on the listener's thread after each
  // notification (several that arrive together count once). Throws StorageError when url cannot
  // be reached now.
  LogListener(const std::string& url, std::function<void()> moved);
  // Stops the thread (at once: it also waits on a wake-up descriptor of its own).
  ~LogListener();
  LogListener(const LogListener&) = delete;
  LogListener& operator=(const LogListener&) = delete;

 private:
  void Run();

  std::string url_;
  std::function<void()> moved_;
  int wake_fd_ = -1;  // an eventfd the destructor writes to
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

}  // namespace fieldcrm::postgres
