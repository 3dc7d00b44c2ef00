#include "fieldcrm/postgres/log_listener.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "fieldcrm/base/error.h"
#include "fieldcrm/postgres/pg_connection.h"

namespace fieldcrm::postgres {
namespace {

constexpr int kReconnectMs = 1000;

std::unique_ptr<PgConnection> Listen(const std::string& url) {
  auto conn = std::make_unique<PgConnection>(url);
  conn->Exec(std::string("LISTEN ") + kLogChannel);
  return conn;
}

}  // namespace

LogListener::LogListener(const std::string& url, std::function<void()> moved)
    : url_(url), moved_(std::move(moved)) {
  // The first connection is made here, so that a wrong URL fails the caller, not the thread.
  std::unique_ptr<PgConnection> first = Listen(url_);
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) throw StorageError("cannot create an eventfd for the log listener");
  thread_ = std::thread([this, conn = std::move(first)]() mutable {
    while (!stop_) {
      try {
        if (!conn) {
          conn = Listen(url_);
          moved_();  // something may have been appended while it was away
        }
        pollfd waits[2] = {{conn->Socket(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (poll(waits, 2, -1) < 0) continue;  // EINTR
        if (waits[1].revents != 0) break;
        if (conn->TakeNotifications() > 0) moved_();
      } catch (const std::exception&) {
        conn.reset();  // lost, or not back yet: try again shortly
        pollfd wake{wake_fd_, POLLIN, 0};
        poll(&wake, 1, kReconnectMs);
      }
    }
  });
}

LogListener::~LogListener() {
  stop_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof one);
  thread_.join();
  close(wake_fd_);
}

}  // namespace fieldcrm::postgres
