// Every customer's tier and what is due, kept in memory so that Find by tier and Today answer at
// once on a store of 100,000 customers (grading and alerts read every customer's history).
// A background thread recomputes both on its own session over the same store file (SQLite WAL:
// a reader beside the app's writer) when started, every `period`, and when asked (after a sync);
// a write refreshes its own customer at once, on the app's session, and that fresher value is
// kept when an older full pass finishes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fieldcrm/application/session.h"
#include "fieldcrm/plugin_host/plugin_review.h"

namespace fieldcrm::tablet {

class Board {
 public:
  Board(SessionOptions options, std::chrono::milliseconds period);
  ~Board();  // stops the thread
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  // Starts the background thread; its first pass runs at once.
  void Start();
  // Stops it (before the store's files are removed by a wipe, say).
  void Stop();
  // Asks for a full pass now (what a sync received can change anyone's tier and alerts).
  void RefreshAll();
  // Recomputes the root customer `root` on the caller's session (after a write to it).
  void RefreshCustomer(Session& session, const std::string& root);

  bool ready() const;                             // the first full pass has finished
  std::optional<std::string> last_error() const;  // why the last pass failed
  std::optional<sdk::TierGrade> Grade(const std::string& root) const;
  // Up to limit customers of the tier, newest id first.
  std::vector<std::string> OfTier(char tier, int limit) const;
  // Alerts for `agent` ("" = everyone's), by due time.
  std::vector<DueAlert> Alerts(const std::string& agent) const;

 private:
  struct Snapshot {
    std::map<std::string, sdk::TierGrade> grades;
    std::map<std::string, std::vector<DueAlert>> alerts;  // by customer
  };
  static Snapshot Compute(Session& session, const std::optional<std::string>& only);
  void Run();

  SessionOptions options_;
  std::chrono::milliseconds period_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool refresh_asked_ = false;
  bool ready_ = false;
  std::optional<std::string> last_error_;
  Snapshot snapshot_;
  uint64_t generation_ = 0;                    // counts single-customer refreshes
  std::map<std::string, uint64_t> refreshed_;  // customer -> generation of its last refresh
  std::thread thread_;
};

}  // namespace fieldcrm::tablet
