// Tablets waiting for the log to move (GET /v1/sync/watch): a generation count that every push
// which applied changes bumps, and the waiters it wakes. Each waiter holds one of the server's
// connection threads, so at most max_waiters wait at once (the rest are refused, and fall back
// to periodic sync); Stop wakes them all so that a stopping server is not held up by them.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

namespace fieldcrm::sync {

class LogWatch {
 public:
  explicit LogWatch(size_t max_waiters) : max_waiters_(max_waiters) {}

  // A place among the waiters, given back when it goes out of scope.
  class Ticket {
   public:
    explicit Ticket(LogWatch& watch) : watch_(&watch) {}
    Ticket(Ticket&& other) noexcept : watch_(other.watch_) { other.watch_ = nullptr; }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

   private:
    LogWatch* watch_;
  };
  // nullopt when max_waiters already wait.
  std::optional<Ticket> Enter();

  // The log moved (a push applied changes): wakes every waiter.
  void Moved();
  // The current generation: what a waiter read before it looked at the log.
  uint64_t Generation();
  // Waits until the generation differs from `seen`, Stop was called, or wait_ms passed. Returns
  // whether the log moved since `seen`.
  bool WaitForMove(uint64_t seen, int64_t wait_ms);
  // From now on nobody waits: every waiter wakes (and answers "nothing new").
  void Stop();
  bool stopped();

 private:
  std::mutex mutex_;
  std::condition_variable moved_;
  uint64_t generation_ = 0;
  size_t waiters_ = 0;
  size_t max_waiters_;
  bool stopped_ = false;
};

}  // namespace fieldcrm::sync
