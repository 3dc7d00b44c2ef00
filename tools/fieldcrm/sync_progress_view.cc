#include "sync_progress_view.h"

#include <chrono>

namespace fieldcrm::cli {

namespace {

constexpr auto kMinRedraw = std::chrono::milliseconds(250);
constexpr int kBarWidth = 24;

}  // namespace

SyncProgressView::~SyncProgressView() {
  EndBar();
}

void SyncProgressView::EndBar() {
  if (!bar_open_) return;
  out_ << '\n' << std::flush;
  bar_open_ = false;
}

std::string SyncProgressView::Bar(const sync::SyncProgress& progress) const {
  auto filled = static_cast<int>(progress.Fraction() * kBarWidth);
  return "[" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(kBarWidth - filled), '.') + "] ";
}

void SyncProgressView::Show(const sync::SyncProgress& progress) {
  if (progress.state != "running") return EndBar();
  if (progress.Total() - progress.direction_from <= batch_) return;  // one request: not long
  // Receiving skips what is this tablet's own or another team's: nothing to tell until
  // something arrives.
  if (progress.direction == "receive" && progress.received == 0) return;
  bool same = progress.direction == direction_ && progress.direction_from == direction_from_;
  bool complete = progress.Done() >= progress.Total();
  auto now = std::chrono::steady_clock::now();
  if (same && !complete && now - last_drawn_ < kMinRedraw) return;
  if (!same) EndBar();
  direction_ = progress.direction;
  direction_from_ = progress.direction_from;
  last_drawn_ = now;
  if (terminal_) {
    out_ << "\r\x1b[K" << Bar(progress) << progress.Line() << std::flush;
    bar_open_ = true;
    if (complete) EndBar();
  } else {
    out_ << progress.Line() << '\n' << std::flush;
  }
}

}  // namespace fieldcrm::cli
