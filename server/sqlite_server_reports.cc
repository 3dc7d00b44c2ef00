// The server's reports: the store's own (reports/include/fieldcrm/reports/reports.h, with tiers
// from reports/include/fieldcrm/reports/tier_reports.h), plus what only the server knows: its
// devices, a customer's history from the audit trail, and the sales offices' reception logs
// composed by the server's reception plugin.
#include <algorithm>
#include <filesystem>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/projections/customer_search.h"
#include "fieldcrm/reports/customer_list.h"
#include "fieldcrm/reports/filter_choices.h"
#include "fieldcrm/reports/reception_report.h"
#include "fieldcrm/reports/reports.h"
#include "fieldcrm/reports/tier_reports.h"
#include "fieldcrm/server/audit.h"
#include "fieldcrm/server/sqlite_server_storage.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

constexpr int64_t kSilentDays = 3;  // a tablet that has not synced for this long is flagged
constexpr int kSearchResults = 50;
// Read before the team filter: a team leader's search drops other teams' customers afterwards.
constexpr int kSearchCandidates = 500;

// What a person typed into the search box, as SearchCustomers reads it: a phone number in any
// format ("138 0013 8000", "+86 138-0013-8000", its last 4 digits) becomes its digits; anything
// else is part of a name.
std::string SearchText(const std::string& typed) {
  std::string digits;
  for (char c : typed) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (std::string_view(" -+().").find(c) == std::string_view::npos) {
      size_t first = typed.find_first_not_of(' '), last = typed.find_last_not_of(' ');
      return first == std::string::npos ? "" : typed.substr(first, last - first + 1);
    }
  }
  return digits;
}

// The customers whose name contains the text, or whose phone ends with its digits (at most
// kSearchResults; of `team` only when set).
json SearchReport(Store& store, const std::map<std::string, std::string>& params) {
  auto q = params.find("q");
  std::string text = q == params.end() ? "" : SearchText(q->second);
  if (text.empty()) {
    throw InvalidInput("search for a name or a phone number (at least its last 4 digits): ?q=");
  }
  auto team = params.find("team");
  json table = reports::NewTable("customers", "Customers matching '" + q->second + "'",
                                 {{"name", "Name"},
                                  {"phone", "Phone"},
                                  {"agent", "Agent"},
                                  {"team", "Team"},
                                  {"stage", "Stage"},
                                  {"id", "Id"}},
                                 reports::kNow);
  Customers customers(store);
  for (const std::string& id : SearchCustomers(store, {text, std::nullopt, kSearchCandidates})) {
    json doc = customers.Get(id);
    auto text_of = [&doc](const char* key) {
      auto it = doc.find(key);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (team != params.end() && text_of("team") != team->second) continue;
    json row = json::object();
    for (const char* key : {"name", "phone", "agent", "team", "stage"}) row[key] = text_of(key);
    row["id"] = id;
    table["rows"].push_back(row);
    if (table["rows"].size() == kSearchResults) break;
  }
  return {{"report", "search"},
          {"title", "搜索 Search"},
          {"q", q->second},
          {"filter", team == params.end() ? json::object() : json{{"team", team->second}}},
          {"tables", json::array({table})}};
}

// A team or agent no tablet has synced for is a clear 404, as in the store's reports.
void RequireKnownDevices(const std::vector<DeviceStatus>& devices,
                         const reports::ReportFilter& filter) {
  auto known = [&](const std::optional<std::string>& value, auto field) {
    return !value || std::any_of(devices.begin(), devices.end(),
                                 [&](const DeviceStatus& d) { return d.*field == *value; });
  };
  if (!known(filter.team, &DeviceStatus::team)) {
    throw NotFound("no tablet of team '" + *filter.team + "' has synced");
  }
  if (!known(filter.agent, &DeviceStatus::agent)) {
    throw NotFound("no tablet of agent '" + *filter.agent + "' has synced");
  }
}

json DevicesReport(const std::vector<DeviceStatus>& devices, int64_t log_head,
                   const reports::ReportFilter& filter, int64_t now_ms) {
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
                                  {"behind", "Behind (log entries)"},
                                  {"app_version", "App version"},
                                  {"flag", "Flag"}},
                                 reports::kNow);
  table["chart"] = {{"label", "device"}, {"value", "silent_days"}};
  RequireKnownDevices(devices, filter);
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
                             // written on the server (any team) since its last complete pull
                             {"behind", d.pulled_to < 0 ? json() : json(log_head - d.pulled_to)},
                             {"app_version", d.app_version},
                             {"flag", flagged ? "silent" : ""}});
  }
  out["tables"].push_back(table);
  return out;
}

