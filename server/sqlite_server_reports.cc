// The server's reports: the store's own (reports/include/fieldcrm/reports/reports.h, with tiers
// from reports/include/fieldcrm/reports/tier_reports.h), plus what only the server knows: its
// devices, and a customer's history from the audit trail.
#include "fieldcrm/base/error.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/reports/reports.h"
#include "fieldcrm/reports/tier_reports.h"
#include "fieldcrm/server/audit.h"
#include "fieldcrm/server/sqlite_server_storage.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

constexpr int64_t kSilentDays = 3;  // a tablet that has not synced for this long is flagged

json DevicesReport(const std::vector<DeviceStatus>& devices, const reports::ReportFilter& filter,
                   int64_t now_ms) {
  json out = reports::NewReport("devices", "Tablets: last sync, pending changes, version", filter);
  json table = reports::NewTable("devices",
                                 "Every tablet that synced; silent for " +
                                     std::to_string(kSilentDays) + " days or more is flagged",
                                 {{"device", "Device"},
                                  {"agent", "Agent"},
                                  {"team", "Team"},
                                  {"last_sync", "Last sync"},
                                  {"silent_days", "Days silent"},
                                  {"pending", "Pending changes"},
                                  {"app_version", "App version"},
                                  {"flag", "Flag"}});
  table["chart"] = {{"label", "device"}, {"value", "silent_days"}};
  for (const DeviceStatus& d : devices) {
    if ((filter.team && d.team != *filter.team) || (filter.agent && d.agent != *filter.agent)) {
      continue;
    }
    std::string last = std::max(d.last_pull_at, d.last_push_at);
    json silent;
    if (!last.empty()) silent = (now_ms - ParseTime(last, "last sync")) / (24 * 3600 * 1000);
    bool flagged = last.empty() || silent.get<int64_t>() >= kSilentDays;
    table["rows"].push_back({{"device", d.device},
                             {"agent", d.agent},
                             {"team", d.team},
                             {"last_sync", last},
                             {"silent_days", silent},
                             {"pending", d.pending < 0 ? json() : json(d.pending)},
                             {"app_version", d.app_version},
                             {"flag", flagged ? "silent" : ""}});
  }
  out["tables"].push_back(table);
  return out;
}

}  // namespace

ReportingConnection& SqliteServerStorage::Reporting() {
  if (!reporting_) reporting_ = std::make_unique<ReportingConnection>(store_->path());
  return *reporting_;
}

void SqliteServerStorage::UsePlugins(std::function<std::unique_ptr<PluginHost>()> load) {
  std::lock_guard lock(reports_mutex_);
  load_plugins_ = std::move(load);
  plugins_stamp_ = CurrentReleasesStamp();
  plugins_ = load_plugins_();
}

json SqliteServerStorage::Report(const std::string& name,
                                 const std::map<std::string, std::string>& params) {
  int64_t now = env().NowMillis();
  reports::ReportFilter filter;
  if (name != "customer") filter = reports::ParseFilter(params, now);
  if (name == "devices") {
    std::lock_guard lock(mutex_);  // a few rows of the writer's tables
    return DevicesReport(ReadDevices(), filter, now);
  }
  // One report at a time: they share the connection and the plugins.
  std::lock_guard lock(reports_mutex_);
  if (load_plugins_) {
    if (std::string stamp = CurrentReleasesStamp(); stamp != plugins_stamp_) {
      plugins_.reset();  // unloads the old libraries before the folder is rewritten
      plugins_stamp_ = stamp;
      plugins_ = load_plugins_();
    }
  }
  if (plugins_) {
    // Cheap (a few small records): plugin_config records synced since the last report apply now.
    std::lock_guard store_lock(mutex_);
    plugins_->Configure(*store_);
  }
  ReportingConnection& reporting = Reporting();
  if (name == "customer") {
    auto id = params.find("id");
    if (id == params.end() || id->second.empty()) {
      throw InvalidInput("the customer report needs ?id=CUSTOMER_ID");
    }
    Transaction txn(reporting.db());
    json out = reports::CustomerRecord(reporting, id->second);
    {
      // The audit trail joins the log with the server's own table: read on the writer's
      // connection (a few rows of one customer).
      std::lock_guard store_lock(mutex_);
      out["history"] = CustomerHistory(*store_, id->second);
    }
    out["tier"] = reports::CustomerTier(reporting, plugins_.get(),
                                        out["record"]["id"].get<std::string>(), now);
    txn.Commit();
    out["report"] = "customer";
    return out;
  }
  return reports::RunReportWithTiers(reporting, plugins_.get(), name, filter, now);
}

}  // namespace fieldcrm::sync
