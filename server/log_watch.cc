#include "fieldcrm/server/log_watch.h"

#include <chrono>

namespace fieldcrm::sync {

LogWatch::Ticket::~Ticket() {
  if (!watch_) return;
  std::lock_guard lock(watch_->mutex_);
  --watch_->waiters_;
}

std::optional<LogWatch::Ticket> LogWatch::Enter() {
  std::lock_guard lock(mutex_);
  if (waiters_ >= max_waiters_) return std::nullopt;
  ++waiters_;
  return std::optional<Ticket>(std::in_place, *this);
}

void LogWatch::Moved() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  moved_.notify_all();
}

uint64_t LogWatch::Generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

bool LogWatch::WaitForMove(uint64_t seen, int64_t wait_ms) {
  std::unique_lock lock(mutex_);
  moved_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                  [&] { return stopped_ || generation_ != seen; });
  return generation_ != seen;
}

void LogWatch::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  moved_.notify_all();
}

bool LogWatch::stopped() {
  std::lock_guard lock(mutex_);
  return stopped_;
}

}  // namespace fieldcrm::sync