// The server's plugins and what became of each: a plugin disabled by a crash, a hang or a
// rejected config shows here with the reason (as in `plugins list` and the server's log).
json PluginsTable(const std::vector<PluginState>& states) {
  json table = reports::NewTable("plugins", "Plugins on this server: a disabled one says why",
                                 {{"plugin", "Plugin"},
                                  {"version", "Version"},
                                  {"kind", "Kind"},
                                  {"runs", "Runs"},
                                  {"published", "Published by"},
                                  {"state", "State"},
                                  {"role", "Role"},
                                  {"reason", "Reason"},
                                  {"flag", "Flag"}},
                                 reports::kNow);
  for (const PluginState& s : states) {
    auto text = [](const json& object, const char* key) {
      return object.is_object() ? object.value(key, "") : std::string();
    };
    std::string published =
        s.release.is_object() ? text(s.release, "publisher") + " " + text(s.release, "published_at")
                              : "(unsigned)";
    table["rows"].push_back(
        {{"plugin", s.name.empty() ? std::filesystem::path(s.file).filename().string() : s.name},
         {"version", text(s.manifest, "version")},
         {"kind", text(s.manifest, "kind")},
         {"runs", s.state != "loaded" ? ""
                  : s.isolated        ? "isolated process"
                                      : "in the server"},
         {"published", published},
         {"state", s.state},
         {"role", s.role},
         {"reason", s.reason.empty() ? s.role_reason : s.reason},
         {"flag", s.state == "loaded" ? "" : s.state}});
  }
  return table;
}

}  // namespace

void SqliteServerStorage::ReloadPublishedPlugins() {
  if (!load_plugins_) return;
  if (std::string stamp = CurrentReleasesStamp(); stamp != plugins_stamp_) {
    plugins_.reset();  // unloads the old libraries before the folder is rewritten
    plugins_stamp_ = stamp;
    plugins_ = load_plugins_();
  }
}

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
                                 const std::map<std::string, std::string>& params,
                                 const AbandonedCheck& abandoned) {
  int64_t now = env().NowMillis();
  {
    std::lock_guard lock(mutex_);
    CatchUpLocked();  // on PostgreSQL, what the other processes took as well
  }
  reports::ReportFilter filter;
  if (name == "search") {
    std::lock_guard lock(mutex_);  // index lookups and a few records on the writer's connection
    return SearchReport(*store_, params);
  }
  const bool own_parameters = name == "customer" || name == "choices" || name == "customer_list";
  // A team's report is in its zone (its days, presets, times); the whole company's in head
  // office's.
  auto team = params.find("team");
  const TimeZone zone = ZoneOf(team == params.end() ? std::nullopt : std::optional(team->second));
  if (!own_parameters) filter = reports::ParseFilter(params, now, zone);
  if (name == "devices") {
    std::vector<DeviceStatus> devices;
    int64_t log_head = 0;
    {
      std::lock_guard lock(mutex_);  // a few rows of the writer's tables
      devices = ReadDevices();
      log_head = store_->LogHead();
    }
    json out = DevicesReport(devices, log_head, filter, now);
    std::lock_guard lock(reports_mutex_);
    ReloadPublishedPlugins();
    if (plugins_) out["tables"].push_back(PluginsTable(plugins_->States()));
    return out;
  }
  // One report at a time: they share the connection and the plugins.
  std::lock_guard lock(reports_mutex_);
  // Someone who left while an earlier report ran (a closed tab, a reload) waits for nothing.
  if (abandoned()) throw Cancelled("report abandoned by its client before it started");
  ReloadPublishedPlugins();
  if (plugins_) {
    // Cheap (a few small records): plugin_config records synced since the last report apply now.
    std::lock_guard store_lock(mutex_);
    plugins_->Configure(*store_);
  }
  ReportingConnection& reporting = Reporting();
  InterruptWhen interrupt(reporting.db(), abandoned);
  if (name == "reception") {
    if (filter.team) {
      reports::ReportFilter team_only;  // the agents on duty need no tablet of their own
      team_only.team = filter.team;
      std::lock_guard store_lock(mutex_);
      RequireKnownDevices(ReadDevices(), team_only);
    }
    return reports::ReceptionReport(reporting, plugins_.get(), filter);
  }
  if (name == "customer_list") {
    auto [list_filter, query] = reports::ParseCustomerList(params, now, zone);
    return reports::CustomerList(reporting, list_filter, query, now);
  }
  if (name == "choices") {
    return reports::FilterChoices(
        reporting, team == params.end() ? std::nullopt : std::optional<std::string>(team->second));
  }
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
      out["history"] = CustomerHistory(*store_, *tables_, id->second);
    }
    out["tier"] = reports::CustomerTier(reporting, plugins_.get(),
                                        out["record"]["id"].get<std::string>(), now);
    txn.Commit();
    out["report"] = "customer";
    out["zone"] = ZoneOf(out["record"].value("team", "")).name();
    return out;
  }
  return reports::RunReportWithTiers(reporting, plugins_.get(), name, filter, now);
}

}  // namespace fieldcrm::sync
