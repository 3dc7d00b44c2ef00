// Where fieldcrm reads the current time (LevelDB's Env::NowMicros): every "now" in the store, the
// sync client and the server comes from an Env, so a test fixes time by handing its own Env in
// instead of sleeping. Programs use Env::Default(), the system clock. Both Envs here are safe to
// call from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace fieldcrm {

class Env {
 public:
  virtual ~Env() = default;
  // Unix time in milliseconds.
  virtual int64_t NowMillis() const = 0;
  // Now as ISO-8601 UTC text with milliseconds ("2026-11-29T11:24:13.123Z").
  std::string NowIso() const;

  // The system clock; lives as long as the process.
  static Env& Default();
};

// A clock that stands still until told otherwise: for tests that check what a write stamps.
class ManualEnv final : public Env {
 public:
  explicit ManualEnv(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMillis() const override { return now_ms_.load(); }
  void Set(int64_t now_ms) { now_ms_.store(now_ms); }
  void Advance(int64_t ms) { now_ms_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_ms_;
};

// Unix ms as ISO-8601 UTC text with milliseconds, the form NowIso() gives.
std::string IsoMillis(int64_t unix_ms);

}  // namespace fieldcrm
