#include "fieldcrm/sync/progress.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

std::string Rounded(double value, const char* unit) {
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, unit);
  return text;
}

}  // namespace

std::string DescribeBytes(int64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " B";
  if (bytes < 1'000'000) return Rounded(static_cast<double>(bytes) / 1e3, "KB");
  if (bytes < 1'000'000'000) return Rounded(static_cast<double>(bytes) / 1e6, "MB");
  return Rounded(static_cast<double>(bytes) / 1e9, "GB");
}

double SyncProgress::Fraction() const {
  int64_t span = Total() - direction_from;
  if (span <= 0) return 1;
  return std::clamp(static_cast<double>(Done() - direction_from) / static_cast<double>(span), 0.0,
                    1.0);
}

double SyncProgress::Rate() const {
  int64_t elapsed_ms = updated_ms - direction_started_ms;
  if (elapsed_ms <= 0 || Done() <= direction_from) return 0;
  return static_cast<double>(Done() - direction_from) * 1000.0 / static_cast<double>(elapsed_ms);
}

std::optional<int64_t> SyncProgress::SecondsLeft() const {
  double rate = Rate();
  if (rate <= 0) return std::nullopt;
  return static_cast<int64_t>(std::ceil(static_cast<double>(Total() - Done()) / rate));
}

std::string SyncProgress::Line() const {
  if (direction.empty()) return "nothing exchanged yet";
  std::string line =
      direction == "send"
          ? "sent " + std::to_string(sent) + "/" + std::to_string(to_send) + " changes"
          : "received " + std::to_string(received) + " changes (server position " +
                std::to_string(pull_at) + " of " + std::to_string(pull_head) + ")";
  line += ", " + DescribeBytes(direction == "send" ? bytes_sent : bytes_received);
  if (double rate = Rate(); rate > 0) {
    line += ", " + std::to_string(std::llround(rate)) + " changes/s";
  }
  if (Done() >= Total()) {
    int64_t took_ms = updated_ms - direction_started_ms;
    line += ", in " + Rounded(static_cast<double>(took_ms) / 1000.0, "s");
  } else if (auto left = SecondsLeft()) {
    line += ", " + std::to_string(*left) + " s left";
  }
  return line;
}

json SyncProgress::ToJson() const {
  json out = {{"state", state},
              {"direction", direction},
              {"to_send", to_send},
              {"sent", sent},
              {"received", received},
              {"pull_head", pull_head},
              {"pull_at", pull_at},
              {"direction_from", direction_from},
              {"bytes_sent", bytes_sent},
              {"bytes_received", bytes_received},
              {"started_ms", started_ms},
              {"direction_started_ms", direction_started_ms},
              {"updated_ms", updated_ms},
              {"pid", pid},
              {"error", error}};
  // Derived, for people and scripts; FromJson ignores them.
  out["fraction"] = Fraction();
  out["rate_per_s"] = Rate();
  auto left = SecondsLeft();
  out["seconds_left"] = left ? json(*left) : json();
  out["line"] = Line();
  return out;
}

SyncProgress SyncProgress::FromJson(const json& in) {
  SyncProgress p;
  p.state = in.value("state", "");
  p.direction = in.value("direction", "");
  p.to_send = in.value("to_send", int64_t{0});
  p.sent = in.value("sent", int64_t{0});
  p.received = in.value("received", int64_t{0});
  p.pull_head = in.value("pull_head", int64_t{0});
  p.pull_at = in.value("pull_at", int64_t{0});
  p.direction_from = in.value("direction_from", int64_t{0});
  p.bytes_sent = in.value("bytes_sent", int64_t{0});
  p.bytes_received = in.value("bytes_received", int64_t{0});
  p.started_ms = in.value("started_ms", int64_t{0});
  p.direction_started_ms = in.value("direction_started_ms", int64_t{0});
  p.updated_ms = in.value("updated_ms", int64_t{0});
  p.pid = in.value("pid", int64_t{0});
  p.error = in.value("error", "");
  return p;
}

std::optional<SyncProgress> LastProgress(Store& store) {
  auto text = store.GetMeta(kProgressKey);
  if (!text) return std::nullopt;
  json record = json::parse(*text, nullptr, false);
  if (!record.is_object()) return std::nullopt;
  SyncProgress progress = SyncProgress::FromJson(record);
  if (progress.state == "running" && progress.pid != getpid() &&
      kill(static_cast<pid_t>(progress.pid), 0) != 0 && errno == ESRCH) {
    progress.state = "interrupted";  // killed mid-sync: the next sync resumes it
  }
  return progress;
}

}  // namespace fieldcrm::sync
