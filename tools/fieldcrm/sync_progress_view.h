// A long sync's progress on stderr, for the person waiting: on a terminal one bar per direction
// redrawn in place, otherwise plain lines (for logs and scripts). A transfer of one batch shows
// nothing; others at most four times a second, and always when a direction completes, so the
// last line of each carries its final counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "fieldcrm/sync/progress.h"

namespace fieldcrm::cli {

class SyncProgressView {
 public:
  // batch: changes per request (a direction longer than that is a long one); terminal: whether
  // `out` is one (a bar) or not (lines).
  SyncProgressView(std::ostream& out, int64_t batch, bool terminal)
      : out_(out), batch_(batch), terminal_(terminal) {}
  ~SyncProgressView();  // ends a bar left open (a failed sync)
  SyncProgressView(const SyncProgressView&) = delete;
  SyncProgressView& operator=(const SyncProgressView&) = delete;

  void Show(const sync::SyncProgress& progress);

 private:
  std::string Bar(const sync::SyncProgress& progress) const;
  void EndBar();

  std::ostream& out_;
  int64_t batch_;
  bool terminal_;
  bool bar_open_ = false;
  std::string direction_;  // of the last line drawn
  int64_t direction_from_ = -1;
  std::chrono::steady_clock::time_point last_drawn_;
};

}  // namespace fieldcrm::cli
