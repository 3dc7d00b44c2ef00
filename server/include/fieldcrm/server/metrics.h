// The server's metrics in Prometheus' text format (version 0.0.4), for GET /metrics with an
// office token. Counted as requests are answered, since the process started:
//   fieldcrm_http_requests_total{route, status}      answers by endpoint and HTTP status
//   fieldcrm_http_request_duration_seconds{route}    a histogram, headers read to answer sent
//   fieldcrm_http_requests_in_flight                 requests read and not yet answered
//   fieldcrm_changes_pushed_total{team}              changes accepted from the team's tablets
//   fieldcrm_changes_refused_total{team}             changes refused (scope, integrity)
//   fieldcrm_changes_pulled_total{team}              changes sent to the team's tablets
// Read from the store at each scrape (ServerStorage::ReadGauges):
//   fieldcrm_log_head                                the server's log position
//   fieldcrm_device_behind_entries{device, team, agent}  log entries (of any team) written since
//                                                    the device's last complete pull
//   fieldcrm_device_pending_changes{...}             changes it had not sent at its last sync
//   fieldcrm_device_seconds_since_sync{...}          since its last push or pull
//   fieldcrm_team_devices{team}, fieldcrm_team_max_seconds_since_sync{team}
//   fieldcrm_plugin_up{plugin, state}                1 loaded, 0 disabled or refused
// Routes are a fixed set (unknown paths count as "other"), so a scanner cannot grow the label
// space; teams and devices grow only with tokens head office issued.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fieldcrm/server/server_storage.h"

namespace fieldcrm::sync {

inline constexpr const char* kMetricsPath = "/metrics";

class ServerMetrics {
 public:
  // The route label of a request path.
  static std::string_view RouteOf(std::string_view path);

  // A request's headers were read (httplib's pre-routing hook).
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  // A request was answered after seconds since RequestStarted; nullopt for one httplib refused
  // before routing it (malformed headers), counted but not timed.
  void RequestAnswered(std::string_view path, int status, std::optional<double> seconds);
  void Pushed(const std::string& team, int64_t accepted, int64_t refused);
  void Pulled(const std::string& team, int64_t changes);

  // The exposition text: the counters above and gauges at now_ms.
  std::string Render(const ServerStorage::Gauges& gauges, int64_t now_ms);

 private:
  static constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                        0.5,   1,    2.5,   5,    10,  30};
  static constexpr size_t kBucketCount = std::size(kBuckets);
  struct Histogram {
    uint64_t buckets[kBucketCount] = {};  // cumulative: answers within kBuckets[i]
    uint64_t count = 0;
    double sum = 0;
  };
  struct TeamCounts {
    int64_t pushed = 0, refused = 0, pulled = 0;
  };
  std::atomic<int64_t> in_flight_{0};
  std::mutex mutex_;  // guards the maps
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram, std::less<>> durations_;
  std::map<std::string, TeamCounts> teams_;
};

}  // namespace fieldcrm::sync
