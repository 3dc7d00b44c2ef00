#include "fieldcrm/reports/reception_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/time_zone.h"

namespace fieldcrm::reports {

using nlohmann::json;

namespace {

constexpr const char* kKind = "reception";
constexpr const char* kNoTeam = "(无组 no team)";

// What a report's call of the plugin reads: the records of the team and day being reported,
// already read from the report's snapshot. Its other reads find nothing: a day's log is made of
// that day's records, and a report looks no customer up.
class DayReads final : public PluginReads {
 public:
  explicit DayReads(const std::vector<json>& records) : records_(records) {}

  std::string Records(const std::string& kind, const std::string& field,
                      const std::string& value) override {
    json matching = json::array();
    if (kind != kKind) return matching.dump();
    for (const json& record : records_) {
      auto found = record.find(field);
      if (field.empty() || (found != record.end() && found->is_string() && *found == value)) {
        matching.push_back(record);
      }
    }
    return matching.dump();
  }
  std::string CustomerByPhone(const std::string&) override { return "null"; }

 private:
  const std::vector<json>& records_;
};

// (team, day) -> that team's reception records of that day, for the days of the period.
using DayGroups = std::map<std::pair<std::string, std::string>, std::vector<json>>;

DayGroups ReadDays(Database& db, const ReportFilter& filter, const TimeZone& zone) {
  // A record's team is its own stamp, or, for a walk-in that hangs under a customer (a returning
  // visitor), the team of the customer it belongs to: what a team's reception tablet holds.
  Statement& stmt = db.Prepare(R"sql(
    SELECT r.doc, COALESCE(json_extract(r.doc, '$.team'), json_extract(owner.doc, '$.team'), '')
    FROM live_records r
    LEFT JOIN customer_records named ON named.id = json_extract(r.doc, '$.customer')
    LEFT JOIN customer_records owner ON owner.id = COALESCE(named.root, named.id)
    WHERE r.kind = ? AND json_extract(r.doc, '$.day') BETWEEN ? AND ?
    ORDER BY r.id)sql");
  stmt.Bind(kKind, zone.DateOf(filter.since_ms), zone.DateOf(filter.until_ms - 1));
  DayGroups groups;
  while (stmt.Step()) {
    std::string team = stmt.Text(1);
    if (filter.team && team != *filter.team) continue;
    json record = json::parse(stmt.Text(0));
    std::string day = record.value("day", "");
    groups[{team.empty() ? kNoTeam : team, day}].push_back(std::move(record));
  }
  stmt.Reset();
  return groups;
}

json TeamTable() {
  return NewTable("by_team", "各组接待 Walk-ins by team",
                  {{"team", "Team"},
                   {"days", "Days with walk-ins"},
                   {"walk_ins", "Walk-ins"},
                   {"new", "New"},
                   {"returning", "Returning"}});
}

json AgentTable() {
  json table = NewTable("by_agent", "谁接待了多少 Walk-ins each agent received",
                        {{"team", "Team"},
                         {"agent", "Agent"},
                         {"walk_ins", "Walk-ins"},
                         {"new", "New"},
                         {"returning", "Returning"}});
  table["chart"] = {{"label", "agent"}, {"value", "walk_ins"}};
  return table;
}

json SourceTable() {
  json table = NewTable("by_source", "客户来源 Where the walk-ins came from",
                        {{"source", "Source"}, {"walk_ins", "Walk-ins"}, {"share_pct", "Share %"}});
  table["chart"] = {{"label", "source"}, {"value", "walk_ins"}};
  return table;
}

json WalkInTable() {
  return NewTable("walk_ins", "来访记录 Every walk-in (夕会 the evening meeting's log)",
                  {{"at", "Time"},
                   {"team", "Team"},
                   {"agent", "Agent"},
                   {"name", "Name"},
                   {"phone", "Phone"},
                   {"source", "Source"},
                   {"visit", "Visit"},
                   {"reason", "Why this agent"},
                   {"skipped", "Skipped (busy)"}});
}

json DutyTable() {
  return NewTable("duty", "值班顺序 Agents on duty, in turn order",
                  {{"day", "Day"}, {"team", "Team"}, {"agents", "On duty"}});
}

// What the period's logs add up to: rows of by_agent and by_team, and walk-ins per source.
struct Tally {
  std::map<std::pair<std::string, std::string>, json> agents;  // (team, agent) -> row
  std::map<std::string, int64_t> sources;
  std::map<std::string, json> teams;
};

// Adds one team's log of one day (the plugin's answer, plugins/rotation/evening_log.h) to the
// walk-in and duty tables and to the tally; `agent` keeps that agent's walk-ins only.
void AddLog(const std::string& team, const std::string& day, const json& log,
            const std::optional<std::string>& agent, Tally& tally, json& walk_ins, json& duty) {
  if (!log.value("duty", json::array()).empty()) {
    duty["rows"].push_back({{"day", day}, {"team", team}, {"agents", log["duty"]}});
  }
  for (const json& w : log.value("walk_ins", json::array())) {
    std::string received_by = w.value("agent", "");
    if (agent && received_by != *agent) continue;
    bool returning = w.value("returning", false);
    const char* visit = returning ? "returning" : "new";
    // "id" is not a column: it makes the name open the customer page.
    json row = {{"at", w.value("at", "")},
                {"team", team},
                {"agent", received_by},
                {"name", w.value("name", "")},
                {"phone", w.value("phone", "")},
                {"source", w.value("source", "")},
                {"visit", returning ? "回访 returning" : "新客 new"},
                {"reason", w.value("reason", "")},
                {"skipped", w.value("skipped", json::array())},
                {"id", w.value("customer", "")}};
    walk_ins["rows"].push_back(std::move(row));
    json& by_agent = tally.agents[{team, received_by}];
    if (by_agent.is_null()) {
      by_agent = {
          {"team", team}, {"agent", received_by}, {"walk_ins", 0}, {"new", 0}, {"returning", 0}};
    }
    json& by_team = tally.teams[team];
    if (by_team.is_null()) {
      by_team = {
          {"team", team}, {"days", json::array()}, {"walk_ins", 0}, {"new", 0}, {"returning", 0}};
    }
    for (json* counts : {&by_agent, &by_team}) {
      (*counts)["walk_ins"] = (*counts)["walk_ins"].get<int64_t>() + 1;
      (*counts)[visit] = (*counts)[visit].get<int64_t>() + 1;
    }
    if (by_team["days"].empty() || by_team["days"].back() != day) by_team["days"].push_back(day);
    std::string source = w.value("source", "");
    ++tally.sources[source.empty() ? "(未知 unknown)" : source];
  }
}

}  // namespace

json ReceptionReport(ReportingConnection& reporting, const PluginHost* plugins,
                     const ReportFilter& filter) {
  if (filter.project) {
    throw InvalidInput(
        "walk-ins are received by a sales office (a team), not a project: "
        "leave the project out");
  }
  json out =
      NewReport("reception", "来访接待 Reception: walk-ins and the evening meeting's log", filter);
  json by_team = TeamTable(), by_agent = AgentTable(), by_source = SourceTable(),
       walk_ins = WalkInTable(), duty = DutyTable();
  auto tables = [&]() {
    json list = json::array();
    if (!filter.team) list.push_back(by_team);
    for (json* table : {&by_agent, &by_source, &walk_ins, &duty}) list.push_back(*table);
    return list;
  };
  LoadedPlugin* plugin = plugins == nullptr ? nullptr : plugins->FirstOfKind(kKind);
  if (plugin == nullptr) {
    std::string why = plugins == nullptr ? "the server runs without plugins (--plugins)"
                                         : "no usable plugin of kind 'reception' is loaded";
    out["tables"] = tables();
    for (json& table : out["tables"]) table["note"] = "No reception log: " + why + ".";
    return out;
  }
  const TimeZone zone = filter.zone ? *filter.zone : TimeZone::Local();
  Transaction txn(reporting.db());  // every day of every team from one snapshot
  DayGroups groups = ReadDays(reporting.db(), filter, zone);
  txn.Commit();
  Tally tally;
  for (const auto& [key, records] : groups) {
    const auto& [team, day] = key;
    DayReads reads(records);
    CallOutcome outcome = plugin->CallReading("log", json{{"day", day}}.dump(), reads);
    if (!outcome.proposed.empty()) {
      throw PluginError("plugin '" + plugin->name() +
                        "' proposed records from its 'log' function, which a report only reads");
    }
    AddLog(team, day, json::parse(outcome.result), filter.agent, tally, walk_ins, duty);
  }
  for (auto& [team, row] : tally.teams) {
    row["days"] = row["days"].size();
    by_team["rows"].push_back(row);
  }
  for (auto& [key, row] : tally.agents) by_agent["rows"].push_back(row);
  int64_t total = 0;
  for (const auto& [source, count] : tally.sources) total += count;
  for (const auto& [source, count] : tally.sources) {
    by_source["rows"].push_back(
        {{"source", source},
         {"walk_ins", count},
         {"share_pct",
          std::round(static_cast<double>(count) * 1000.0 / static_cast<double>(total)) / 10.0}});
  }
  // By time across teams and days, as the evening meeting reads them.
  json& rows = walk_ins["rows"];
  std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    return std::make_pair(a["at"].get<std::string>(), a["team"].get<std::string>()) <
           std::make_pair(b["at"].get<std::string>(), b["team"].get<std::string>());
  });
  out["tables"] = tables();
  return out;
}

}  // namespace fieldcrm::reports
