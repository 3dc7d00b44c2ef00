#include "fieldcrm/reports/filter_choices.h"

#include "fieldcrm/base/error.h"

namespace fieldcrm::reports {

using nlohmann::json;

namespace {

// How many names the error lists before "…": enough for teams, short for 200 agents.
constexpr size_t kNamesInMessage = 12;

// One picker's list: rows of (column, customers[, team]) as JSON, from SQL over customer_facts.
json ChoiceRows(Database& db, const std::string& sql, const std::optional<std::string>& team) {
  Statement& stmt = db.Prepare(sql);
  stmt.Bind(team);
  stmt.Step();
  json rows = json::parse(stmt.Text(0));
  stmt.Reset();
  return rows;
}

void RequireKnown(Database& db, const char* column, const std::optional<std::string>& value) {
  if (!value) return;
  const std::string col(column);
  if (db.QueryInt("SELECT 1 FROM customer_facts WHERE " + col + " = ? LIMIT 1", *value)) return;
  Statement& names = db.Prepare("SELECT DISTINCT " + col + " FROM customer_facts WHERE " + col +
                                " IS NOT NULL AND " + col + " <> '' ORDER BY 1 LIMIT " +
                                std::to_string(kNamesInMessage + 1));
  std::string known;
  size_t n = 0;
  while (names.Step()) {
    if (++n > kNamesInMessage) {
      known += ", …";
      break;
    }
    known += (known.empty() ? "" : ", ") + names.Text(0);
  }
  names.Reset();
  throw NotFound("no " + col + " '" + *value + "' among the customers here; " +
                 (known.empty() ? "there are none" : "the " + col + "s are: " + known));
}

}  // namespace

json FilterChoices(ReportingConnection& reporting, const std::optional<std::string>& only_team) {
  Database& db = reporting.db();
  Transaction txn(db);
  const std::string scope = " FROM customer_facts WHERE (?1 IS NULL OR team = ?1)";
  json out = {
      {"teams", ChoiceRows(db,
                           "SELECT json_group_array(json_object('team', team, 'customers', n)) "
                           "FROM (SELECT team, count(*) AS n" +
                               scope + " GROUP BY team ORDER BY team)",
                           only_team)},
      {"agents", ChoiceRows(db,
                            "SELECT json_group_array(json_object('agent', agent, 'team', team, "
                            "'customers', n)) FROM (SELECT agent, team, count(*) AS n" +
                                scope + " GROUP BY agent, team ORDER BY team, agent)",
                            only_team)},
      {"projects", ChoiceRows(db,
                              "SELECT json_group_array(json_object('project', project, "
                              "'customers', n)) FROM (SELECT project, count(*) AS n" +
                                  scope +
                                  " AND project IS NOT NULL AND project <> '' GROUP BY project "
                                  "ORDER BY project)",
                              only_team)},
  };
  txn.Commit();
  return out;
}

void RequireKnownNames(ReportingConnection& reporting, const ReportFilter& filter) {
  Database& db = reporting.db();
  RequireKnown(db, "team", filter.team);
  RequireKnown(db, "agent", filter.agent);
  RequireKnown(db, "project", filter.project);
}

}  // namespace fieldcrm::reports
