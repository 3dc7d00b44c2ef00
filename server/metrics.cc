#include "fieldcrm/server/metrics.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "fieldcrm/model/fields.h"
#include "fieldcrm/server/dashboard.h"
#include "fieldcrm/sync/protocol.h"

namespace fieldcrm::sync {

namespace {

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string Label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

void Header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::string_view ServerMetrics::RouteOf(std::string_view path) {
  for (const char* route : {kHealthPath, kPushPath, kPullPath, kPluginsPath, kPluginLibraryPath,
                            kLoginPath, kLogoutPath, kMetricsPath}) {
    if (path == route) return route;
  }
  if (path.starts_with("/v1/reports")) return "/v1/reports";
  if (path.starts_with("/assets/")) return "/assets";
  for (const char* page : kDashboardPages) {
    if (path == page) return "dashboard page";
  }
  return "other";
}

void ServerMetrics::RequestAnswered(std::string_view path, int status,
                                    std::optional<double> seconds) {
  std::string route(RouteOf(path));
  if (seconds) in_flight_.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  if (!seconds) return;
  Histogram& h = durations_[route];
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (*seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += *seconds;
}

void ServerMetrics::Pushed(const std::string& team, int64_t accepted, int64_t refused) {
  std::lock_guard lock(mutex_);
  TeamCounts& counts = teams_[team];
  counts.pushed += accepted;
  counts.refused += refused;
}

void ServerMetrics::Pulled(const std::string& team, int64_t changes) {
  std::lock_guard lock(mutex_);
  teams_[team].pulled += changes;
}

std::string ServerMetrics::Render(const ServerStorage::Gauges& gauges, int64_t now_ms) {
  std::ostringstream out;
  {
    std::lock_guard lock(mutex_);
    Header(out, "fieldcrm_http_requests_total", "counter",
           "Requests answered, by route and status.");
    for (const auto& [key, n] : requests_) {
      out << "fieldcrm_http_requests_total{route=\"" << Label(key.first) << "\",status=\""
          << key.second << "\"} " << n << '\n';
    }
    Header(out, "fieldcrm_http_request_duration_seconds", "histogram",
           "Time from a request's headers to its answer, by route.");
    for (const auto& [route, h] : durations_) {
      std::string labels = "route=\"" + Label(route) + "\"";
      for (size_t i = 0; i < kBucketCount; ++i) {
        out << "fieldcrm_http_request_duration_seconds_bucket{" << labels << ",le=\""
            << Number(kBuckets[i]) << "\"} " << h.buckets[i] << '\n';
      }
      out << "fieldcrm_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} "
          << h.count << '\n'
          << "fieldcrm_http_request_duration_seconds_sum{" << labels << "} " << Number(h.sum)
          << '\n'
          << "fieldcrm_http_request_duration_seconds_count{" << labels << "} " << h.count << '\n';
    }
    struct TeamCounter {
      const char* name;
      const char* help;
      int64_t TeamCounts::*field;
    };
    for (const TeamCounter& counter :
         {TeamCounter{"fieldcrm_changes_pushed_total", "Changes accepted from the team's tablets.",
                      &TeamCounts::pushed},
          TeamCounter{"fieldcrm_changes_refused_total",
                      "Changes refused from the team's tablets (scope, integrity).",
                      &TeamCounts::refused},
          TeamCounter{"fieldcrm_changes_pulled_total", "Changes sent to the team's tablets.",
                      &TeamCounts::pulled}}) {
      Header(out, counter.name, "counter", counter.help);
      for (const auto& [team, counts] : teams_) {
        out << counter.name << "{team=\"" << Label(team) << "\"} " << counts.*counter.field << '\n';
      }
    }
  }
  Header(out, "fieldcrm_http_requests_in_flight", "gauge",
         "Requests whose headers were read and which are not answered yet.");
  out << "fieldcrm_http_requests_in_flight " << in_flight_.load(std::memory_order_relaxed) << '\n';
  Header(out, "fieldcrm_pushes_total", "counter", "Pushes run (accepted or refused).");
  out << "fieldcrm_pushes_total " << gauges.pushes_run << '\n';
  Header(out, "fieldcrm_push_commits_total", "counter",
         "Transactions that committed the pushes: fewer than pushes when tablets push at once "
         "(group commit).");
  out << "fieldcrm_push_commits_total " << gauges.push_commits << '\n';
  Header(out, "fieldcrm_push_queue_depth", "gauge", "Pushes waiting for their commit now.");
  out << "fieldcrm_push_queue_depth " << gauges.pushes_waiting << '\n';
  Header(out, "fieldcrm_log_head", "gauge", "The server's change log position.");
  out << "fieldcrm_log_head " << gauges.log_head << '\n';

  Header(out, "fieldcrm_device_behind_entries", "gauge",
         "Log entries (of any team) written since the device's last complete pull.");
  std::ostringstream pending, silent;
  struct TeamSummary {
    int64_t devices = 0;
    double max_silent = 0;
  };
  std::map<std::string, TeamSummary> summaries;
  for (const DeviceStatus& d : gauges.devices) {
    std::string labels = "{device=\"" + Label(d.device) + "\",team=\"" + Label(d.team) +
                         "\",agent=\"" + Label(d.agent) + "\"} ";
    if (d.pulled_to >= 0) {
      out << "fieldcrm_device_behind_entries" << labels
          << std::max<int64_t>(0, gauges.log_head - d.pulled_to) << '\n';
    }
    if (d.pending >= 0) pending << "fieldcrm_device_pending_changes" << labels << d.pending << '\n';
    TeamSummary& team = summaries[d.team];
    ++team.devices;
    std::string last = std::max(d.last_pull_at, d.last_push_at);
    if (!last.empty()) {
      double seconds = static_cast<double>(now_ms - ParseTime(last, "last sync")) / 1000;
      silent << "fieldcrm_device_seconds_since_sync" << labels << Number(seconds) << '\n';
      team.max_silent = std::max(team.max_silent, seconds);
    }
  }
  Header(out, "fieldcrm_device_pending_changes", "gauge",
         "Changes the device had not sent yet at its last sync.");
  out << pending.str();
  Header(out, "fieldcrm_device_seconds_since_sync", "gauge",
         "Since the device's last push or pull.");
  out << silent.str();
  Header(out, "fieldcrm_team_devices", "gauge", "Devices that ever synced, by team.");
  for (const auto& [team, summary] : summaries) {
    out << "fieldcrm_team_devices{team=\"" << Label(team) << "\"} " << summary.devices << '\n';
  }
  Header(out, "fieldcrm_team_max_seconds_since_sync", "gauge",
         "The longest any of the team's devices has gone without syncing.");
  for (const auto& [team, summary] : summaries) {
    out << "fieldcrm_team_max_seconds_since_sync{team=\"" << Label(team) << "\"} "
        << Number(summary.max_silent) << '\n';
  }
  Header(out, "fieldcrm_plugin_up", "gauge",
         "1 for a plugin the reports use, 0 for one disabled (a crash, a hang, a bad config) or "
         "refused.");
  for (const PluginState& plugin : gauges.plugins) {
    std::string name = plugin.name.empty() ? plugin.file : plugin.name;
    out << "fieldcrm_plugin_up{plugin=\"" << Label(name) << "\",state=\"" << Label(plugin.state)
        << "\"} " << (plugin.state == "loaded" ? 1 : 0) << '\n';
  }
  return out.str();
}

}  // namespace fieldcrm::sync
